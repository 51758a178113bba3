#!/usr/bin/env bash
# `--api-version all` (9 versions at once) next to one version, against the embedded vault,
# side by side in one hyperfine run (issue 12: about one version's time x 9, or less).
# Usage: benches/api_versions.sh [RUNS] (default 5). Builds release; needs hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
. benches/common.sh
need_hyperfine
cargo build --release --locked -q
bin=$PWD/target/release/kvconform
json=$(mktemp)
trap 'rm -f "$json"' EXIT
hyperfine -N --warmup 1 --runs "$runs" --style none --export-json "$json" \
  -n 'one version (2025-07-01)' "$bin run -q" \
  -n 'all 9 versions (--api-version all)' "$bin run -q --api-version all"
python3 - "$json" <<'PY'
import json, statistics, sys
one, every = (statistics.median(r["times"]) for r in json.load(open(sys.argv[1]))["results"])
print(f"one version: median {one*1000:.0f} ms; all 9: median {every*1000:.0f} ms "
      f"= {every/one:.2f} x one version (goal <= 9)")
PY
