#!/usr/bin/env bash
# Longer fuzzing runs of the CSV and map parsers with cargo-fuzz (libFuzzer).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     # default 60
#
# Needs nightly Rust (rustup toolchain install nightly) and cargo-fuzz (cargo install
# cargo-fuzz). Without them it says so and exits 0: CI runs the bounded property tests of
# tests/common_checks.rs instead; this is for local runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-60}"
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "fuzz: no nightly toolchain; skipping (rustup toolchain install nightly)"; exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: cargo-fuzz is not installed; skipping (cargo install cargo-fuzz)"; exit 0
fi
for target in csv map; do
  echo "fuzz: $target for ${seconds}s"
  cargo +nightly fuzz run --fuzz-dir fuzz "$target" -- -max_total_time="$seconds"
done
