#!/usr/bin/env bash
# Create .venv with Python 3.12 and install copsim with every extra the tests exercise.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  for candidate in python3.12 "$(command -v pyenv >/dev/null && pyenv which python3.12 2>/dev/null)" \
                   "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ]; then
      if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
        echo "$candidate"; return 0
      fi
    fi
  done
  return 1
}

PYTHON=$(find_python) || { echo "setup: Python 3.12 not found (install it, e.g. 'pyenv install 3.12')" >&2; exit 1; }
echo "setup: using $PYTHON ($("$PYTHON" --version))"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev,app,discovery,cluster]"
.venv/bin/python -m pip check
.venv/bin/python -m copsim.warm_up  # compile the kernels once, so the first run does not pause
