#!/usr/bin/env bash
# The quick start: set up, build candor, make a sample interview recording
# and print candor's report of it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

cargo build --release -p candor
mkdir -p out
[ -f out/sample-interview.mp4 ] ||
  python3 scripts/make-interview.py out/sample-interview.mp4 --video 1280x720@30 --face astronaut
"$CARGO_TARGET_DIR/release/candor" analyze out/sample-interview.mp4 "$@"
