#!/usr/bin/env bash
# Set everything up in the repository itself:
#   1. a virtual environment in .venv (made once, reused afterwards);
#   2. the pinned requirements and this repository's package `derivation`;
#   3. JupyterLab settings for a classroom (jupyter-config/ is copied into .venv):
#      no news or update checks (a lecture hall may have no network), the kernel
#      starts without a dialog, and the server also runs where the user is root.
# Safe to run again: it only installs what is missing.
# Exit status: 127 if the interpreter ($PYTHON, default python3) is not found,
# 1 if it is older than 3.11 (or not a working Python), else that of the failing step.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup: Python interpreter '$python' not found; install Python 3.11 or newer, or point PYTHON at one: PYTHON=python3.11 bash scripts/setup.sh" >&2
  exit 127
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  version=$("$python" --version 2>&1 | head -n 1) || true
  echo "setup: Python 3.11 or newer is needed; '$python' is ${version:-not a working Python}." >&2
  echo "       Install it, or point PYTHON at one: PYTHON=python3.11 bash scripts/setup.sh" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi
echo "setup: installing requirements.txt into .venv (about a minute the first time)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
cp -R jupyter-config/. .venv/
.venv/bin/python -c 'import derivation, sympy, numpy; print(f"setup: ready (derivation {derivation.__version__}, sympy {sympy.__version__}, numpy {numpy.__version__})")'
