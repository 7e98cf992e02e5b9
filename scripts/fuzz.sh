#!/bin/sh
# fuzz.sh BUILD_DIR SECONDS: runs every libFuzzer target built in BUILD_DIR (fuzz_*,
# from `cmake -DCANDOR_FUZZ=ON`) for SECONDS each and fails, naming the targets, if any
# of them crashes, leaks, times out or breaks an invariant.
#
# Each target NAME runs on a temporary copy of fuzz/corpus/NAME/ (so the committed
# corpus does not grow on every run), plus fuzz/regress/NAME/ read-only if present.
# Crashing inputs and the full logs are kept in BUILD_DIR/fuzz-out/NAME/: once fixed,
# copy a crash into fuzz/regress/NAME/ under a name saying what it broke (.gitignore
# ignores crash-*, so keep that name and git add skips it), and
# tests/unit/test_fuzz_replay.c replays it in every ctest run. Extra libFuzzer flags may be given in FUZZ_ARGS (e.g. -jobs=4).
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
build=$1
secs=$2
case $secs in
'' | *[!0-9]*)
	echo "fuzz.sh: SECONDS must be a whole number, not '$secs'" >&2
	exit 2
	;;
esac
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/candor-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

ran=0
failed=""
for bin in "$build"/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	target=$(basename "$bin")
	name=${target#fuzz_}
	out="$build/fuzz-out/$name"
	rm -rf "$out"
	mkdir -p "$out" "$work/$name"
	if [ -d "$src/fuzz/corpus/$name" ]; then
		cp -R "$src/fuzz/corpus/$name/." "$work/$name/"
	fi
	set -- "$work/$name"
	if [ -d "$src/fuzz/regress/$name" ]; then
		set -- "$@" "$src/fuzz/regress/$name"
	fi
	echo "== $target: ${secs}s, $(ls "$work/$name" | wc -l) seed inputs"
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
	if "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$out/" ${FUZZ_ARGS:-} "$@" >"$out/log" 2>&1; then
		grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
		    "$out/log" | sed 's/^/   /'
		echo "   corpus grew to $(ls "$work/$name" | wc -l) inputs (not kept)"
	else
		echo "FAIL: $target (log: $out/log)"
		grep -E 'ERROR|invariant violated|SUMMARY|Test unit written' "$out/log" | sed 's/^/   /'
		failed="$failed $target"
	fi
	ran=$((ran + 1))
done

if [ "$ran" -eq 0 ]; then
	echo "fuzz.sh: no fuzz_* targets in $build (build with -DCANDOR_FUZZ=ON)" >&2
	exit 2
fi
if [ -n "$failed" ]; then
	echo "fuzz.sh: crashed:$failed" >&2
	exit 1
fi
echo "fuzz.sh: $ran targets ran ${secs}s each without a crash"
