#!/usr/bin/env bash
# The real Azure Python SDK (azure-keyvault-certificates, pinned in requirements.txt) against
# `kvconform serve --tls --require-auth`. Needs python3 (with venv) and PyPI; nothing else from
# the network. Exits non-zero on any failure; the server is stopped on every exit.
#
#   tests/sdk/run.sh                 # uses target/release/kvconform, building it if needed
#   KVCONFORM_BIN=path tests/sdk/run.sh
#   KVCONFORM_SERVE_ARGS="--quirk overwrite-on-create" tests/sdk/run.sh   # must fail
set -euo pipefail
cd "$(dirname "$0")/../.."

target_dir=${CARGO_TARGET_DIR:-target}
venv="$target_dir/sdk-venv"
requirements=tests/sdk/requirements.txt
token="kvconform-sdk-$RANDOM$RANDOM"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

say() { printf 'sdk: %s\n' "$*"; }

# 1. The virtualenv, reinstalled only when requirements.txt changes.
stamp="$venv/.requirements"
if ! cmp -s "$requirements" "$stamp" 2>/dev/null; then
  say "creating $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  timeout 600 "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
fi

# 2. The binary: an explicit one, or target/release/kvconform (cargo is a no-op when fresh).
bin=${KVCONFORM_BIN:-}
if [ -z "$bin" ]; then
  if [ "${CI:-}" != "" ] && [ -x "$target_dir/release/kvconform" ]; then
    bin="$target_dir/release/kvconform"   # .ci/run has just built it
  else
    timeout 1800 cargo build --release --locked --quiet
    bin="$target_dir/release/kvconform"
  fi
fi

# 3. The server, on a free loopback port, stopped on any exit.
tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin" serve --addr 127.0.0.1:0 --tls --ca-out "$tmp/ca.pem" --require-auth --token "$token" \
  --provider-delay 600000 ${KVCONFORM_SERVE_ARGS:-} >"$tmp/stdout" 2>"$tmp/stderr" &
server_pid=$!

url=""
for _ in $(seq 1 300); do
  line=$(head -n 1 "$tmp/stdout" 2>/dev/null || true)
  case "$line" in
    "listening on "*) url=${line#listening on }; break ;;
  esac
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$url" ]; then
  say "FAILED: kvconform serve did not print its banner"
  cat "$tmp/stderr" >&2
  exit 1
fi
say "server $url (pid $server_pid), SDK $(grep -i '^azure-keyvault-certificates' "$requirements")"

# 4. The test, time-bounded.
status=0
timeout 300 "$venv/bin/python" tests/sdk/test_python_sdk.py --url "$url" --ca "$tmp/ca.pem" --token "$token" || status=$?
if [ "$status" -ne 0 ]; then
  say "FAILED (exit $status); server stderr:"
  cat "$tmp/stderr" >&2
fi
exit "$status"
