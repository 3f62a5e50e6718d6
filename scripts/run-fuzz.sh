#!/bin/sh
# Run each libFuzzer target for SECONDS and record one test per target in
# BUILD/results/fuzz.result: a target passes when it ran its time out
# without a crash, leak or sanitizer report. Crash inputs stay in
# BUILD/fuzz/artifacts for reproduction. FUZZ_JOBS targets (default: one
# per core) run at once; each is single-threaded.
# Usage: run-fuzz.sh BUILD SECONDS BIN...
set -u
build=$1; secs=$2; shift 2
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
mkdir -p "$build/results" "$build/fuzz/artifacts"

# fuzz_one BIN: run it; its verdict line goes to BUILD/fuzz/NAME.verdict
fuzz_one() {
	name=$(basename "$1")
	corpus="$build/fuzz/corpus/$name"
	mkdir -p "$corpus"
	log="$build/fuzz/$name.log"
	# a target's dictionary (tests/fuzz/NAME.dict) helps it reach real commands
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	# shellcheck disable=SC2086
	if "$1" $dict -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$build/fuzz/artifacts/$name-" "$corpus" >"$log" 2>&1; then
		runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
		echo "ok   fuzz $name: ${runs:-?} inputs in ${secs}s, no findings"
	else
		tail -n 30 "$log"
		echo "FAIL fuzz $name: see $log"
	fi > "$build/fuzz/$name.verdict"
}

running=0
for bin in "$@"; do
	rm -f "$build/fuzz/$(basename "$bin").verdict"
	fuzz_one "$bin" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

passed=0; failed=0
for bin in "$@"; do
	v="$build/fuzz/$(basename "$bin").verdict"
	if [ -s "$v" ] && tail -n 1 "$v" | grep -q '^ok '; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	cat "$v" 2>/dev/null || echo "FAIL fuzz $(basename "$bin"): no verdict"
done
echo "fuzz: $passed passed, $failed failed"
echo "$passed $failed" > "$build/results/fuzz.result"
[ "$failed" -eq 0 ]
