#!/usr/bin/env bash
# Runs a command with libtorch provisioned for the `tch` crate.
#
#   scripts/with-torch.sh cargo test --features tch
#
# On first use it creates a virtual environment (.venv at the repository root, or
# $LEARNKIT_VENV) and installs torch==2.13.0 from PyPI into it (about 5 GB with its CUDA
# libraries; a few minutes). Later runs reuse it. It then exports what tch-sys needs at build
# time (LIBTORCH_USE_PYTORCH=1, the venv's python3 first on PATH) and what the binaries need at
# run time (the wheel's torch/lib on LD_LIBRARY_PATH), and runs the command.
set -euo pipefail

TORCH_VERSION=2.13.0
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="${LEARNKIT_VENV:-$root/.venv}"

have_torch() {
  "$venv/bin/python3" - <<PY 2>/dev/null
import sys, torch
sys.exit(0 if torch.__version__.split("+")[0] == "$TORCH_VERSION" else 1)
PY
}

if ! have_torch; then
  echo "learnkit: installing torch==$TORCH_VERSION into $venv (first run only; ~5 GB, a few minutes)" >&2
  python3 -m venv "$venv"
  # The wheels are ~5 GB unpacked; without a cache pip needs that once, not twice.
  free_kb=$(df -Pk "$(dirname "$venv")" | awk 'NR==2 {print $4}')
  if [ -n "$free_kb" ] && [ "$free_kb" -lt 7000000 ]; then
    echo "learnkit: torch needs about 7 GB free next to $venv; $((free_kb / 1024)) MB are" >&2
    exit 1
  fi
  "$venv/bin/python3" -m pip install --quiet --no-cache-dir --disable-pip-version-check "torch==$TORCH_VERSION" numpy
  have_torch || { echo "learnkit: torch $TORCH_VERSION did not install into $venv" >&2; exit 1; }
fi

torch_lib=$("$venv/bin/python3" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
export PATH="$venv/bin:$PATH"
export LIBTORCH_USE_PYTORCH=1
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# Small MLPs gain nothing from a second intra-op thread and collapse when a core is busy.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec "$@"
