#!/usr/bin/env bash
# Prepare a machine for SWOTT Connect: a Python virtual environment in .venv with the project installed.
# Used by scripts/demo.sh and scripts/test.sh; safe to run again (it only adds what is missing).
#   scripts/setup.sh          runtime only
#   scripts/setup.sh --test   also test tools: pytest, Playwright, ruff, mypy; Debian's chromium; npm packages
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

apt_packages=()
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "SWOTT Connect needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi
# Debian splits venv and ensurepip out of python3.
if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
  apt_packages+=("python3-venv")
fi
# WeasyPrint (the CPD portfolio's tagged PDF) loads Debian's Pango at run time.
if command -v ldconfig >/dev/null && ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0'; then
  apt_packages+=("libpango-1.0-0" "libpangoft2-1.0-0")
fi
if [ "$want_test" = 1 ]; then
  command -v chromium >/dev/null || apt_packages+=("chromium")
  command -v npm >/dev/null || apt_packages+=("nodejs" "npm")
fi
if [ "${#apt_packages[@]}" -gt 0 ]; then
  say "Installing Debian packages: ${apt_packages[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  say "Creating the virtual environment in .venv"
  "$PYTHON" -m venv .venv
fi
extras=""
[ "$want_test" = 1 ] && extras="[test]"
stamp=".venv/.installed${extras:+-test}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "Installing SWOTT Connect${extras:+ with test tools} into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${extras}"
  touch "$stamp"
fi
# The interface translations (issue 13): .po catalogues -> the .mo files gettext reads. Cheap; every run.
.venv/bin/python scripts/translations.py compile
if [ "$want_test" = 1 ] && [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    say "Installing the npm packages the browser tests use (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
