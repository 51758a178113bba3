#!/usr/bin/env bash
# The Azure CLI (azure-cli from PyPI, pinned in tests/sdk/cli/requirements.txt, in a virtualenv
# under target/) against its own `kvconform serve --tls --require-auth --identity`: a custom
# cloud pointing at the vault, `az login --identity`, then the certificate lifecycle
# (tests/sdk/cli/test_cli.py). Prints SKIPPED with the reason (exit 0) when python3 -m venv,
# the install or openssl is unavailable; exits non-zero on any failure. Prints the time taken.
#
#   tests/sdk/run-cli.sh
#   KVCONFORM_SERVE_ARGS="--quirk overwrite-on-create" tests/sdk/run-cli.sh   # must fail
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf 'sdk-cli: %s\n' "$*"; }
# shellcheck source=tests/sdk/common.sh
. tests/sdk/common.sh
started=$SECONDS

venv="$target_dir/cli-venv"
requirements=tests/sdk/cli/requirements.txt
if ! command -v openssl >/dev/null 2>&1; then
  say "SKIPPED: openssl is needed to sign the vault's CSR (not found on PATH)"
  exit 0
fi

# 1. The virtualenv.
stamp="$venv/.requirements"
# Reinstalled when the pins changed, or when the venv no longer runs (a venv holds absolute
# paths: a checkout moved or copied elsewhere leaves scripts pointing at the old place).
if ! cmp -s "$requirements" "$stamp" 2>/dev/null \
  || [[ ! -x $(sed -n '1s/^#!//p' "$venv/bin/az" 2>/dev/null) ]]; then
  say "installing $(grep -v '^#' "$requirements" | tr '\n' ' ')into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    say "SKIPPED: python3 -m venv is not available, the Azure CLI cannot be installed"
    exit 0
  fi
  if ! timeout 900 "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"; then
    say "SKIPPED: pip could not install $(grep -v '^#' "$requirements") from PyPI"
    rm -rf "$venv"
    exit 0
  fi
  cp "$requirements" "$stamp"
fi
say "installed in $((SECONDS - started)) s"

# 2. The binary and the server, with the identity endpoint.
sdk_binary
server_tmp=$(mktemp -d)
server_pid=""
trap sdk_cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck disable=SC2086  # KVCONFORM_SERVE_ARGS is a list of arguments
"$bin" serve --addr 127.0.0.1:0 --tls --ca-out "$server_tmp/ca.pem" --require-auth --identity \
  --self-delay 300 --provider-delay 600000 ${KVCONFORM_SERVE_ARGS:-} \
  >"$server_tmp/stdout" 2>"$server_tmp/stderr" &
server_pid=$!
url="" endpoint="" header=""
for _ in $(seq 1 300); do
  url=$(sed -n 's/^listening on //p' "$server_tmp/stdout" 2>/dev/null || true)
  endpoint=$(sed -n 's/^export IDENTITY_ENDPOINT=//p' "$server_tmp/stdout" 2>/dev/null || true)
  header=$(sed -n 's/^export IDENTITY_HEADER=//p' "$server_tmp/stdout" 2>/dev/null || true)
  if [ -n "$url" ] && [ -n "$endpoint" ] && [ -n "$header" ]; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$url" ] || [ -z "$endpoint" ] || [ -z "$header" ]; then
  say "FAILED: kvconform serve --identity did not print its banner"
  cat "$server_tmp/stdout" "$server_tmp/stderr" >&2
  exit 1
fi
say "server $url, identity endpoint $endpoint"

# 3. The test, time-bounded.
status=0
timeout 600 "$venv/bin/python" tests/sdk/cli/test_cli.py --az "$venv/bin/az" --vault-url "$url" \
  --ca "$server_tmp/ca.pem" --identity-endpoint "$endpoint" --identity-header "$header" || status=$?
if [ "$status" -ne 0 ]; then
  say "FAILED (exit $status); server stderr:"
  cat "$server_tmp/stderr" >&2
fi
say "time: $((SECONDS - started)) s"
exit "$status"
