#!/usr/bin/env bash
# The official Azure Java SDK (com.azure:azure-security-keyvault-certificates, pinned in
# tests/sdk/java/pom.xml, resolved by Maven from Maven Central) against
# `kvconform serve --tls --require-auth`. Maven writes the client's class path; javac compiles
# tests/sdk/java/src/main/java/kvconform/SdkTest.java into target/sdk-java/ and java runs it.
# Called by run.sh with the server it started (KVCONFORM_SDK_URL, KVCONFORM_SDK_CA,
# KVCONFORM_SDK_TOKEN); alone, it starts its own. Runs on the client's default api-version (7.6
# for 4.8.5: its newest; it cannot send 2025-07-01) and on each CertificateServiceVersion name in
# KVCONFORM_JAVA_API_VERSIONS (default: V7_4, what the Azure CLI sends).
# Prints `sdk-java: SKIPPED: <why>` (exit 0) when java, javac, mvn or Maven Central is not there;
# exits non-zero on any failure.
#
#   tests/sdk/run-java.sh
#   KVCONFORM_SERVE_ARGS="--quirk overwrite-on-create" tests/sdk/run-java.sh   # must fail
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf 'sdk-java: %s\n' "$*"; }
# shellcheck source=tests/sdk/common.sh
. tests/sdk/common.sh

started=$SECONDS
dir=tests/sdk/java
for tool in java javac mvn openssl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    say "SKIPPED: java: $tool is needed for the Java SDK test (not found on PATH)"
    exit 0
  fi
done
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${java_major%%.*}" -lt 17 ] 2>/dev/null; then
  say "SKIPPED: java: Java 17 or newer is needed (found $java_major)"
  exit 0
fi

# 1. The client's class path, resolved by Maven (reused while pom.xml is unchanged).
mkdir -p "$target_dir/sdk-java"
build=$(cd "$target_dir/sdk-java" && pwd)
stamp=$build/pom.xml
if ! cmp -s "$dir/pom.xml" "$stamp" 2>/dev/null || [ ! -s "$build/classpath.txt" ]; then
  if ! out=$(timeout 600 mvn -B -q -Dstyle.color=never -f "$dir/pom.xml" -Dkvconform.build="$build" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
      -Dmdep.outputFile="$build/classpath.txt" 2>&1); then
    case "$out" in
      *"Could not transfer"* | *"Could not resolve"* | *"Could not find artifact"* | *"Unknown host"* | *"Connect"*)
        say "SKIPPED: java: the client could not be resolved from Maven Central: $(printf '%s' "$out" | grep ERROR | head -n 1)"
        exit 0 ;;
    esac
    say "FAILED: mvn: $out"
    exit 1
  fi
  cp "$dir/pom.xml" "$stamp"
fi
classpath=$(cat "$build/classpath.txt")
sdk_jar=$(tr ':' '\n' <"$build/classpath.txt" | grep '/azure-security-keyvault-certificates-[^/]*\.jar$')
sdk_version=$(basename "$sdk_jar" .jar)
sdk_version=${sdk_version#azure-security-keyvault-certificates-}

# 2. The test, compiled.
compile_started=$SECONDS
rm -rf "$build/classes"
timeout 300 javac -d "$build/classes" -cp "$classpath" "$dir/src/main/java/kvconform/SdkTest.java"
say "compiled the test in $((SECONDS - compile_started)) s (javac $(javac -version 2>&1 | cut -d' ' -f2))"

# 3. The server: the caller's, or our own.
sdk_server
say "server $url, azure-security-keyvault-certificates $sdk_version"

# 4. The test on each api-version, time-bounded.
status=0
for version in default ${KVCONFORM_JAVA_API_VERSIONS-V7_4}; do
  api=""
  [ "$version" = default ] || api=$version
  run_started=$SECONDS
  run_status=0
  KVCONFORM_SDK_URL=$url KVCONFORM_SDK_CA=$ca KVCONFORM_SDK_TOKEN=$token KVCONFORM_SDK_API_VERSION=$api \
    timeout 180 java -cp "$build/classes:$classpath" kvconform.SdkTest 2>"$build/stderr" \
    | tee "$build/out" || run_status=$?
  summary=$(grep -E '^sdk-java: [0-9]+ passed, [0-9]+ failed' "$build/out" | tail -n 1 || true)
  if [ "$run_status" -ne 0 ] || [ -z "$summary" ]; then
    say "FAILED on api-version $version (exit $run_status); java stderr:"
    tail -n 40 "$build/stderr" >&2
    status=1
  else
    say "api-version $version: ${summary#sdk-java: } in $((SECONDS - run_started)) s"
  fi
done
sdk_finish "azure-security-keyvault-certificates $sdk_version"
