#!/usr/bin/env bash
# Whole-suite wall time against the embedded reference vault, process start included.
# Usage: benches/suite.sh [RUNS]   (default 10). Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
cargo build --release --locked -q
bin=target/release/kvconform
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$bin" run -q >/dev/null
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
min=$(echo "$sorted" | head -1)
max=$(echo "$sorted" | tail -1)
median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
echo "whole suite, ${runs} runs: min ${min} ms, median ${median} ms, max ${max} ms (goal <= 1000 ms)"
echo "breakdown of one run:"
"$bin" run -q --timings | grep -E '^timings|^  (http|checks|local)'
