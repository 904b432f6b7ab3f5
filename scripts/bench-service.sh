#!/usr/bin/env bash
# Benchmark of the service on loopback, against MariaDB and a local store:
#   1. wrk on /health/live and /api/v1/queue/status: throughput and p99;
#   2. submit -> a worker starting the job (wake-on-submit), from the job rows;
#   2b. the same when the job must go to another process: one `serve` whose
#      own workers claim nothing and two `candor worker` processes, which
#      learn of the job by probing the queue (QUEUE_PROBE_INTERVAL); and
#      their idle query rate;
#   3. a batch of short recordings through one worker process, then two.
#
#   scripts/bench-service.sh
#
# Uses the database candor_bench on mysql://root@127.0.0.1:3306 (recreated).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
command -v wrk >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}
cargo build --release -p candor
bin="$CARGO_TARGET_DIR/release/candor"
mkdir -p out/bench-service
work="$(mktemp -d)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

sql() { mariadb -h 127.0.0.1 -u root -N -e "$1"; }
fresh_database() {
  sql "DROP DATABASE IF EXISTS candor_bench; CREATE DATABASE candor_bench"
  rm -rf "$work/objects"
}
export DATABASE_URL=mysql://root@127.0.0.1:3306/candor_bench
export CANDOR_STORE_DIR="$work/objects"
export CANDOR_WHISPER_MODEL=tiny.en  # the numbers in the README were measured with it
# The per-key rate limit (60/min by default) would cap wrk at once.
export CANDOR_RATE_LIMIT_PER_MINUTE=100000000 CANDOR_RATE_LIMIT_BURST=100000000
export RUST_LOG=warn

# Starts `candor serve` (plus the env assignments given) and sets $url.
start_api() {
  env "$@" "$bin" serve --bind 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
  pids+=($!)
  for _ in $(seq 100); do
    url="$(grep -o 'http://[0-9.:]*' "$work/serve.out" || true)"
    [ -n "$url" ] && return
    sleep 0.1
  done
  echo "candor serve did not start: $(cat "$work/serve.log")" >&2
  exit 1
}

# Uploads each file given; prints nothing.
submit() {
  for f in "$@"; do
    curl -sf -H "Authorization: Bearer $key" -F "file=@$f" "$url/api/v1/interviews" >/dev/null
  done
}

wait_all_done() {
  local want=$1
  while [ "$(sql "SELECT COUNT(*) FROM candor_bench.jobs WHERE kind='analyze' AND state='completed'")" -lt "$want" ]; do
    sleep 0.2
  done
}

short="out/bench-service/answer-20s.mp4"
[ -f "$short" ] ||
  python3 scripts/make-interview.py "$short" --sentences 4 --video 640x360@25 --face astronaut >/dev/null

echo "== 1. HTTP throughput (wrk, 2 threads, 64 connections, 10 s)"
fresh_database
key="$("$bin" keys create --tenant bench --scopes submit,read,admin,operator)"
start_api
for path in /health/live /api/v1/queue/status; do
  wrk -t2 -c64 -d10s --latency -H "Authorization: Bearer $key" "$url$path" \
    >"out/bench-service/wrk-${path//\//_}.txt"
  rps="$(awk '/Requests\/sec/ {print $2}' "out/bench-service/wrk-${path//\//_}.txt")"
  p99="$(awk '$1 == "99%" {print $2}' "out/bench-service/wrk-${path//\//_}.txt")"
  echo "  $path: $rps requests/s, p99 $p99"
done

echo "== 2. submit -> worker start (one at a time, idle worker)"
for _ in $(seq 10); do
  before="$(sql "SELECT COUNT(*) FROM candor_bench.jobs WHERE state='completed'")"
  submit "$short"
  wait_all_done $((before + 1))
done
sql "SELECT started_at - created_at FROM candor_bench.jobs WHERE kind='analyze' ORDER BY id" |
  python3 -c '
import statistics, sys
ms = sorted(int(x) for x in sys.stdin.read().split())
print(f"  {len(ms)} jobs: median {statistics.median(ms):.0f} ms, max {ms[-1]} ms (target < 200 ms)")'
kill "${pids[@]}"; wait 2>/dev/null || true; pids=()

echo "== 2b. submit -> start on another process (one serve, two workers; 20 one at a time)"
fresh_database
key="$("$bin" keys create --tenant bench --scopes submit,read,admin,operator)"
# MAX_CONCURRENT_JOBS must be at least 1: the memory throttle keeps the
# API's own pools from claiming.
start_api MEMORY_THRESHOLD=0
for n in 1 2; do
  QUEUE_CHECK_INTERVAL=30 "$bin" worker >/dev/null 2>"$work/worker-$n.log" &
  pids+=($!)
done
sleep 2
# Idle: every SELECT the server runs for 10 s (server-wide, so run this
# benchmark alone); each worker process has two pools (analysis, webhooks)
# probing while idle.
selects() { mariadb -h 127.0.0.1 -u root -N -e "SHOW GLOBAL STATUS LIKE 'Com_select'" | awk '{print $2}'; }
s0="$(selects)"; sleep 10; s1="$(selects)"
python3 -c "import sys; print(f'  idle: {(int(sys.argv[2]) - int(sys.argv[1])) / 10:.1f} SELECTs/s on the server (one serve, two workers)')" "$s0" "$s1"
submits=20
for n in $(seq $submits); do
  submit "$short"
  wait_all_done "$n"
  sleep "$(printf '0.%03d' $(( (n * 173) % 500 )))"
done
sql "SELECT started_at - created_at FROM candor_bench.jobs WHERE kind='analyze' ORDER BY id" |
  python3 -c '
import statistics, sys
ms = sorted(int(x) for x in sys.stdin.read().split())
print(f"  {len(ms)} jobs: median {statistics.median(ms):.0f} ms, max {ms[-1]} ms (target < 1000 ms)")'
kill "${pids[@]}"; wait 2>/dev/null || true; pids=()

batch=8
for workers in 1 2; do
  echo "== 3. $batch recordings, $workers worker process(es) of one job each"
  fresh_database
  key="$("$bin" keys create --tenant bench --scopes submit,read,admin,operator)"
  start_api MAX_CONCURRENT_JOBS=1
  if [ "$workers" = 2 ]; then
    MAX_CONCURRENT_JOBS=1 "$bin" worker >/dev/null 2>"$work/worker.log" &
    pids+=($!)
  fi
  started=$(date +%s.%N)
  submit $(for _ in $(seq $batch); do echo "$short"; done)
  wait_all_done $batch
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'  {s:.1f} s for $batch ({s/$batch:.2f} s a recording)')" \
    "$started" "$(date +%s.%N)"
  kill "${pids[@]}"; wait 2>/dev/null || true; pids=()
done
sql "DROP DATABASE candor_bench"
