#!/usr/bin/env bash
# The official Azure Go SDK (azcertificates, pinned in tests/sdk/go/go.mod + go.sum, fetched by
# the go command from the Go module proxy) against `kvconform serve --tls --require-auth`.
# Called by run.sh with the server it started (KVCONFORM_SDK_URL, KVCONFORM_SDK_CA,
# KVCONFORM_SDK_TOKEN); alone, it starts its own. Runs the test on the client's default
# api-version (2025-07-01 for azcertificates 1.5.0) and on each of KVCONFORM_GO_API_VERSIONS
# (default: 7.6, the version the previous release sent).
# Prints `sdk-go: SKIPPED: <why>` (exit 0) when the go command or the module proxy is not there;
# exits non-zero on any failure.
#
#   tests/sdk/run-go.sh
#   KVCONFORM_SERVE_ARGS="--quirk overwrite-on-create" tests/sdk/run-go.sh   # must fail
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf 'sdk-go: %s\n' "$*"; }
# shellcheck source=tests/sdk/common.sh
. tests/sdk/common.sh

started=$SECONDS
dir=tests/sdk/go
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH=/usr/local/go/bin:$PATH
fi
if ! command -v go >/dev/null 2>&1; then
  say "SKIPPED: go: the go command is needed for the Go SDK test (not found on PATH or in /usr/local/go/bin)"
  exit 0
fi
# go.mod's `go` line is what the SDK needs; an older go fetches that toolchain from the proxy.
export GOFLAGS="-mod=readonly -buildvcs=false"

# 1. The modules (go.sum checks each one). A proxy that cannot be reached is a skip; a checksum
#    mismatch is a failure.
if ! out=$(cd "$dir" && timeout 300 go mod download 2>&1); then
  case "$out" in
    *"SECURITY ERROR"* | *"checksum mismatch"* | *"verifying "*)
      say "FAILED: go mod download: $out"; exit 1 ;;
  esac
  say "SKIPPED: go: the modules could not be fetched from the Go module proxy: $(printf '%s' "$out" | tail -n 1)"
  exit 0
fi
sdk_version=$(cd "$dir" && go list -m -f '{{.Version}}' github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azcertificates)

# 2. The test binary, built once for every api-version.
build_started=$SECONDS
mkdir -p "$target_dir"
test_bin="$(cd "$target_dir" && pwd)/sdk-go.test"
(cd "$dir" && timeout 600 go test -c -o "$test_bin" .)
say "built the test in $((SECONDS - build_started)) s ($(go version | cut -d' ' -f3))"

# 3. The server: the caller's, or our own.
sdk_server
say "server $url, azcertificates $sdk_version"

# 4. The test on each api-version, time-bounded.
status=0
for version in default ${KVCONFORM_GO_API_VERSIONS-7.6}; do
  api=""
  [ "$version" = default ] || api=$version
  run_started=$SECONDS
  run_status=0
  KVCONFORM_SDK_URL=$url KVCONFORM_SDK_CA=$ca KVCONFORM_SDK_TOKEN=$token KVCONFORM_SDK_API_VERSION=$api \
    timeout 120 "$test_bin" -test.count=1 2>&1 | tee "$target_dir/sdk-go.out" \
    || run_status=$?
  summary=$(grep -E '^sdk-go: [0-9]+ passed, [0-9]+ failed' "$target_dir/sdk-go.out" | tail -n 1 || true)
  if [ "$run_status" -ne 0 ] || [ -z "$summary" ]; then
    say "FAILED on api-version $version (exit $run_status)"
    status=1
  else
    say "api-version $version: ${summary#sdk-go: } in $((SECONDS - run_started)) s"
  fi
done
sdk_finish "azcertificates $sdk_version"
