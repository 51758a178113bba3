#!/usr/bin/env bash
# Polling benchmark (issue 10 item 3): the 8 flows of the issue against
# `kvconform serve --self-delay 400 --provider-delay 400 --cancel-delay 100`, side by side in
# one hyperfine run: kvconform with default flags, with `--max-poll-interval 100`, and the
# target's own floor (its slowest operation: a Self create polled until it completes, timed
# by this script with curl and 5 ms polls). Hurl is not in Debian, so it is not compared;
# the floor is what a hand-tuned client reaches at best.
# Usage: benches/polling.sh [RUNS] (default 20). Builds the release binary; needs hyperfine
# (installed from Debian if missing when run as root) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
. benches/common.sh
need_hyperfine
cargo build --release --locked -q
bin=$PWD/target/release/kvconform
log=$(mktemp)
"$bin" serve --addr 127.0.0.1:0 --self-delay 400 --provider-delay 400 --cancel-delay 100 >"$log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -qo 'http://127.0.0.1:[0-9]*' "$log" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1)
flows="create::manual-unknown conflict::create-while-manual cancel::in-progress-manual
  delete::in-progress-manual merge::with-provider-issuer polling::self-completed merge::no-pending
  merge::garbage"
run="$bin run --target $url --auth none -q --exact $(echo $flows)"
# The floor: create a Self certificate and poll its operation every 5 ms until it completes.
floor=$(mktemp)
cat >"$floor" <<SH
n=floor-\$RANDOM\$RANDOM
curl -sf -o /dev/null -X POST -H content-type:application/json \\
  -d '{"policy":{"x509_props":{"subject":"CN=f"},"issuer":{"name":"Self"}}}' \\
  "$url/certificates/\$n/create?api-version=7.6"
until curl -sf "$url/certificates/\$n/pending?api-version=7.6" | grep -q '"completed"'; do
  sleep 0.005
done
SH
trap 'kill $serve 2>/dev/null; rm -f "$log" "$floor"' EXIT
json=$(mktemp)
trap 'kill $serve 2>/dev/null; rm -f "$log" "$floor" "$json"' EXIT
hyperfine -N --warmup 2 --runs "$runs" --style none --export-json "$json" \
  -n 'target floor: one Self create polled every 5 ms by curl' "bash $floor" \
  -n 'kvconform run, default flags' "$run" \
  -n 'kvconform run --max-poll-interval 100' "$run --max-poll-interval 100"
python3 - "$json" "$runs" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
need = 0.400
print(f"8 flows, {sys.argv[2]} runs each, one hyperfine run; the target needs {need*1000:.0f} ms")
print("| command | median ms | min ms | max ms | median / 400 ms | median / floor |")
print("|---|---|---|---|---|---|")
floor = statistics.median(results[0]["times"])
for r in results:
    t = r["times"]; m = statistics.median(t)
    print(f"| {r['command']} | {m*1000:.0f} | {min(t)*1000:.0f} | {max(t)*1000:.0f} | {m/need:.2f}× | {m/floor:.2f}× |")
PY
