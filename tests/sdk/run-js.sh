#!/usr/bin/env bash
# The official Azure JavaScript SDK (@azure/keyvault-certificates, pinned in
# tests/sdk/js/package-lock.json, installed with `npm ci` into tests/sdk/js/node_modules) against
# `kvconform serve --tls --require-auth`. Called by run.sh with the server it started
# (KVCONFORM_SDK_URL, KVCONFORM_SDK_CA, KVCONFORM_SDK_TOKEN); alone, it starts its own.
# KVCONFORM_SDK_API_VERSION=V sets the client's serviceVersion (default: the SDK's own);
# KVCONFORM_SDK_IDENTITY_ENDPOINT/_HEADER (serve --identity) add the ManagedIdentityCredential step.
# Skips (exit 0, with a message) when node or npm is missing; exits non-zero on any failure.
#
#   tests/sdk/run-js.sh
#   KVCONFORM_SERVE_ARGS="--quirk overwrite-on-create" tests/sdk/run-js.sh   # must fail
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf 'sdk-js: %s\n' "$*"; }
# shellcheck source=tests/sdk/common.sh
. tests/sdk/common.sh

js=tests/sdk/js
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  say "SKIPPED: node and npm are needed for the JavaScript SDK test (not found on PATH)"
  exit 0
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  say "FAILED: node >= 20 is needed (found $(node --version))"
  exit 1
fi

# 1. The packages, reinstalled only when package-lock.json changes.
stamp="$js/node_modules/.kvconform-package-lock.json"
if ! cmp -s "$js/package-lock.json" "$stamp" 2>/dev/null; then
  say "npm ci in $js"
  (cd "$js" && timeout 300 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  cp "$js/package-lock.json" "$stamp"
fi
sdk_version=$(node -p 'require("./tests/sdk/js/node_modules/@azure/keyvault-certificates/package.json").version')

# 2. The server: the caller's, or our own (whose identity endpoint the test also uses).
sdk_server
if [ -z "${KVCONFORM_SDK_URL:-}" ]; then
  export KVCONFORM_SDK_IDENTITY_ENDPOINT=$identity_endpoint KVCONFORM_SDK_IDENTITY_HEADER=$identity_header
fi
say "server $url, @azure/keyvault-certificates $sdk_version, node $(node --version)"

# 3. The test, time-bounded; the vault's CA is trusted through NODE_EXTRA_CA_CERTS.
status=0
pinned=()
if [ -n "${KVCONFORM_SDK_API_VERSION:-}" ]; then pinned=(--api-version "$KVCONFORM_SDK_API_VERSION"); fi
NODE_EXTRA_CA_CERTS=$ca timeout 120 node "$js/test.mjs" --url "$url" --token "$token" "${pinned[@]}" || status=$?
if [ "$status" -ne 0 ]; then
  say "FAILED (exit $status)"
  if [ -n "${server_tmp:-}" ]; then
    say "server stderr:"
    cat "$server_tmp/stderr" >&2
  fi
fi
exit "$status"
