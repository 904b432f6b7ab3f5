#!/usr/bin/env bash
# Set up everything the tests need, then run every check CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

cargo fmt --all --check
cargo clippy --release --workspace --all-targets -- -D warnings
cargo nextest run --release --workspace --no-fail-fast
scripts/schemathesis.sh
