#!/usr/bin/env bash
# bench/report.sh: benchmark (c) of issue 7, the 30-day report of one site over the
# rollups of 10 million synthetic events spread over 90 days and 20 sites, on SQLite and
# on PostgreSQL (target: at most 50 ms). See bench/report_bench.c and bench/README.md.
#
# Usage: make bench            (runs bench/serve.sh, then this script)
#        bench/report.sh       (needs build/libcandor_lib.a: cmake --build build)
# Environment knobs:
#   BENCH_EVENTS=10000000  synthetic events
#   BENCH_PG=1             0: skip PostgreSQL
#   BUILD=build            the build tree holding libcandor_lib.a
# Everything runs in a temporary directory, removed at exit (PostgreSQL: a private
# cluster started and stopped with tests/pg.sh). Exits non-zero when a p95 misses 50 ms.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
events=${BENCH_EVENTS:-10000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/candor-bench-report.XXXXXX")
chmod 755 "$tmp" # as root, tests/pg.sh runs the server as postgres, which must reach $tmp/pg
pg_dir=
cleanup() {
	[ -n "$pg_dir" ] && "$root/tests/pg.sh" stop "$pg_dir" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

lib=$build/libcandor_lib.a
[ -f "$lib" ] || { echo "report.sh: $lib not found (cmake --build $build first)" >&2; exit 1; }
# shellcheck disable=SC2046
cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$root/src" \
	-o "$tmp/report_bench" "$root/bench/report_bench.c" "$lib" \
	$(pkg-config --libs libmicrohttpd sqlite3 libpq libsodium libcmark jansson inih libcurl) \
	-lpthread -lm

rc=0
echo "== SQLite"
"$tmp/report_bench" "sqlite:$tmp/bench.db" "$events" || rc=$?
if [ "${BENCH_PG:-1}" != 0 ]; then
	echo "== PostgreSQL"
	pg_dir=$tmp/pg
	pg_line=$("$root/tests/pg.sh" start "$pg_dir" 2>"$tmp/pg-start.log") ||
		{ cat "$tmp/pg-start.log" >&2; echo "report.sh: tests/pg.sh start failed" >&2; exit 1; }
	pg_url=$(sed -n "s/^export CANDOR_TEST_PG_URL='\(.*\)'$/\1/p" <<<"$pg_line")
	psql=${CANDOR_PG_BIN:-/usr/lib/postgresql/15/bin}/psql
	[ -x "$psql" ] || psql=psql
	"$psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE bench_report" "$pg_url" >/dev/null
	"$tmp/report_bench" "${pg_url%/postgres}/bench_report" "$events" || rc=$?
fi
exit $rc
