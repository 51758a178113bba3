#!/usr/bin/env bash
# Parallelism benchmark (issue 10 item 4): the whole suite against `kvconform serve` with the
# real service's timing (Self completes in 10 s, a provider fails in 8 s, a cancel lands in
# 3 s; FACTS.md §2), default flags next to `-j 8`, in one run. Prints the wall time, the
# longest scenario (from the JSON report) and their ratio (goal at default flags: <= 1.2).
# Usage: benches/parallel.sh [RUNS] (default 3). Builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --locked -q
bin=$PWD/target/release/kvconform
tmp=$(mktemp -d)
"$bin" serve --addr 127.0.0.1:0 --require-auth --self-delay 10000 --provider-delay 8000 \
  --cancel-delay 3000 >"$tmp/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do grep -qo 'http://127.0.0.1:[0-9]*' "$tmp/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/serve.log" | head -1)
export KVCONFORM_BENCH_TOKEN=any
echo "| flags | run | wall s | longest scenario s | wall / longest | requests | verdict |"
echo "|---|---|---|---|---|---|---|"
for i in $(seq "$runs"); do
  for flags in "" "-j 8"; do
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    "$bin" run --target "$url" --token-env KVCONFORM_BENCH_TOKEN -q --timings $flags \
      --json "$tmp/r.json" >"$tmp/out.txt" 2>&1 || true
    end=$(date +%s%N)
    python3 - "$tmp/r.json" "$(( (end - start) / 1000000 ))" "${flags:-default}" "$i" \
      "$(grep -o 'http: [0-9]* requests' "$tmp/out.txt" | grep -o '[0-9]*')" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
wall = int(sys.argv[2]) / 1000
longest = max(s["duration_ms"] for s in report["scenarios"]) / 1000
s = report["summary"]
verdict = f"{s.get('passed')} passed, {s.get('failed')} failed"
print(f"| {sys.argv[3]} | {sys.argv[4]} | {wall:.2f} | {longest:.2f} | {wall/longest:.2f} | {sys.argv[5]} | {verdict} |")
PY
  done
done
