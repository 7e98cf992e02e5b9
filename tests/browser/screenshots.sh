#!/usr/bin/env bash
# Takes the screenshots of docs/site-admin.md: runs the site-admin walk
# (tests/browser/admin.js, through run.sh on SQLite) with CANDOR_SCREENSHOTS set, so the
# walk photographs the admin's pages (1000x700) into a temporary directory, then copies
# the PNGs into docs/img/. Run it by hand after a change to those pages; commit the PNGs.
# Usage: tests/browser/screenshots.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: tests/browser/screenshots.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ -x "$build/candor" ] || { echo "screenshots: no candor binary in $build" >&2; exit 1; }
out=$(mktemp -d /tmp/candor-shots.XXXXXX)
trap 'rm -rf "$out"' EXIT
CANDOR_BIN=$(cd "$build" && pwd)/candor CANDOR_SCREENSHOTS=$out "$here/run.sh" sqlite admin.js
n=$(find "$out" -name '*.png' | wc -l)
[ "$n" -gt 0 ] || { echo "screenshots: the walk took no screenshot" >&2; exit 1; }
mkdir -p "$root/docs/img"
cp "$out"/*.png "$root/docs/img/"
echo "screenshots: $n PNGs copied into docs/img/:"
ls -l "$out"/*.png | awk '{print "  " $NF " " $5 " bytes"}' | sed "s#$out/##"
