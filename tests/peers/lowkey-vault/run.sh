#!/usr/bin/env bash
# lowkey-vault (nagyesta/lowkey-vault) judged by kvconform: installs the pinned runnable jar
# from Maven Central into target/peers/lowkey-vault/, starts it with the Java it needs (25)
# inside a private network namespace (its plain token port binds every interface; there it
# can reach nothing but the namespace's own loopback), waits until it answers, runs
# `kvconform run` against it with the committed expectations, and stops it by PID.
#
#   bash tests/peers/lowkey-vault/run.sh            # the CI gate: exit 0, or 101 on drift
#   LOWKEY_JAR=/path/app.jar bash …/run.sh           # a jar obtained another way
#   LOWKEY_EXPECTATIONS=FILE bash …/run.sh           # judge against another expectations file
#   LOWKEY_RECORD=1 bash …/run.sh                    # also copy the JSON report into tests/peers/
#   KVCONFORM=target/debug/kvconform bash …/run.sh   # judge with an already built binary
#   KVCONFORM_ARGS='--write-expectations F' bash …   # extra `kvconform run` flags
#
# Prints one `SKIPPED: lowkey-vault: <why>` line and exits 0 when the machine cannot run it
# (jar not served, no Java 25, no network namespace): never reported as passed.
set -euo pipefail
cd "$(dirname "$0")/../../.."
HERE=tests/peers/lowkey-vault
VERSION=7.3.74
ARTIFACT=com.github.nagyesta.lowkey-vault:lowkey-vault-app:$VERSION:jar
CACHE=target/peers/lowkey-vault
EXPECTATIONS=${LOWKEY_EXPECTATIONS:-$HERE/expectations.yaml}
PORT=8443          # inside the namespace: lowkey's default vaults are https://127.0.0.1:8443 …
TOKEN_PORT=8080    # … and its plain-HTTP token port; neither is visible outside it

skip() { echo "SKIPPED: lowkey-vault: $*"; exit 0; }

# Runs inside `unshare --net`: only a loopback interface exists here.
inside() {
    ip link set lo up
    local java=$1 jar=$2 log=$CACHE/lowkey.log
    "$java" -Xmx512m -jar "$jar" --server.address=127.0.0.1 --server.port=$PORT \
        --app.token.port=$TOKEN_PORT >"$log" 2>&1 &
    LOWKEY_PID=$!
    trap 'kill "$LOWKEY_PID" 2>/dev/null; wait "$LOWKEY_PID" 2>/dev/null || true' EXIT
    local pid=$LOWKEY_PID
    local waited=0
    until curl -sfk -m 2 "https://127.0.0.1:$PORT/ping" >/dev/null; do
        kill -0 "$pid" 2>/dev/null || { tail -20 "$log"; echo "lowkey-vault exited at start-up"; return 3; }
        ((waited++ < 120)) || { tail -20 "$log"; echo "lowkey-vault did not answer in 60 s"; return 3; }
        sleep 0.5
    done
    # lowkey-vault reports its version in its start-up banner only (no HTTP header carries it).
    local reported
    reported=$(sed -n 's/.*Lowkey Vault version: *(v\([^)]*\)).*/\1/p' "$log" | head -1)
    echo "lowkey-vault ${reported:-?} answers on https://127.0.0.1:$PORT (pid $pid, after ${waited} polls)"
    # Its own certificate (SAN localhost, 127.0.0.1), exported from the keystore it serves with.
    curl -sf -m 5 "http://127.0.0.1:$TOKEN_PORT/metadata/default-cert/lowkey-vault.p12" -o "$CACHE/lowkey.p12"
    openssl pkcs12 -in "$CACHE/lowkey.p12" -passin pass:changeit -nokeys 2>/dev/null \
        | openssl x509 -out "$CACHE/lowkey-ca.pem"
    local started=$SECONDS rc=0
    LOWKEY_DUMMY_TOKEN=lowkey-accepts-any-bearer "$KVCONFORM" run \
        --target "https://127.0.0.1:$PORT" --ca-cert "$CACHE/lowkey-ca.pem" \
        --token-env LOWKEY_DUMMY_TOKEN --target-version "${reported:-unknown}" \
        --expectations "$EXPECTATIONS" --json "$CACHE/report.json" ${KVCONFORM_ARGS:-} || rc=$?
    echo "kvconform against lowkey-vault: exit $rc in $((SECONDS - started)) s"
    return $rc
}

if [[ ${1:-} == --inside ]]; then
    shift
    inside "$@"
    exit $?
fi

mkdir -p "$CACHE"
jar=${LOWKEY_JAR:-$CACHE/lowkey-vault-app-$VERSION.jar}
if [[ ! -f $jar ]]; then
    command -v mvn >/dev/null || skip "mvn is not installed (needed to fetch $ARTIFACT)"
    # The plugin by its full coordinates (prefix resolution fails with "No plugin found" when
    # Central is unreachable), and no ANSI colours in the line quoted below.
    if ! mvn -B -q -Dstyle.color=never \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy -Dartifact="$ARTIFACT" \
        -DoutputDirectory="$CACHE" -Dmaven.repo.local="$PWD/$CACHE/m2" >"$CACHE/mvn.log" 2>&1; then
        grep -m1 -E 'ERROR.*(Could not|Unable to find)' "$CACHE/mvn.log" | sed 's/\x1b\[[0-9;]*m//g' || true
        skip "Maven Central did not serve $ARTIFACT here (set LOWKEY_JAR to a jar of it)"
    fi
fi
java=${LOWKEY_JAVA:-}
if [[ -z $java ]]; then
    for candidate in /usr/lib/jvm/temurin-25*/bin/java /usr/lib/jvm/*25*/bin/java; do
        [[ -x $candidate ]] && { java=$candidate; break; }
    done
fi
[[ -n $java ]] || skip "no Java 25 found under /usr/lib/jvm (lowkey-vault $VERSION needs it; set LOWKEY_JAVA)"
command -v unshare >/dev/null && command -v ip >/dev/null \
    || skip "unshare/ip missing: cannot keep its all-interfaces token port off the network"
unshare --net true 2>/dev/null || skip "cannot create a network namespace here (needs root or user namespaces)"
if [[ -z ${KVCONFORM:-} ]]; then
    cargo build --release --locked --quiet
    export KVCONFORM=target/release/kvconform
fi
rc=0
unshare --net bash "$0" --inside "$java" "$jar" || rc=$?
if [[ $rc -le 1 || $rc -eq 101 ]] && [[ ${LOWKEY_RECORD:-} == 1 ]]; then
    cp "$CACHE/report.json" "$HERE/report.json"
    echo "recorded $HERE/report.json"
fi
exit $rc
