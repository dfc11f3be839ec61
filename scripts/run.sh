#!/usr/bin/env bash
# The README's first command: set up, migrate, load demo data and start the
# portal in production mode on http://localhost:${PORTAL_PORT:-3000}.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

python -m portal_app migrate
python -m portal_app seed-demo
PORT="${PORTAL_PORT:-3000}"
echo "==> starting the portal on ${PORTAL_PUBLIC_URL:-http://localhost:$PORT} (Ctrl+C stops it)"
exec reflex run --env prod --frontend-port "$PORT" --backend-port "$PORT"
