#!/usr/bin/env bash
# Benchmark of the reference vault: `kvconform serve` (release build) on loopback.
#
#   benches/vault.sh [get|create|rss|all]        (default: all; about two minutes)
#
# get     GET pending throughput and latency with wrk (Debian package `wrk`; installed with
#         apt-get when missing and running as root): DURATION, THREADS, CONNECTIONS.
# create  creates/s with RSA-2048 keys (the default key_props) from benches/vault_load.rs:
#         CREATES operations at CONCURRENCY, with no key pool, with the default pool (8) and
#         with a pool of BIG_POOL keys (filled before measuring); NOPOOL_CREATES without a pool.
# rss     VmRSS of the server before and after OPS pending operations (EC P-256 keys).
#
# Everything runs against 127.0.0.1 and is bounded in count and time. It measures and
# prints; it asserts nothing (the goals are in the README).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
CREATES=${CREATES:-400}
NOPOOL_CREATES=${NOPOOL_CREATES:-100}
CONCURRENCY=${CONCURRENCY:-16}
BIG_POOL=${BIG_POOL:-$CREATES}
OPS=${OPS:-10000}
TOKEN=bench
what=${1:-all}

target_dir=${CARGO_TARGET_DIR:-target}
tmp=$(mktemp -d)
server_pid=""
summary=()

note() { printf '\n== %s\n' "$*"; }

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap 'stop_server; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Starts `kvconform serve` with the given extra flags; sets url and server_pid.
start_server() {
  stop_server
  "$target_dir/release/kvconform" serve --addr 127.0.0.1:0 --require-auth "$@" \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
  server_pid=$!
  url=""
  for _ in $(seq 1 100); do
    line=$(head -n 1 "$tmp/serve.out" 2>/dev/null || true)
    case "$line" in "listening on "*) url=${line#listening on }; return 0 ;; esac
    sleep 0.1
  done
  echo "kvconform serve did not start:" >&2
  cat "$tmp/serve.err" >&2
  exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Waits until the server has used (almost) no CPU for a second: its key pool is full.
wait_until_idle() {
  local prev cur start=$SECONDS
  prev=$(cpu_ticks "$server_pid")
  while [ $((SECONDS - start)) -lt "$1" ]; do
    sleep 1
    cur=$(cpu_ticks "$server_pid")
    if [ $((cur - prev)) -le 2 ]; then
      echo "key pool filled in about $((SECONDS - start)) s"
      return 0
    fi
    prev=$cur
  done
  echo "the server was still busy after $1 s; measuring anyway"
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }

load() { "$load_bin" --url "$url" --token "$TOKEN" "$@"; }

build() {
  note "build (release)"
  cargo build --release --locked --bin kvconform
  load_bin=$(cargo bench --locked --bench vault_load --no-run --message-format=json 2>/dev/null |
    grep '"name":"vault_load"' | grep -o '"executable":"[^"]*"' | tail -n 1 |
    sed 's/"executable":"\(.*\)"/\1/')
  [ -x "$load_bin" ] || { echo "could not build benches/vault_load.rs" >&2; exit 1; }
  echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

bench_get() {
  if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
    else
      echo "wrk is needed: apt-get install wrk" >&2
      exit 1
    fi
  fi
  note "GET pending: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, one RSA-2048 manual operation"
  start_server --key-pool 0
  load --n 1 --concurrency 1 --prefix get --quiet >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
    -H "Authorization: Bearer $TOKEN" \
    "$url/certificates/get-0/pending?api-version=7.6" | tee "$tmp/wrk.out"
  local rps p99 bad
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$tmp/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.out")
  bad=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk.out")
  summary+=("GET pending: $rps req/s, p99 $p99 (${bad:-0} non-2xx)")
  stop_server
}

bench_create() {
  local line
  note "creates, RSA-2048, no key pool ($NOPOOL_CREATES at concurrency $CONCURRENCY)"
  start_server --key-pool 0
  line=$(load --n "$NOPOOL_CREATES" --concurrency "$CONCURRENCY" --prefix nopool)
  echo "$line"
  summary+=("no pool:            $line")

  note "creates, RSA-2048, default key pool of 8 ($CREATES at concurrency $CONCURRENCY)"
  start_server
  wait_until_idle 60
  line=$(load --n "$CREATES" --concurrency "$CONCURRENCY" --prefix pool8)
  echo "$line"
  summary+=("pool 8 (default):   $line")

  note "creates, RSA-2048, key pool of $BIG_POOL ($CREATES at concurrency $CONCURRENCY)"
  start_server --key-pool "$BIG_POOL"
  wait_until_idle 600
  line=$(load --n "$CREATES" --concurrency "$CONCURRENCY" --prefix pool)
  echo "$line"
  summary+=("pool $BIG_POOL:          $line")
  stop_server
}

bench_rss() {
  note "RSS with $OPS pending operations (EC P-256)"
  start_server --key-pool 0
  load --n 1 --concurrency 1 --kty ec --prefix warm --quiet >/dev/null
  local before after
  before=$(rss_kb)
  load --n "$OPS" --concurrency 32 --kty ec --prefix rss
  after=$(rss_kb)
  local line
  line=$(awk -v b="$before" -v a="$after" -v n="$OPS" \
    'BEGIN {printf "%.1f MB with %d pending ops (%.1f MB idle, %.2f KB per op)", a/1024, n, b/1024, (a-b)/n}')
  echo "$line"
  summary+=("RSS:                $line")
  stop_server
}

build
case "$what" in
  get) bench_get ;;
  create) bench_create ;;
  rss) bench_rss ;;
  all) bench_get; bench_create; bench_rss ;;
  *) echo "usage: benches/vault.sh [get|create|rss|all]" >&2; exit 2 ;;
esac

note "summary ($(nproc) cores, load average now $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%s\n' "${summary[@]}"
