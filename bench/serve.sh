#!/usr/bin/env bash
# bench/serve.sh: how fast candor serves a cached public page, against nginx serving the
# same bytes from a file and against bare_mhd (bench/bare_mhd.c: libmicrohttpd with
# candor's daemon settings answering with one prebuilt response), and what recording
# analytics costs (candor-noanalytics: the same data with [analytics] enabled = no).
# See bench/README.md.
#
# Usage: make bench            (builds build/candor first, then runs this script)
#        bench/serve.sh        (uses build/candor, or $CANDOR)
# Environment knobs:
#   BENCH_SECONDS=3       length of each measured wrk run
#   BENCH_ROUNDS=8        rounds; each round runs every target once, in a fixed order
#   BENCH_CONNECTIONS=32  wrk connections (keep-alive), at most 1000
#   BENCH_THREADS=1       wrk threads
#   BENCH_WARMUP=2        seconds of warm-up per target before the first round
#   BENCH_PG=1            0: skip the PostgreSQL target
#   BENCH_NGINX=tuned     tuned: nginx with open_file_cache and keepalive_requests 100000;
#                         plain: without them (defaults: a file open per request, and a
#                         reconnect every 1000 requests)
#   BENCH_VISITOR=returning  returning: every request carries the visitor cookie, as a
#                         browser's does after its first page of the day (candor sends
#                         the cached response as it is); first: no cookie, so candor
#                         adds a fresh Set-Cookie to each cached page (a first visit)
#   CANDOR=path           the candor binary (default build/candor)
#
# What it does, on 127.0.0.1 only: compiles bare_mhd into a temporary directory; makes
# two demo data directories (SQLite, and PostgreSQL on a private cluster started with
# tests/pg.sh), both with access_log = off, and serves each with candor; saves the demo
# post page as candor returns it; serves those exact bytes with nginx (private config,
# worker_processes = nproc, access_log off) and with bare_mhd; checks the four bodies are
# byte-identical; then measures each target with wrk in alternating rounds and prints
# the median req/s, p50 and p99 per target and the ratios against the targets
# (candor >= 1.0x nginx, >= 0.8x bare). A missed target is printed as MISSED but the
# exit status stays 0: this is a measurement, not a test. Setup failures exit non-zero.
# Every process started here and the temporary directory are removed on exit, Ctrl-C
# included.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
candor=${CANDOR:-$root/build/candor}
seconds=${BENCH_SECONDS:-3}
rounds=${BENCH_ROUNDS:-8}
conns=${BENCH_CONNECTIONS:-32}
wthreads=${BENCH_THREADS:-1}
warmup=${BENCH_WARMUP:-2}
visitor=${BENCH_VISITOR:-returning}
case $visitor in
returning) visitor_hdr=(-H "Cookie: candor_visitor=bench0000000000000000a") ;;
first) visitor_hdr=() ;;
*) echo "bench: BENCH_VISITOR is returning or first" >&2; exit 2 ;;
esac
use_pg=${BENCH_PG:-1}
nginx_mode=${BENCH_NGINX:-tuned}
nginx_bin=/usr/sbin/nginx
page_path=/posts/interview-lighting
page_host=perfectimagevideo.localhost
nproc=$(nproc)

say() { echo "bench: $*" >&2; }
die() {
	say "$*"
	exit 1
}

for v in seconds rounds conns wthreads warmup; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]] || [ "${!v}" -lt 1 ]; then
		die "$v must be a positive integer (got '${!v}')"
	fi
done
case $nginx_mode in
tuned)
	nginx_tuning="open_file_cache max=1000 inactive=60s; open_file_cache_valid 60s; keepalive_requests 100000;"
	;;
