#!/usr/bin/env bash
# The real Azure SDKs against one `kvconform serve --tls --require-auth`:
#   - Python: azure-keyvault-certificates (pinned in requirements.txt, in a virtualenv);
#   - JavaScript: @azure/keyvault-certificates (pinned in js/package-lock.json), by run-js.sh,
#     skipped with a message when node or npm is missing;
#   - Go, Java, Rust: azcertificates (go/go.mod), azure-security-keyvault-certificates
#     (java/pom.xml), azure_security_keyvault_certificates (rust/Cargo.toml), by run-go.sh,
#     run-java.sh, run-rust.sh, each skipped with a `SKIPPED:` line when its toolchain or registry
#     is missing.
# Needs python3 (with venv), PyPI, the npm registry, the Go module proxy, Maven Central and
# crates.io; nothing else from the network. Runs every client even when one fails; exits
# non-zero on any failure; the server is stopped on every exit.
#
#   tests/sdk/run.sh                 # uses target/release/kvconform, building it if needed
#   KVCONFORM_BIN=path tests/sdk/run.sh
#   KVCONFORM_SERVE_ARGS="--quirk overwrite-on-create" tests/sdk/run.sh   # must fail
#   tests/sdk/run-js.sh              # the JavaScript SDK alone (its own server)
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf 'sdk: %s\n' "$*"; }
# shellcheck source=tests/sdk/common.sh
. tests/sdk/common.sh

venv="$target_dir/sdk-venv"
requirements=tests/sdk/requirements.txt

# 1. The virtualenv, reinstalled only when requirements.txt changes.
stamp="$venv/.requirements"
if ! cmp -s "$requirements" "$stamp" 2>/dev/null; then
  say "creating $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  timeout 600 "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
fi

# 2. The binary and the server.
sdk_binary
sdk_serve
say "server $url (pid $server_pid), SDK $(grep -i '^azure-keyvault-certificates' "$requirements")"

# 3. The Python test, time-bounded: on the SDK's default api-version, then on 2025-07-01.
py_status=0
for version in default 2025-07-01; do
  started=$SECONDS status=0 pinned=()
  [ "$version" = default ] || pinned=(--api-version "$version")
  say "Python SDK, api-version $version"
  timeout 300 "$venv/bin/python" tests/sdk/test_python_sdk.py --url "$url" --ca "$server_tmp/ca.pem" \
    --token "$token" --identity-endpoint "$identity_endpoint" --identity-header "$identity_header" \
    "${pinned[@]}" || status=$?
  say "Python SDK, api-version $version: exit $status, $((SECONDS - started)) s"
  [ "$status" -eq 0 ] || py_status=$status
done
[ "$py_status" -eq 0 ] || say "Python SDK FAILED (exit $py_status)"

# 4. The JavaScript test against the same server, likewise.
js_status=0
for version in default 2025-07-01; do
  started=$SECONDS status=0
  say "JavaScript SDK, api-version $version"
  KVCONFORM_SDK_URL=$url KVCONFORM_SDK_CA=$server_tmp/ca.pem KVCONFORM_SDK_TOKEN=$token \
    KVCONFORM_SDK_IDENTITY_ENDPOINT=$identity_endpoint KVCONFORM_SDK_IDENTITY_HEADER=$identity_header \
    KVCONFORM_SDK_API_VERSION=${version/default/} tests/sdk/run-js.sh || status=$?
  say "JavaScript SDK, api-version $version: exit $status, $((SECONDS - started)) s"
  [ "$status" -eq 0 ] || js_status=$status
done
[ "$js_status" -eq 0 ] || say "JavaScript SDK FAILED (exit $js_status)"

# 5. The Go, Java and Rust SDKs against the same server, each timed.
other_failed=""
for client in ${KVCONFORM_SDK_CLIENTS-go java rust}; do
  client_started=$SECONDS
  client_status=0
  KVCONFORM_SDK_URL=$url KVCONFORM_SDK_CA=$server_tmp/ca.pem KVCONFORM_SDK_TOKEN=$token \
    "tests/sdk/run-$client.sh" || client_status=$?
  say "$client SDK: exit $client_status in $((SECONDS - client_started)) s"
  [ "$client_status" -eq 0 ] || other_failed="$other_failed $client"
done

if [ "$py_status" -ne 0 ] || [ "$js_status" -ne 0 ] || [ -n "$other_failed" ]; then
  say "FAILED${other_failed:+ (also:$other_failed)}; server stderr:"
  cat "$server_tmp/stderr" >&2
  exit 1
fi
say "every SDK passed or said why it was skipped"
