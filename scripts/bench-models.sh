#!/usr/bin/env bash
# Which Whisper model: accuracy on real speech and cost on a long interview.
#
#   scripts/bench-models.sh                 # tiny.en and base
#   scripts/bench-models.sh base            # one model
#   SKIP_INTERVIEW=1 scripts/bench-models.sh   # word error rates only
#
# 1. Word error rate on the five LibriVox clips Debian ships in
#    `pocketsphinx-testdata` (Sense and Sensibility, read by a volunteer;
#    references in its `transcription` file), through `candor analyze`, and
#    through faster-whisper (PyPI, pinned) with the same model directory and
#    the same English disfluency prompt, which tells a driver fault from a
#    model's limits.
# 2. `scripts/bench.sh --model M 10`: transcription time, full-pass time and
#    peak RSS on the generated 10-minute 720p interview.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
models=("${@:-tiny.en base}")
read -r -a models <<<"${models[*]}"

clips=/usr/share/pocketsphinx/test/data/librivox
if [ ! -f "$clips/transcription" ]; then
  apt-get install -y -qq pocketsphinx-testdata >/dev/null
fi
python3 -c 'import faster_whisper' 2>/dev/null ||
  python3 -m pip install --quiet 'faster-whisper==1.1.1' 'ctranslate2==4.8.4'
cargo build --release --quiet -p candor
mkdir -p out/bench

for model in "${models[@]}"; do
  dir="$("$CARGO_TARGET_DIR/release/candor" models path "$model")"
  for wav in "$clips"/*.wav; do
    "$CARGO_TARGET_DIR/release/candor" -q analyze "$wav" --model "$model" --no-video \
      --format json --out "out/bench/librivox-$model-$(basename "$wav" .wav).json"
  done
  "$CARGO_TARGET_DIR/release/candor" config >out/bench/config.toml
  python3 - "$clips" "$model" "$dir" out/bench/config.toml <<'PY'
import json, os, re, sys, tomllib
clips, model, model_dir, config = sys.argv[1:]

def words(text):
    text = text.lower().replace("-", " ")
    text = re.sub(r"[^a-z' ]", " ", text)
    return ["mister" if w == "mr" else w for w in text.split()]

def errors(ref, hyp):
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]

refs = {}
for line in open(os.path.join(clips, "transcription")):
    text, clip = re.match(r"<s>(.*)</s> \((.*)\)", line.strip()).groups()
    refs[clip] = words(text)

from faster_whisper import WhisperModel
fw = WhisperModel(model_dir, device="cpu", compute_type="int8")
# Candor's own English prompt, as its defaults give it.
prompt = tomllib.load(open(config, "rb"))["transcribe"]["disfluency_prompts"]["en"]
total = {"candor": 0, "faster-whisper": 0}
n = 0
for clip, ref in sorted(refs.items()):
    report = json.load(open(f"out/bench/librivox-{model}-{clip}.json"))
    ours = words(" ".join(s["text"] for s in report["transcript"]["segments"]))
    segments, _ = fw.transcribe(os.path.join(clips, clip + ".wav"), language="en",
                                initial_prompt=prompt, word_timestamps=True)
    theirs = words(" ".join(s.text for s in segments))
    n += len(ref)
    total["candor"] += errors(ref, ours)
    total["faster-whisper"] += errors(ref, theirs)
    if errors(ref, ours):
        print(f"  {model} {clip}: {' '.join(ours)}")
print(f"{model}: LibriVox WER candor {total['candor'] / n:.3f}, "
      f"faster-whisper {total['faster-whisper'] / n:.3f} ({n} words)")
PY
  [ -n "${SKIP_INTERVIEW:-}" ] || scripts/bench.sh --model "$model" 10
done
