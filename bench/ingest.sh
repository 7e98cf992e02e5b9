#!/usr/bin/env bash
# bench/ingest.sh: how many analytics events per second the recorder's writer stores into
# SQLite and into PostgreSQL (issue 7, bench b; target >= 200,000/s on SQLite). Runs
# build/bench_ingest (bench/bench_ingest.c) on a fresh SQLite file and on a fresh
# database of a private PostgreSQL cluster (tests/pg.sh), both in a temporary directory
# removed on exit, and prints the figures. See bench/README.md.
#
# Usage: make bench (after bench/serve.sh), or bench/ingest.sh
# Environment knobs:
#   INGEST_EVENTS=1000000  events per backend
#   INGEST_PG_EVENTS=200000 events on PostgreSQL (slower; round trips)
#   BENCH_PG=1             0: skip PostgreSQL
#   BENCH_INGEST=path      the bench_ingest binary (default build/bench_ingest)
# A missed target is printed as MISSED; the exit status stays 0 (a measurement, not a
# test) unless the rollups do not add up or setup fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${BENCH_INGEST:-$root/build/bench_ingest}
events=${INGEST_EVENTS:-1000000}
pg_events=${INGEST_PG_EVENTS:-200000}
use_pg=${BENCH_PG:-1}

say() { echo "ingest: $*" >&2; }
die() {
	say "$*"
	exit 1
}
[ -x "$bin" ] || die "no $bin (run make build)"
for v in events pg_events; do
	[[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || die "$v must be a positive integer"
done

tmp=
pg_dir=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$pg_dir" ]; then
		"$root/tests/pg.sh" stop "$pg_dir" >/dev/null 2>&1 || say "could not stop PostgreSQL in $pg_dir"
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=$(mktemp -d "${TMPDIR:-/tmp}/candor-ingest.XXXXXX")
chmod 755 "$tmp"

# report LINE: the bench_ingest line, and against the target for SQLite
report() {
	echo "$1"
	case $1 in
	sqlite:*)
		awk -v line="$1" 'BEGIN {
			if (match(line, /; writer [0-9.]+ CPU s: [0-9]+/)) {
				n = substr(line, RSTART, RLENGTH); sub(/.*: /, "", n)
			}
			if (match(line, /: [0-9]+ events\/s wall/)) {
				w = substr(line, RSTART + 2, RLENGTH); sub(/ .*/, "", w)
			}
			printf "sqlite target >= 200000 events/s: wall clock %s %s, per writer CPU second %s %s\n",
			    w, (w + 0 >= 200000 ? "ok" : "MISSED"), n, (n + 0 >= 200000 ? "ok" : "MISSED")
		}'
		;;
	esac
}

say "SQLite: $events events"
line=$("$bin" "sqlite:$tmp/ingest.db" "$events" 2>"$tmp/sqlite.log") ||
	{ cat "$tmp/sqlite.log" >&2; die "bench_ingest failed on SQLite"; }
report "$line"

if [ "$use_pg" != 0 ]; then
	say "starting a private PostgreSQL cluster"
	pg_dir=$tmp/pg
	pg_line=$("$root/tests/pg.sh" start "$pg_dir" 2>"$tmp/pg-start.log") ||
		{ cat "$tmp/pg-start.log" >&2; die "tests/pg.sh start failed (BENCH_PG=0 skips PostgreSQL)"; }
	pg_url=$(sed -n "s/^export CANDOR_TEST_PG_URL='\(.*\)'$/\1/p" <<<"$pg_line")
	psql=${CANDOR_PG_BIN:-/usr/lib/postgresql/15/bin}/psql
	[ -x "$psql" ] || psql=psql
	"$psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE candor_ingest" "$pg_url" >"$tmp/psql.log" 2>&1 ||
		{ cat "$tmp/psql.log" >&2; die "could not create the database"; }
	say "PostgreSQL: $pg_events events"
	line=$("$bin" "${pg_url%/*}/candor_ingest" "$pg_events" 2>"$tmp/pg.log") ||
		{ cat "$tmp/pg.log" >&2; die "bench_ingest failed on PostgreSQL"; }
	report "$line"
fi
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs)"
