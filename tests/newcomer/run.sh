#!/usr/bin/env bash
# The newcomer check (issue 10): install kvconform into a temporary root (`cargo install
# --path .` reuses the release build of README command 1, so this costs seconds), then run it
# as a new user would: from an empty directory, HOME empty, with the clone out of reach (an
# empty tmpfs mounted over the checkout in a private mount namespace). It must pass and leave
# both directories empty. Needs root for the mount namespace; without it the run still
# happens, with the checkout in place, and says so.
set -euo pipefail
cd "$(dirname "$0")/../.."
checkout=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/work" "$tmp/home"
cargo install --quiet --path . --root "$tmp/root" --locked --offline
bin="$tmp/root/bin/kvconform"
script='mount -t tmpfs none "$1" && test ! -e "$1/Cargo.toml" && echo "checkout hidden: $1" && cd "$2" && exec "$3" run -q'
if unshare --mount --propagation private true 2>/dev/null; then
  env -i PATH=/usr/bin:/bin HOME="$tmp/home" \
    unshare --mount --propagation private sh -c "$script" sh "$checkout" "$tmp/work" "$bin"
else
  echo "note: no mount namespace here; running with the checkout in place"
  (cd "$tmp/work" && env -i PATH=/usr/bin:/bin HOME="$tmp/home" "$bin" run -q)
fi
left=$(ls -A "$tmp/work" "$tmp/home")
if [ -n "$(ls -A "$tmp/work")$(ls -A "$tmp/home")" ]; then
  echo "FAILED: the run wrote into its directory or HOME:"; echo "$left"; exit 1
fi
echo "newcomer check: passed from an empty directory, nothing written"
