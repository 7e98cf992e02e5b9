#!/usr/bin/env bash
# Runs the whole ctest suite of a build tree. Tests named *.postgres need a PostgreSQL
# server: this script starts a private cluster (tests/pg.sh) and stops it afterwards.
# Usage: tests/run.sh BUILD_DIR [ctest args...]
set -euo pipefail
build=${1:?usage: tests/run.sh BUILD_DIR}
shift
here=$(cd "$(dirname "$0")" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ -x "$here/pg.sh" ]; then
	pgdir=$(mktemp -d /tmp/candor-pg.XXXXXX)
	trap '"$here/pg.sh" stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
	pgenv=$("$here/pg.sh" start "$pgdir") || { echo "run.sh: the private PostgreSQL cluster did not start (see above)" >&2; exit 1; }
	eval "$pgenv"
fi
cd "$build"
ctest --output-on-failure -j2 "$@"