plain) nginx_tuning= ;;
*) die "BENCH_NGINX must be tuned or plain (got '$nginx_mode')" ;;
esac
[ "$conns" -le 1000 ] || die "BENCH_CONNECTIONS must be at most 1000 (candor's connection_limit is 1024)"
[ "$conns" -ge "$wthreads" ] || die "BENCH_CONNECTIONS must be at least BENCH_THREADS"
[ -x "$candor" ] || die "no candor binary at $candor (run make build)"
command -v wrk >/dev/null || die "wrk is missing (scripts/deps.sh installs it)"
command -v curl >/dev/null || die "curl is missing (scripts/deps.sh installs it)"
[ -x "$nginx_bin" ] || die "$nginx_bin is missing (scripts/deps.sh installs nginx-light)"
pkg-config --exists libmicrohttpd || die "libmicrohttpd development files are missing"

# ----------------------------------------------------------------- cleanup ----
tmp=
pids=()
pg_dir=
cleanup() {
	local rc=$? pid i
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ -n "$pg_dir" ]; then
		"$root/tests/pg.sh" stop "$pg_dir" >/dev/null 2>&1 || say "could not stop PostgreSQL in $pg_dir"
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/candor-bench.XXXXXX")
# PostgreSQL (as root: the postgres user) and nginx workers (as root: nobody) must be able
# to reach their files below it.
chmod 755 "$tmp"

# Prints the port from a "listening on http://127.0.0.1:PORT/" line in LOG once it
# appears; fails when PID exits first or after 30 s.
wait_listening() {
	local pid=$1 log=$2 i port
	for ((i = 0; i < 300; i++)); do
		port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$log" | head -n 1)
		if [ -n "$port" ]; then
			echo "$port"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	say "server (pid $pid) did not start; its log:"
	cat "$log" >&2
	return 1
}

# stop_pid PID: stops a server started here and forgets it.
stop_pid() {
	local pid=$1 i keep=()
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for i in "${pids[@]}"; do
		[ "$i" = "$pid" ] || keep+=("$i")
	done
	pids=("${keep[@]}")
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ------------------------------------------------------------------- build ----
say "compiling bare_mhd"
# shellcheck disable=SC2046 # pkg-config output is meant to be split
cc -O2 "$here/bare_mhd.c" -o "$tmp/bare_mhd" $(pkg-config --cflags --libs libmicrohttpd)

# ---------------------------------------------------------------- targets ----
per_ip=$((conns > 64 ? conns : 64))
declare -A url

# start_candor NAME DATADIR: serves DATADIR on a free loopback port.
start_candor() {
	local name=$1 data=$2 port
	sed -i -e 's/^access_log = .*/access_log = off/' \
		-e "s/^per_ip_connection_limit = .*/per_ip_connection_limit = $per_ip/" "$data/candor.conf"
	grep -q '^access_log = off$' "$data/candor.conf" || die "could not set access_log = off in $data/candor.conf"
	: >"$tmp/$name.log" # a retry must not read the port of the previous attempt's log
	"$candor" serve --data "$data" --listen 127.0.0.1:0 2>"$tmp/$name.log" &
	last_pid=$!
	pids+=("$last_pid")
	port=$(wait_listening "$last_pid" "$tmp/$name.log")
	url[$name]=http://127.0.0.1:$port$page_path
	say "$name on 127.0.0.1:$port"
}

targets=(candor-sqlite candor-noanalytics nginx bare)

if [ "$use_pg" != 0 ]; then
	say "starting a private PostgreSQL cluster"
	pg_dir=$tmp/pg
	pg_line=$("$root/tests/pg.sh" start "$pg_dir" 2>"$tmp/pg-start.log") ||
		{ cat "$tmp/pg-start.log" >&2; die "tests/pg.sh start failed (BENCH_PG=0 skips PostgreSQL)"; }
	pg_url=$(sed -n "s/^export CANDOR_TEST_PG_URL='\(.*\)'$/\1/p" <<<"$pg_line")
	case $pg_url in
	postgresql://*@127.0.0.1:*/*) ;;
	*) die "unexpected output from tests/pg.sh: $pg_line" ;;
	esac
	psql=${CANDOR_PG_BIN:-/usr/lib/postgresql/15/bin}/psql
	[ -x "$psql" ] || psql=psql
	targets+=(candor-pg)
