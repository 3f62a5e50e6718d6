#!/bin/sh
# Run each libFuzzer target for SECONDS and record one test per target in
# BUILD/results/fuzz.result: a target passes when it ran its time out
# without a crash, leak or sanitizer report. Crash inputs stay in
# BUILD/fuzz/artifacts for reproduction.
# Usage: run-fuzz.sh BUILD SECONDS BIN...
set -u
build=$1; secs=$2; shift 2
mkdir -p "$build/results" "$build/fuzz/artifacts"
passed=0; failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	corpus="$build/fuzz/corpus/$name"
	mkdir -p "$corpus"
	log="$build/fuzz/$name.log"
	# a target's dictionary (tests/fuzz/NAME.dict) helps it reach real commands
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	# shellcheck disable=SC2086
	if "$bin" $dict -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$build/fuzz/artifacts/$name-" "$corpus" >"$log" 2>&1; then
		runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
		echo "ok   fuzz $name: ${runs:-?} inputs in ${secs}s, no findings"
		passed=$((passed + 1))
	else
		tail -n 30 "$log"
		echo "FAIL fuzz $name: see $log"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
echo "$passed $failed" > "$build/results/fuzz.result"
[ "$failed" -eq 0 ]
