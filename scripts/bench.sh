#!/usr/bin/env bash
# Benchmark of `candor analyze` on generated 720p30 H.264/AAC interviews with
# a face on camera: the listening half alone (decode + audio analysis +
# transcription + content analysis) and the full pass (plus vision).
#
#   scripts/bench.sh                  # the 10-minute file
#   scripts/bench.sh 10 60            # 10- and 60-minute files (RSS flatness)
#   scripts/bench.sh --model base 10  # another Whisper model (default: candor's)
#
# Each file is analysed twice: listening only (`--no-video`) and the full pass.
# Prints wall time, real-time factor, peak RSS and candor's per-stage times.
# Fixtures are cached in out/bench/ (the 60-minute one takes a while to make).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
cargo build --release -p candor
mkdir -p out/bench

model_flags=()
if [ "${1:-}" = --model ]; then
  model_flags=(--model "$2")
  shift 2
fi
minutes_list=("${@:-10}")
for minutes in "${minutes_list[@]}"; do
  media="out/bench/interview-${minutes}min-face.mp4"
  [ -f "$media" ] ||
    python3 scripts/make-interview.py "$media" --minutes "$minutes" --video 1280x720@30 --face astronaut
  for mode in listen full; do
  log="out/bench/run-${minutes}min-$mode.log"
  flags=(); [ "$mode" = listen ] && flags=(--no-video)
  /usr/bin/time -v "$CARGO_TARGET_DIR/release/candor" -v analyze "$media" "${flags[@]}" "${model_flags[@]}" \
    --format json --out "out/bench/report-${minutes}min-$mode.json" 2>"$log"
  python3 - "$log" "$media" "$mode" <<'PY'
import json, re, subprocess, sys
log, media, mode = sys.argv[1:]
text = open(log).read()
wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
wall_s = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
rss_mb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
duration = float(subprocess.check_output(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                          "-of", "csv=p=0", media]).decode())
stages = re.search(r"stage timings (.*)", text)
print(f"{media} ({mode}): {duration/60:.1f} min of media, wall {wall_s:.1f} s, "
      f"{duration/wall_s:.1f}x real time, peak RSS {rss_mb:.0f} MB")
if stages:
    print("  stages:", stages.group(1).strip())
PY
  done
done
