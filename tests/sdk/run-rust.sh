#!/usr/bin/env bash
# The official Azure Rust SDK (azure_security_keyvault_certificates, pinned =1.0.0 in
# tests/sdk/rust/Cargo.toml + Cargo.lock, fetched by cargo from crates.io) against
# `kvconform serve --tls --require-auth`. tests/sdk/rust is its own workspace (the project's
# `cargo test` never builds it); it is built with the release profile into the project's target/
# (CARGO_TARGET_DIR), where `cargo run --release` has already compiled most of what it shares
# with kvconform (azure_core, reqwest, rustls, aws-lc, tokio, rcgen).
# Called by run.sh with the server it started (KVCONFORM_SDK_URL, KVCONFORM_SDK_CA,
# KVCONFORM_SDK_TOKEN); alone, it starts its own. Runs on the client's default api-version
# (2025-07-01 for 1.0.0) and on each of KVCONFORM_RUST_API_VERSIONS (default: 7.6).
# Prints `sdk-rust: SKIPPED: <why>` (exit 0) when cargo or crates.io is not there; exits non-zero
# on any failure.
#
#   tests/sdk/run-rust.sh
#   KVCONFORM_SERVE_ARGS="--quirk overwrite-on-create" tests/sdk/run-rust.sh   # must fail
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf 'sdk-rust: %s\n' "$*"; }
# shellcheck source=tests/sdk/common.sh
. tests/sdk/common.sh

started=$SECONDS
manifest=tests/sdk/rust/Cargo.toml
if ! command -v cargo >/dev/null 2>&1; then
  say "SKIPPED: rust: cargo is needed for the Rust SDK test (not found on PATH)"
  exit 0
fi
mkdir -p "$target_dir"
export CARGO_TARGET_DIR
CARGO_TARGET_DIR=$(cd "$target_dir" && pwd)

# 1. The crates (Cargo.lock pins each one, with its checksum). A registry that cannot be reached
#    is a skip; anything else is a failure.
host=$(rustc -vV | sed -n 's/^host: //p')   # only this platform's crates (no windows-* downloads)
if ! out=$(timeout 600 cargo fetch --locked --target "$host" --manifest-path "$manifest" 2>&1); then
  case "$out" in
    *"failed to download"* | *"failed to query replaced source"* | *"Couldn't resolve host"* | *"failed to get"* | *"spurious network error"*)
      say "SKIPPED: rust: the crates could not be fetched from crates.io: $(printf '%s' "$out" | grep -m1 -i error)"
      exit 0 ;;
  esac
  say "FAILED: cargo fetch: $out"
  exit 1
fi
sdk_version=$(sed -n '/^name = "azure_security_keyvault_certificates"$/{n;s/^version = "\(.*\)"$/\1/p}' tests/sdk/rust/Cargo.lock)

# 2. The test program.
build_started=$SECONDS
timeout 1800 cargo build --release --locked --quiet --manifest-path "$manifest"
say "built in $((SECONDS - build_started)) s ($(rustc --version | cut -d' ' -f2), release profile, target $CARGO_TARGET_DIR)"
test_bin=$CARGO_TARGET_DIR/release/kvconform-sdk-rust

# 3. The server: the caller's, or our own.
sdk_server
say "server $url, azure_security_keyvault_certificates $sdk_version"

# 4. The test on each api-version, time-bounded.
status=0
for version in default ${KVCONFORM_RUST_API_VERSIONS-7.6}; do
  api=""
  [ "$version" = default ] || api=$version
  run_started=$SECONDS
  run_status=0
  KVCONFORM_SDK_URL=$url KVCONFORM_SDK_CA=$ca KVCONFORM_SDK_TOKEN=$token KVCONFORM_SDK_API_VERSION=$api \
    timeout 120 "$test_bin" 2>&1 | tee "$CARGO_TARGET_DIR/sdk-rust.out" || run_status=$?
  summary=$(grep -E '^sdk-rust: [0-9]+ passed, [0-9]+ failed' "$CARGO_TARGET_DIR/sdk-rust.out" | tail -n 1 || true)
  if [ "$run_status" -ne 0 ] || [ -z "$summary" ]; then
    say "FAILED on api-version $version (exit $run_status)"
    status=1
  else
    say "api-version $version: ${summary#sdk-rust: } in $((SECONDS - run_started)) s"
  fi
done
sdk_finish "azure_security_keyvault_certificates $sdk_version"
