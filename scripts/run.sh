#!/usr/bin/env bash
# The README's first command: set up, migrate, load demo data into a new empty
# database (PORTAL_DEMO=0: none) and start the portal in production mode on
# http://localhost:${PORTAL_PORT:-3000}. Demo data someone removed stays removed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

python -m portal_app migrate
python -m portal_app seed-demo --if-empty
PORT="${PORTAL_PORT:-3000}"
if [ -n "${PORTAL_PUBLIC_URL:-}" ]; then
  echo "==> starting the portal on $PORTAL_PUBLIC_URL (Ctrl+C stops it)"
else
  echo "==> starting the portal on http://localhost:$PORT (or http://127.0.0.1:$PORT; Ctrl+C stops it)"
fi
exec reflex run --env prod --frontend-port "$PORT" --backend-port "$PORT"
