#!/usr/bin/env bash
# candor's browser test (issue 5): starts a real `candor serve` on a fresh data directory
# and has Debian's Chromium, driven by playwright-core (tests/browser/flow.js), walk
# signup -> email link (read from the Maildir) -> login -> export -> delete.
# Usage: tests/browser/run.sh sqlite|postgres [WALK.js [PART]]
#   WALK.js           the walk to run (default flow.js; xss.js is issue 6's XSS corpus,
#                     admin.js its moderation walk; they also get CANDOR_BIN, CANDOR_DATA
#                     and CANDOR_HOST)
#   PART              given to the walk as its argument (xss.js: content or comments)
#   CANDOR_BIN        the candor binary (ctest sets it)
#   CANDOR_TEST_PG_URL admin URL of the private test cluster (tests/run.sh sets it), for
#                     postgres: a fresh database candor_browser_<pid> is made and dropped.
#   CANDOR_TEST_KEEP  keep the temporary directory (and the database) for a look after.
# Never skips: a missing node, npm or /usr/bin/chromium fails with a sentence.
# playwright-core is installed by `npm ci` from the committed package-lock.json into
# tests/browser/node_modules, only when missing or outdated; it never downloads a browser.
set -euo pipefail
backend=${1:?usage: tests/browser/run.sh sqlite|postgres [WALK.js]}
walk=${2:-flow.js}
part=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
name=it_browser
[ "$walk" = flow.js ] || name=it_${walk%.js}${part:+_$part}_browser
fail() {
	echo "$name.$backend: FAIL: $*" >&2
	exit 1
}
[ -f "$here/$walk" ] || fail "no walk $here/$walk"
case $backend in sqlite | postgres) ;; *) fail "the backend must be sqlite or postgres, not '$backend'" ;; esac
bin=${CANDOR_BIN:-}
{ [ -n "$bin" ] && [ -x "$bin" ]; } || fail "CANDOR_BIN does not name the candor binary (run through ctest or tests/run.sh BUILD_DIR)"
command -v node >/dev/null || fail "node is not installed; the browser test needs Node.js (scripts/deps.sh test installs Debian's nodejs)"
command -v npm >/dev/null || fail "npm is not installed; the browser test needs it for playwright-core (scripts/deps.sh test installs Debian's npm)"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing; the browser test needs Debian's chromium package (scripts/deps.sh test installs it)"

# playwright-core, from the lock file, once: both backends' tests may start together.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
stamp="$here/node_modules/.candor-lock.sha256"
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
	(
		flock 9
		if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
			echo "it_browser: npm ci (playwright-core, from package-lock.json)" >&2
			(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
				fail "npm ci in $here failed (see above)"
			echo "$want" >"$stamp"
		fi
	) 9>"$here/.npm.lock"
fi

tmp=$(mktemp -d /tmp/candor-browser.XXXXXX)
data=$tmp/data
pid="" db=""
cleanup() {
	local rc=$?
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	if [ -n "$db" ] && [ -z "${CANDOR_TEST_KEEP:-}" ]; then
		psql -q -X -d "$CANDOR_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
			>/dev/null 2>&1 || true
	fi
	if [ $rc -ne 0 ] && [ -f "$tmp/serve.log" ]; then
		echo "--- candor serve log (last 40 lines) ---" >&2
		tail -n 40 "$tmp/serve.log" >&2
	fi
	if [ -n "${CANDOR_TEST_KEEP:-}" ]; then
		echo "it_browser: kept $tmp${db:+ and the database $db}" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

# The data directory, as tests/lib/testserver.c t_datadir makes it: the demo (its
# privacy policy is what signup accepts), on a fresh database for postgres.
if [ "$backend" = postgres ]; then
	[ -n "${CANDOR_TEST_PG_URL:-}" ] || fail "CANDOR_TEST_PG_URL is not set: run through \`make test\` or tests/run.sh BUILD_DIR, which start a private PostgreSQL cluster (tests/pg.sh)"
	command -v psql >/dev/null || fail "psql is missing (Debian's postgresql-client, which scripts/deps.sh test brings)"
	db=candor_browser_$$
	psql -q -X -v ON_ERROR_STOP=1 -d "$CANDOR_TEST_PG_URL" -c "CREATE DATABASE $db" >/dev/null ||
		{ db=; fail "cannot create a database in the test cluster"; }
	# the admin URL with its database (the path) replaced
	url=$(printf '%s' "$CANDOR_TEST_PG_URL" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\\1/$db#")
	"$bin" init --data "$data" --demo --database "$url" >"$tmp/init.log" 2>&1 ||
		fail "candor init failed: $(cat "$tmp/init.log")"
else
	"$bin" init --data "$data" --demo >"$tmp/init.log" 2>&1 ||
		fail "candor init failed: $(cat "$tmp/init.log")"
fi

# xss.js sends each comment from its own address (X-Forwarded-For, as a proxy in front
# would), so the server believes the test's 127.0.0.1 as a proxy there.
if [ "$walk" = xss.js ]; then
	sed -i 's/^trusted_proxies = *$/trusted_proxies = 127.0.0.1/' "$data/candor.conf"
	grep -q '^trusted_proxies = 127.0.0.1$' "$data/candor.conf" || fail "cannot set trusted_proxies in $data/candor.conf"
fi

# serve on a port the kernel picks; the log names it.
"$bin" serve --data "$data" --listen 127.0.0.1:0 >"$tmp/serve.log" 2>&1 &
pid=$!
port=
for _ in $(seq 1 3000); do
	port=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$tmp/serve.log" | head -n 1)
	[ -n "$port" ] && break
	kill -0 "$pid" 2>/dev/null || fail "candor serve exited early: $(cat "$tmp/serve.log")"
	sleep 0.01
done
[ -n "$port" ] || fail "candor serve did not start listening within 30 s"
origin=http://127.0.0.1:$port

# The demo sites' origins are http://*.localhost:8080, so their mail links would point
# elsewhere; a site for the test's own address, with the test server's origin, makes the
# verification link exactly what a member would receive (no rewriting). No page was
# asked for yet, so nothing was cached under this Host before the site exists.
"$bin" site add --data "$data" --host 127.0.0.1 --title "Browser test" --origin "$origin" \
	>"$tmp/site.log" 2>&1 || fail "candor site add failed: $(cat "$tmp/site.log")"

start=$(date +%s)
CANDOR_ORIGIN=$origin CANDOR_MAILDIR=$data/maildir CANDOR_BACKEND=$backend \
	CANDOR_BIN=$bin CANDOR_DATA=$data CANDOR_HOST=127.0.0.1 \
	node "$here/$walk" ${part:+"$part"} || fail "the browser walk $walk failed (see above)"

# A clean stop: serve exits 0 on SIGTERM (a sanitizer report would make it fail).
kill -TERM "$pid"
(sleep 10 && kill -9 "$pid") >/dev/null 2>&1 &
watchdog=$!
rc=0
wait "$pid" 2>/dev/null || rc=$?
pid=
kill "$watchdog" 2>/dev/null || true
wait "$watchdog" 2>/dev/null || true
[ $rc -ne 137 ] || fail "candor serve did not stop within 10 s of SIGTERM"
[ $rc -eq 0 ] || fail "candor serve exited with status $rc after SIGTERM"
echo "$name.$backend: passed in $(($(date +%s) - start)) s of browser time"
