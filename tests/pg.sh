#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for the tests, in a directory of its own.
#   tests/pg.sh start DIR   initialises DIR (if needed) and starts the server, listening on a
#                           unix socket in DIR and on 127.0.0.1 at the first free port from
#                           55432 up; fsync=on, synchronous_commit=on, trust authentication
#                           (local test use only). Prints exactly one line on stdout:
#                           export CANDOR_TEST_PG_URL='postgresql://postgres@127.0.0.1:PORT/postgres'
#                           The port is remembered in DIR/port: starting a stopped cluster
#                           again brings back the same data on the same port (and fails if
#                           something else took that port meanwhile).
#   tests/pg.sh stop DIR    stops it (fast mode).
# Everything but that line goes to stderr. As root, the server runs as the `postgres`
# system user (PostgreSQL refuses to run as root) and DIR is chowned to it.
set -euo pipefail

usage() {
	echo "usage: tests/pg.sh start|stop DIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
bin=${CANDOR_PG_BIN:-/usr/lib/postgresql/15/bin}

if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
	echo "pg.sh: PostgreSQL 15 server programs not found in $bin;" \
		"install the postgresql package (scripts/deps.sh does)." >&2
	exit 1
fi

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

port_busy() {
	# Something accepts connections on 127.0.0.1:$1.
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" -eq 0 ]; then
		if ! id postgres >/dev/null 2>&1; then
			echo "pg.sh: running as root but there is no postgres system user" \
				"(the postgresql package creates it)." >&2
			exit 1
		fi
		chown postgres: "$dir"
	fi
	cd "$dir" # the server user must be able to read its working directory
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
			--no-sync >"$dir/initdb.log" 2>&1 || {
			echo "pg.sh: initdb failed:" >&2
			cat "$dir/initdb.log" >&2
			exit 1
		}
		cat >>"$dir/data/postgresql.conf" <<-EOF
			# candor tests
			listen_addresses = '127.0.0.1'
			unix_socket_directories = '$dir'
			fsync = on
			synchronous_commit = on
			max_connections = 200
		EOF
	fi
	if as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		echo "pg.sh: a server is already running in $dir (tests/pg.sh stop $dir)" >&2
		exit 1
	fi
	local port=55432 tries=0 max=50
	if [ -f "$dir/port" ]; then
		# A restart: the clients know this cluster by its port.
		port=$(cat "$dir/port")
		case $port in '' | *[!0-9]*)
			echo "pg.sh: $dir/port does not hold a port number" >&2
			exit 1
			;;
		esac
		max=1
	fi
	while [ $tries -lt $max ]; do
		if ! port_busy $port; then
			if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
				-o "-p $port" start >&2; then
				echo "$port" >"$dir/port"
				echo "export CANDOR_TEST_PG_URL='postgresql://postgres@127.0.0.1:$port/postgres'"
				return 0
			fi
			# Lost a race for the port, or another failure: show why and try the next.
			tail -n 5 "$dir/server.log" >&2 2>/dev/null || true
		fi
		port=$((port + 1))
		tries=$((tries + 1))
	done
	if [ $max -eq 1 ]; then
		echo "pg.sh: could not start PostgreSQL again on its port $(cat "$dir/port")" \
			"(is another program using it?)" >&2
	else
		echo "pg.sh: could not start PostgreSQL on any port from 55432 to $port" >&2
	fi
	exit 1
}

stop() {
	if [ ! -f "$dir/data/postmaster.pid" ]; then
		echo "pg.sh: no server running in $dir" >&2
		return 0
	fi
	cd "$dir"
	as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2
}

case $cmd in
start) start ;;
stop) stop ;;
*) usage ;;
esac
