#!/usr/bin/env bash
# Installs the Debian packages candor needs, when missing, with apt-get (sudo when not
# root). Nothing is downloaded from anywhere else. Groups:
#   build  compiler, CMake and the libraries (make build, make run)
#   test   + a PostgreSQL server, clang/libFuzzer, curl, sqlite3, aiosmtpd, uap-core (the
#          User-Agent corpus of the analytics accuracy test), and for the browser
#          test Chromium, Node.js and npm (make test, make fuzz); the browser test's npm ci
#          (playwright-core, never a browser) is tests/browser/run.sh's
#   bench  + wrk and nginx (make bench)
# Usage: scripts/deps.sh [build|test|bench] [--check]
#   --check: exit 1 and name what is missing, install nothing.
set -euo pipefail
group=build check=
for a in "$@"; do
	case $a in
	build|test|bench) group=$a ;;
	--check) check=1 ;;
	*) echo "usage: scripts/deps.sh [build|test|bench] [--check]" >&2; exit 2 ;;
	esac
done
pkgs=(build-essential cmake pkg-config
      libmicrohttpd-dev libsqlite3-dev libpq-dev libsodium-dev libcurl4-openssl-dev
      libcmark-dev libjansson-dev libinih-dev)
case $group in
test|bench)
	pkgs+=(postgresql clang libclang-rt-14-dev curl sqlite3 python3-aiosmtpd chromium nodejs
	       uap-core)
	# Debian's npm, unless the nodejs installed already brings an npm of its own (a
	# nodejs from another repository conflicts with Debian's npm package).
	command -v npm >/dev/null || pkgs+=(npm)
	;;
esac
[ "$group" = bench ] && pkgs+=(wrk nginx-light)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ -n "$check" ]; then
	echo "missing packages: ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# policy-rc.d keeps Debian from starting the services it installs (postgresql, nginx):
# candor's tests and benchmarks start their own private instances.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
	$sudo chmod +x /usr/sbin/policy-rc.d
	trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
