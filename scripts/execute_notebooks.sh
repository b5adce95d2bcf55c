#!/usr/bin/env bash
# Re-execute notebooks top to bottom in a fresh kernel and store their outputs,
# as they must be committed (nbval compares the stored outputs with a fresh run).
# Run after any change to derivation/ or to a notebook:
#   bash scripts/execute_notebooks.sh                 # every notebook
#   bash scripts/execute_notebooks.sh notebooks/02_*.ipynb
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/jupyter ] || { echo "run 'bash scripts/setup.sh' first" >&2; exit 1; }
if [ "$#" -eq 0 ]; then set -- notebooks/*.ipynb; fi
for nb in "$@"; do
  echo "executing $nb"
  .venv/bin/jupyter nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=600 \
    --ExecutePreprocessor.record_timing=False "$nb" 2>&1 \
    | grep -vE '^\[(NbConvertApp|IPKernelApp)\]' || true
done
