#!/usr/bin/env bash
# Benchmark of the HTML report of a long recording: its size, the time to
# render it in Rust, and the time headless Chromium takes to load and paint it.
#
#   scripts/bench-report.sh        # the 60-minute interview of scripts/bench.sh
#   scripts/bench-report.sh 10
#
# The recording and its JSON report are cached in out/bench/ (made by the
# same commands as scripts/bench.sh; the 60-minute analysis takes ~4 min).
# Chromium is driven through ChromeDriver by Selenium (PyPI, installed on
# demand); the page is loaded 5 times from a file:// URL, nothing else open.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
cargo build --release -p candor
minutes="${1:-60}"
candor="$CARGO_TARGET_DIR/release/candor"
mkdir -p out/bench
media="out/bench/interview-${minutes}min-face.mp4"
report="out/bench/report-${minutes}min-full.json"
page="out/bench/report-${minutes}min.html"
[ -f "$media" ] ||
  python3 scripts/make-interview.py "$media" --minutes "$minutes" --video 1280x720@30 --face astronaut
[ -f "$report" ] || "$candor" analyze "$media" --format json --out "$report"

start=$(date +%s.%N)
"$candor" render "$report" --format html --media "$media" --out "$page"
end=$(date +%s.%N)
python3 -c "import sys; print(f'render in Rust: {float(sys.argv[2]) - float(sys.argv[1]):.3f} s (process start included)')" "$start" "$end"

python3 -c 'import selenium' 2>/dev/null || python3 -m pip install --quiet 'selenium==4.*'
python3 - "$page" <<'PY'
import os, statistics, sys, tempfile
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

page = os.path.abspath(sys.argv[1])
print(f"{page}: {os.path.getsize(page):,} bytes")
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--window-size=1280,900", f"--user-data-dir={tempfile.mkdtemp()}"):
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
runs = []
try:
    for _ in range(5):
        driver.get("about:blank")
        driver.get("file://" + page)
        timing = driver.execute_script("""
            const nav = performance.getEntriesByType('navigation')[0];
            const paint = performance.getEntriesByName('first-contentful-paint')[0];
            // The page lays out only the transcript near the screen
            // (content-visibility: auto); time laying out all of it too.
            const style = document.createElement('style');
            style.textContent = '* { content-visibility: visible !important; }';
            const t0 = performance.now();
            document.head.append(style);
            const height = document.body.offsetHeight;
            const fullLayout = performance.now() - t0;
            return [nav.domContentLoadedEventEnd, nav.loadEventEnd, paint ? paint.startTime : null,
                    document.querySelectorAll('[data-t]').length, fullLayout, height];
        """)
        runs.append(timing)
finally:
    driver.quit()
for name, i in (("DOMContentLoaded", 0), ("load", 1), ("first contentful paint", 2),
                ("then laying out the whole page", 4)):
    values = [r[i] for r in runs if r[i] is not None]
    print(f"{name}: median {statistics.median(values):.0f} ms, max {max(values):.0f} ms over {len(values)} loads")
print(f"elements with a timestamp (words, moments): {runs[0][3]:,}; page height {runs[0][5]:,} px")
PY
