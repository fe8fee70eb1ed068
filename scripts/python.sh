#!/usr/bin/env bash
# The Python package (python/): install it for a user, or build and test it.
#
#   scripts/python.sh install   # a fresh virtual environment (.venv-python, or $LEARNKIT_PY_VENV)
#                               # with learnkit built from this checkout (release) and installed
#   scripts/python.sh test      # builds the extension (maturin develop) into the project's
#                               # .venv (or $LEARNKIT_VENV) and runs python/tests with pytest
#   scripts/python.sh bench     # a release build into .venv, then benches/python_side_by_side.py
#
# Needs python3 (3.10 or newer) with venv, and cargo. Everything else comes from PyPI.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pip_quiet=(--quiet --no-cache-dir --disable-pip-version-check)
# The versions the test suite and docs/python.md are checked against.
TEST_DEPS=("maturin>=1.9,<2" "scikit-learn==1.9.1" "gymnasium==1.4.0" pytest joblib pandas polars "pyarrow==26.0.1")

case "${1:-}" in
  install)
    venv="${LEARNKIT_PY_VENV:-$root/.venv-python}"
    [ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
    "$venv/bin/python3" -m pip install "${pip_quiet[@]}" --upgrade pip
    # pip builds the wheel with maturin (the pyproject's build backend), in release mode.
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" \
      "$venv/bin/python3" -m pip install "${pip_quiet[@]}" "$root/python[gym]"
    "$venv/bin/python3" -c 'import learnkit; print("learnkit", learnkit.__version__, "installed in '"$venv"'")'
    echo "activate it with: source $venv/bin/activate" >&2
    ;;
  test)
    venv="${LEARNKIT_VENV:-$root/.venv}"
    [ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
    "$venv/bin/python3" -m pip install "${pip_quiet[@]}" "${TEST_DEPS[@]}"
    export VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH"
    # With torch in the environment (scripts/with-torch.sh provisions it and sets
    # LIBTORCH_USE_PYTORCH), the DQN is built and tested too.
    features=()
    if [ "${LIBTORCH_USE_PYTORCH:-}" = 1 ] && "$venv/bin/python3" -c 'import torch' 2>/dev/null; then
      features=(--features dqn)
    fi
    (cd "$root/python" && maturin develop --quiet "${features[@]}")
    cd "$root"
    "$venv/bin/python3" -m pytest python/tests -q -p no:cacheprovider "${@:2}"
    ;;
  bench)
    # benches/python_side_by_side.py against a release build of the package.
    venv="${LEARNKIT_VENV:-$root/.venv}"
    [ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
    "$venv/bin/python3" -m pip install "${pip_quiet[@]}" "${TEST_DEPS[@]}" threadpoolctl "lightgbm==4.7.0" "xgboost==3.1.2"
    export VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH"
    (cd "$root/python" && maturin develop --release --quiet)
    cd "$root"
    "$venv/bin/python3" benches/python_side_by_side.py "${@:2}"
    ;;
  *)
    echo "usage: scripts/python.sh install|test|bench [arguments]" >&2
    exit 2
    ;;
esac
