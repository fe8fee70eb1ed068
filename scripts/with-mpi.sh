#!/usr/bin/env bash
# Runs a command with an MPI library for learnkit's `mpi` feature.
#
#   scripts/with-mpi.sh cargo test --features mpi
#
# On first use it installs Debian's Open MPI (openmpi-bin, libopenmpi-dev) and libclang-dev
# (the `mpi` crate generates its bindings with bindgen) when they are missing, as root or
# through sudo. It lets Open MPI's mpirun run as root (CI and containers run as root) and
# runs the command.
set -euo pipefail

need=()
command -v mpicc >/dev/null 2>&1 || need+=(openmpi-bin libopenmpi-dev)
command -v mpirun >/dev/null 2>&1 || need+=(openmpi-bin)
compgen -G '/usr/lib/llvm-*/lib/libclang*.so*' >/dev/null || need+=(libclang-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "learnkit: the mpi feature needs ${need[*]}: install them (Debian: apt-get install ${need[*]})" >&2
      exit 1
    fi
    sudo=sudo
  fi
  echo "learnkit: installing ${need[*]} (first run only; about a minute)" >&2
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
exec "$@"