fi

# The demo posts are dated relative to the moment of `candor init`, to the second, and the
# page shows that time. For the same bytes from both stores, both are created within one
# second: started just after a second begins, and redone on fresh data if they still
# straddle a second.
for attempt in 1 2 3; do
	while ((10#$(date +%N) > 300000000)); do sleep 0.02; done
	"$candor" init --data "$tmp/data-sqlite-$attempt" --demo >"$tmp/init-sqlite.log" 2>&1 ||
		{ cat "$tmp/init-sqlite.log" >&2; die "candor init (SQLite) failed"; }
	if [ "$use_pg" != 0 ]; then
		db=candor_bench_$attempt
		"$psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" "$pg_url" >"$tmp/psql.log" 2>&1 ||
			{ cat "$tmp/psql.log" >&2; die "could not create database $db"; }
		"$candor" init --data "$tmp/data-pg-$attempt" --demo --database "${pg_url%/*}/$db" \
			>"$tmp/init-pg.log" 2>&1 ||
			{ cat "$tmp/init-pg.log" >&2; die "candor init (PostgreSQL) failed"; }
	fi
	# the same data with [analytics] enabled = no: what recording costs (issue 7, bench a)
	cp -a "$tmp/data-sqlite-$attempt" "$tmp/data-noanalytics-$attempt"
	printf '\n[analytics]\nenabled = no\n' >>"$tmp/data-noanalytics-$attempt/candor.conf"
	start_candor candor-sqlite "$tmp/data-sqlite-$attempt"
	sqlite_pid=$last_pid
	# The page as candor serves it: what nginx and bare_mhd will serve.
	curl -fsS -H "Host: $page_host" -o "$tmp/page.html" "${url[candor-sqlite]}" ||
		die "candor did not serve $page_path"
	[ -s "$tmp/page.html" ] || die "candor served an empty $page_path"
	[ "$use_pg" != 0 ] || break
	start_candor candor-pg "$tmp/data-pg-$attempt"
	curl -fsS -H "Host: $page_host" -o "$tmp/page-pg.html" "${url[candor-pg]}" ||
		die "candor-pg did not serve $page_path"
	cmp -s "$tmp/page.html" "$tmp/page-pg.html" && break
	say "the SQLite and PostgreSQL demo pages differ (created in different seconds); again"
	stop_pid "$sqlite_pid"
	stop_pid "$last_pid"
done
kill -0 "$sqlite_pid" 2>/dev/null ||
	die "the SQLite and PostgreSQL demo data straddled a second three times (a busy machine?); BENCH_PG=0 skips PostgreSQL"
start_candor candor-noanalytics "$tmp/data-noanalytics-$attempt"
mkdir -p "$tmp/www${page_path%/*}"
cp "$tmp/page.html" "$tmp/www$page_path"
chmod -R a+rX "$tmp/www"

# nginx: a private configuration; nothing outside $tmp is read or written but the binary.
# The same response headers as candor (add_header), so header sizes are comparable;
# nginx adds Server, Last-Modified, ETag and Accept-Ranges of its own.
mkdir -p "$tmp/nginx"
for _ in 1 2 3 4 5; do
	nport=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
	port_busy "$nport" && continue
	cat >"$tmp/nginx/nginx.conf" <<-EOF
		daemon off;
		worker_processes $nproc;
		pid $tmp/nginx/nginx.pid;
		error_log $tmp/nginx/error.log warn;
		events {
		    worker_connections 2048;
		}
		http {
		    access_log off;
		    sendfile on;
		    tcp_nopush on;
		    tcp_nodelay on;
		    keepalive_timeout 65;
		    $nginx_tuning
		    client_body_temp_path $tmp/nginx/body;
		    proxy_temp_path $tmp/nginx/proxy;
		    fastcgi_temp_path $tmp/nginx/fastcgi;
		    uwsgi_temp_path $tmp/nginx/uwsgi;
		    scgi_temp_path $tmp/nginx/scgi;
		    types { }
		    default_type text/html;
		    charset utf-8;
		    server {
		        listen 127.0.0.1:$nport;
		        root $tmp/www;
		        add_header Content-Security-Policy "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" always;
		        add_header Referrer-Policy strict-origin-when-cross-origin always;
		        add_header X-Content-Type-Options nosniff always;
		        add_header Cross-Origin-Resource-Policy same-origin always;
		        add_header Cross-Origin-Opener-Policy same-origin always;
		        add_header Cache-Control no-cache always;
		        location = $page_path {
		        }
		        location / {
		            return 404;
		        }
		    }
		}
	EOF
	"$nginx_bin" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" \
		2>"$tmp/nginx/stderr.log" &
	npid=$!
	for ((i = 0; i < 100; i++)); do
		port_busy "$nport" && break
		kill -0 "$npid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$npid" 2>/dev/null && port_busy "$nport"; then
		pids+=("$npid")
		url[nginx]=http://127.0.0.1:$nport$page_path
		break
	fi
	kill -TERM "$npid" 2>/dev/null || true
	wait "$npid" 2>/dev/null || true
	say "nginx did not start on port $nport:"
	cat "$tmp/nginx/stderr.log" "$tmp/nginx/error.log" >&2 2>/dev/null || true
done
[ -n "${url[nginx]:-}" ] || die "could not start nginx"
say "nginx on 127.0.0.1:$nport ($nproc workers, $nginx_mode)"

"$tmp/bare_mhd" "$tmp/page.html" 0 "$per_ip" 2>"$tmp/bare.log" &
pids+=($!)
bport=$(wait_listening $! "$tmp/bare.log")
url[bare]=http://127.0.0.1:$bport$page_path
say "bare on 127.0.0.1:$bport"

# Same bytes from all four before measuring.
for t in "${targets[@]}"; do
	curl -fsS -H "Host: $page_host" -D "$tmp/headers-$t.txt" -o "$tmp/check-$t.html" "${url[$t]}" ||
		die "$t: request failed"
	grep -qi '^content-type: text/html; charset=utf-8' "$tmp/headers-$t.txt" ||
		die "$t does not answer with Content-Type: text/html; charset=utf-8"
	if ! cmp -s "$tmp/page.html" "$tmp/check-$t.html"; then
		diff "$tmp/page.html" "$tmp/check-$t.html" >&2 || true
		die "$t serves a different body from candor-sqlite"
	fi
done
say "all ${#targets[@]} targets serve the same $(wc -c <"$tmp/page.html")-byte body;" \
	"response header bytes:$(for t in "${targets[@]}"; do printf ' %s %s' "$t" "$(wc -c <"$tmp/headers-$t.txt")"; done)"

# --------------------------------------------------------------- measure ----
# run_wrk TARGET SECONDS OUT
run_wrk() {
	wrk -t"$wthreads" -c"$conns" -d"$2"s --latency -H "Host: $page_host" "${visitor_hdr[@]}" \
	    "${url[$1]}" >"$3" 2>&1 ||
		{ cat "$3" >&2; die "wrk failed against $1"; }
}

# parse_wrk FILE: prints "REQ_PER_SEC P50_US P99_US".
parse_wrk() {
	awk '
	function us(v) {
		if (v ~ /us$/) return v + 0
		if (v ~ /ms$/) return v * 1000
		if (v ~ /m$/) return v * 60000000
		if (v ~ /s$/) return v * 1000000
		return -1
	}
	/^Requests\/sec:/ { rps = $2 }
	$1 == "50%" { p50 = us($2) }
	$1 == "99%" { p99 = us($2) }
	END {
		if (rps == "" || p50 == "" || p99 == "") exit 1
		printf "%s %s %s\n", rps, p50, p99
	}' "$1"
}

# Warns about responses that were not a clean 200 (the figures would be meaningless).
check_wrk() {
	local t=$1 f=$2
	if grep -q -e 'Non-2xx or 3xx' -e 'Socket errors' "$f"; then
		say "warning: $t: $(grep -e 'Non-2xx or 3xx' -e 'Socket errors' "$f" | tr -s ' ' | tr '\n' ';')"
	fi
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "warm-up: ${warmup}s per target"
for t in "${targets[@]}"; do
	run_wrk "$t" "$warmup" "$tmp/warmup-$t.txt"
	check_wrk "$t" "$tmp/warmup-$t.txt"
done

say "measuring: $rounds rounds x ${#targets[@]} targets x ${seconds}s," \
	"wrk -t$wthreads -c$conns, $nproc CPUs shared by wrk and the servers"
declare -A results
for ((r = 1; r <= rounds; r++)); do
	line="round $r/$rounds:"
	for t in "${targets[@]}"; do
		f=$tmp/wrk-$t-$r.txt
		run_wrk "$t" "$seconds" "$f"
		check_wrk "$t" "$f"
		res=$(parse_wrk "$f") || { cat "$f" >&2; die "could not read wrk's output for $t"; }
		results[$t]+="$res"$'\n'
		line+=" $t $(printf '%.0f' "${res%% *}")"
	done
	say "$line req/s"
done

# summary COLUMN TARGET: prints "MEDIAN MIN MAX" of that column over the rounds.
summary() {
	printf '%s' "${results[$2]}" | awk -v c="$1" 'NF { print $c }' | sort -g |
		awk '{ v[NR] = $1 } END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			print m, v[1], v[NR]
		}'
}

declare -A med_rps
noisy=
echo
echo "candor cached page $page_path ($(wc -c <"$tmp/page.html") bytes), wrk -t$wthreads -c$conns," \
	"$rounds rounds x ${seconds}s, nginx $nginx_mode, visitor $visitor, $nproc CPUs, load average before: $load_before"
printf '%-14s %10s %10s %10s %10s %10s\n' target "req/s" "min" "max" "p50" "p99"
for t in "${targets[@]}"; do
	read -r med lo hi < <(summary 1 "$t")
	read -r p50 _ _ < <(summary 2 "$t")
	read -r p99 _ _ < <(summary 3 "$t")
	med_rps[$t]=$med
	awk -v t="$t" -v m="$med" -v lo="$lo" -v hi="$hi" -v p50="$p50" -v p99="$p99" 'BEGIN {
		printf "%-14s %10.0f %10.0f %10.0f %8.3fms %8.3fms\n", t, m, lo, hi, p50 / 1000, p99 / 1000
	}'
	if awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(hi > 1.3 * lo) }'; then
		noisy+=" $t"
	fi
