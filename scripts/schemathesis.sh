#!/usr/bin/env bash
# The API against its own contract: starts a real `candor serve` (SQLite and
# a local store in a temporary directory, port 0), creates a key with every
# scope, and runs Schemathesis (PyPI; scripts/setup.sh installs it) with all
# of its checks on the live /openapi.json. Any failure exits non-zero.
#
#   scripts/schemathesis.sh [extra `schemathesis run` options…]
#
# Bounded to a minute or two: few examples per operation, a time budget for
# the whole run, two workers. SCHEMATHESIS_MAX_EXAMPLES and
# SCHEMATHESIS_MAX_TIME (seconds) raise it for a longer hunt; a run writes
# its JUnit report and a pytest file reproducing each failure under
# $CARGO_TARGET_DIR/schemathesis.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

# The whole workspace's binaries: the feature set of the nextest build before
# it, so nothing is compiled again (one package alone unifies features
# differently and rebuilds half the tree).
cargo build --release --quiet --workspace --bins
candor="$CARGO_TARGET_DIR/release/candor"
python3 -m schemathesis.cli --version >/dev/null || {
  echo "schemathesis: not installed (scripts/setup.sh installs it)" >&2
  exit 1
}

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # A graceful shutdown with no job running takes well under a second.
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work/objects"
export DATABASE_URL="sqlite://$work/candor.db?mode=rwc"
export CANDOR_STORE_DIR="$work/objects"
export ENVIRONMENT=development
export CANDOR_BIND=127.0.0.1:0
# /metrics takes this token (not an API key); the run presents it there.
export CANDOR_METRICS_TOKEN="schemathesis-metrics-$RANDOM$RANDOM$RANDOM"
# Thousands of requests a minute from one key: the limiter must not turn the
# run into a test of 429s (it is documented, and answered, all the same).
export CANDOR_RATE_LIMIT_PER_MINUTE=1000000
export CANDOR_RATE_LIMIT_BURST=100000
export CANDOR_URL_SECRET="schemathesis-urls-$RANDOM$RANDOM$RANDOM"
# A fuzzed upload whose first bytes pass for media is queued and analyzed
# for real (and fails fast); one slot keeps that off the run's back.
export MAX_CONCURRENT_JOBS=1
export RUST_LOG="${RUST_LOG:-warn}"

key="$("$candor" keys create --tenant ops --scopes submit,read,admin,operator,practice | grep -o 'cnd_[0-9A-Za-z]*' | head -n1)"
[ -n "$key" ] || { echo "schemathesis: no key from candor keys create" >&2; exit 1; }

"$candor" serve >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
url=""
for _ in $(seq 300); do
  url="$(grep -o 'http://[0-9.:]*' "$work/serve.out" 2>/dev/null | head -n1 || true)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "schemathesis: candor serve did not start:" >&2
  cat "$work/serve.err" >&2
  exit 1
fi
echo "schemathesis: candor serve at $url" >&2

# Credentials by security scheme, as the document declares them: the API key
# for `bearer` (Authorization: Bearer) and `api_key` (X-API-Key), and the
# metrics token for `/metrics`, whose `metrics_token` scheme is not an API
# key (a global `-H "Authorization: Bearer <key>"` would send the key there
# too and leave /metrics tested only for its 401).
#
# POST /api/v1/interviews: a request can match the schema and still be
# refused, because what makes it acceptable is state and content no schema
# can state: media_key must name an object the tenant owns (400
# media_not_found), an upload must be a real recording (415), a
# callback_url needs a webhook secret first (400). Its positive-data check
# therefore also takes 400 and 415; every other check applies as is.
#
# A request that breaks the schema may also be refused with 413
# payload_too_large: a generated body can be both schema-violating and
# over the 64-KiB JSON limit, and the size check comes first. 413 is a
# rejection like 400, so the negative-data check takes it everywhere.
#
# Left to warnings, not failures: GET /api/v1/interviews/{id}/media answers
# only 403 here, since its URL is signed by the server (the interview's
# media_url) and no generated `sig` is valid; and the routes of one
# interview or job mostly answer 404, since a generated id names none.
export SCHEMATHESIS_KEY="$key"
cat >"$work/schemathesis.toml" <<'TOML'
[auth.openapi.bearer]
bearer = "${SCHEMATHESIS_KEY}"

[auth.openapi.api_key]
api_key = "${SCHEMATHESIS_KEY}"

[auth.openapi.metrics_token]
bearer = "${CANDOR_METRICS_TOKEN}"

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]

[[operations]]
include-name = "POST /api/v1/interviews"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "415", "429"]
TOML

report_dir="$CARGO_TARGET_DIR/schemathesis"
rm -rf "$report_dir"
run() {
  status=0
  started=$SECONDS
  # From the temporary directory: Schemathesis keeps a cache in the working
  # directory.
  (cd "$work" && python3 -m schemathesis.cli --config-file "$work/schemathesis.toml" run "$url/openapi.json" \
    --checks all \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-20}" \
    --max-time "${SCHEMATHESIS_MAX_TIME:-75}" \
    --workers 2 \
    --request-timeout 10 \
    --generation-database none \
    --no-color \
    --report junit,pytest --report-dir "$report_dir" \
    "$@") 2>&1 | tee "$work/run.log" || status=${PIPESTATUS[0]}
  echo "schemathesis: exit $status after $((SECONDS - started)) s" >&2
}
run "$@"
# A crash inside Schemathesis itself (a "Runtime Error", e.g. CPython 3.11's
# "AST constructor recursion depth mismatch" while Hypothesis describes a
# lambda) says nothing about the API: with no check failing, run once more.
if [ "$status" != 0 ] && grep -q "Runtime Error" "$work/run.log" && ! grep -qE "^Failures:|= FAILURES =" "$work/run.log"; then
  echo "schemathesis: an internal error of Schemathesis, no check failed; running once more" >&2
  run "$@"
fi
if [ "$status" != 0 ]; then
  echo "schemathesis: failures; reports in $report_dir; the server's log ends:" >&2
  tail -n 20 "$work/serve.err" >&2
fi
exit "$status"
