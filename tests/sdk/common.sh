# Sourced by tests/sdk/run*.sh (from the repository root): the kvconform
# binary and one `kvconform serve --tls --require-auth` on a free loopback port.
# shellcheck shell=bash

export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
target_dir=${CARGO_TARGET_DIR:-target}

# Sets $bin: KVCONFORM_BIN, or target/release/kvconform (cargo is a no-op when fresh).
sdk_binary() {
  bin=${KVCONFORM_BIN:-}
  if [ -n "$bin" ]; then return; fi
  if [ "${CI:-}" != "" ] && [ -x "$target_dir/release/kvconform" ]; then
    bin="$target_dir/release/kvconform"   # .ci/run has just built it
  else
    timeout 1800 cargo build --release --locked --quiet
    bin="$target_dir/release/kvconform"
  fi
}

# Starts the server and sets $url, $token, $server_pid, $server_tmp ($server_tmp/ca.pem is its CA,
# $server_tmp/stderr its log), and $identity_endpoint/$identity_header (--identity: the vault
# accepts $token and the tokens of its managed-identity endpoint). The server is stopped and $server_tmp removed on any exit.
# Self-issued operations complete after 300 ms (the JS test polls one to completion); provider
# operations stay in progress for the whole run (both tests merge into one and expect 403).
sdk_serve() {
  token="kvconform-sdk-$RANDOM$RANDOM"
  server_tmp=$(mktemp -d)
  server_pid=""
  trap sdk_cleanup EXIT
  trap 'exit 130' INT TERM
  # shellcheck disable=SC2086  # KVCONFORM_SERVE_ARGS is a list of arguments
  "$bin" serve --addr 127.0.0.1:0 --tls --ca-out "$server_tmp/ca.pem" --require-auth --token "$token" \
    --identity --self-delay 300 --provider-delay 600000 ${KVCONFORM_SERVE_ARGS:-} \
    >"$server_tmp/stdout" 2>"$server_tmp/stderr" &
  server_pid=$!
  url=""
  local line
  for _ in $(seq 1 300); do
    line=$(head -n 1 "$server_tmp/stdout" 2>/dev/null || true)
    case "$line" in
      "listening on "*)
        url=${line#listening on }
        identity_endpoint=$(sed -n 's/^export IDENTITY_ENDPOINT=//p' "$server_tmp/stdout")
        identity_header=$(sed -n 's/^export IDENTITY_HEADER=//p' "$server_tmp/stdout")
        if [ -n "$identity_header" ]; then break; fi ;;
    esac
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -z "$url" ]; then
    say "FAILED: kvconform serve did not print its banner"
    cat "$server_tmp/stderr" >&2
    exit 1
  fi
}

# The server the caller named (KVCONFORM_SDK_URL, _CA, _TOKEN: run.sh's own), or one of our
# own; sets $url, $ca and $token.
sdk_server() {
  if [ -n "${KVCONFORM_SDK_URL:-}" ]; then
    url=$KVCONFORM_SDK_URL ca=$KVCONFORM_SDK_CA token=$KVCONFORM_SDK_TOKEN
  else
    sdk_binary
    sdk_serve
    ca=$server_tmp/ca.pem
  fi
}

# A client's last lines from $status and $started: the server's log when it failed (if the
# server is ours), the verdict for the client named $1, and the exit.
sdk_finish() {
  if [ "$status" -ne 0 ] && [ -n "${server_tmp:-}" ]; then
    say "server stderr:"
    cat "$server_tmp/stderr" >&2
  fi
  say "$1: $([ "$status" -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - started)) s"
  exit "$status"
}

sdk_cleanup() {
  if [ -n "${server_pid:-}" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "${server_tmp:-}" ]; then rm -rf "$server_tmp"; fi
}