done
echo "(req/s: median over rounds, with the lowest and highest round; p50, p99: medians of wrk's per-round percentiles)"
echo
printf '%-22s %7s %8s\n' ratio "" target
for c in candor-sqlite candor-pg; do
	[ -n "${med_rps[$c]:-}" ] || continue
	for b in nginx bare; do
		want=1.0
		[ "$b" = bare ] && want=0.8
		awk -v n="${med_rps[$c]}" -v d="${med_rps[$b]}" -v w="$want" -v name="$c/$b" 'BEGIN {
			r = n / d
			printf "%-22s %6.3fx  >= %.1fx  %s\n", name, r, w, (r + 1e-9 >= w ? "ok" : "MISSED")
		}'
	done
done
# What analytics costs: the same server and data with recording on and off (target: at
# most 5% of throughput, docs/analytics.md).
awk -v n="${med_rps[candor-sqlite]}" -v d="${med_rps[candor-noanalytics]}" 'BEGIN {
	r = n / d
	printf "%-22s %6.3fx  >= 0.95x %s  (analytics on/off: %.1f%% of throughput)\n",
	    "analytics-on/off", r, (r + 1e-9 >= 0.95 ? "ok" : "MISSED"), (1 - r) * 100
}'
if [ -n "$noisy" ]; then
	echo
	echo "noisy: the best round beat the worst by more than 30% for$noisy;" \
		"something else is using the CPUs; rerun on a quiet machine or with more BENCH_ROUNDS"
fi
