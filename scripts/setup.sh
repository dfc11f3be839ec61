# Sourced by scripts/run.sh and scripts/test.sh: installs what the portal needs
# on a fresh machine (Python venv and packages, bun from the npm registry) and
# exports the environment Reflex needs. Idempotent: a second run is quick.
#   REQS=requirements-dev.txt  picks the requirements file (default: runtime).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REQS="${REQS:-requirements.txt}"

PYTHON_BIN="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating the Python environment in .venv"
  "$PYTHON_BIN" -m venv .venv
fi

# Reinstall only when the requirements changed since the last install.
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$REQS")"
if [ ! -f "$stamp" ]; then
  echo "==> installing Python packages from $REQS"
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$REQS"
  touch "$stamp"
fi

# Reflex's own bun download needs bun.sh; the npm registry has the same binary.
if [ ! -x .tools/node_modules/.bin/bun ]; then
  echo "==> installing bun from the npm registry"
  npm install --silent --no-audit --no-fund --prefix .tools bun@1.4.5
fi

export PATH="$ROOT/.venv/bin:$ROOT/.tools/node_modules/.bin:$PATH"
export REFLEX_USE_SYSTEM_BUN=1
NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-$(npm config get registry)}"
export NPM_CONFIG_REGISTRY
export PYTHONDONTWRITEBYTECODE=1
