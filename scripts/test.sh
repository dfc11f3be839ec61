#!/usr/bin/env bash
# The README's second command (and CI's): set up like run.sh plus Chromium and
# the test services, then run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
REQS=requirements-dev.txt
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# Browser tests drive Debian's Chromium; Playwright's own download is not used.
if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Chromium from Debian's packages"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi

# Accessibility checks in browser tests inject axe-core, pinned, from the npm registry.
AXE_VERSION=4.14.1
if [ "$(node -p "require('./.tools/node_modules/axe-core/package.json').version" 2>/dev/null)" != "$AXE_VERSION" ]; then
  echo "==> installing axe-core $AXE_VERSION from the npm registry"
  npm install --silent --no-audit --no-fund --prefix .tools "axe-core@$AXE_VERSION"
fi

# PostgreSQL and Redis: the real servers on this machine; start them if stopped.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "==> starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "==> starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi

# Two workers (CI has 2 cores): the live-portal and browser tests on one, in
# order, the rest spread over both (tests/conftest.py's scheduler).
# PORTAL_TEST_WORKERS=0 runs everything in this one process.
exec python -m pytest -n "${PORTAL_TEST_WORKERS:-2}" "$@"
