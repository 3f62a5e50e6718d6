#!/bin/sh
# Run host unit test binaries (plain and sanitized), add up greatest's
# counts, and record "PASSED FAILED" in BUILD/results/unit.result.
# A binary that crashes or prints no summary counts as one failure.
# Usage: run-unit.sh BUILD BIN...
set -u
build=$1; shift
mkdir -p "$build/results"
passed=0; failed=0
for bin in "$@"; do
	out=$("$bin" 2>&1); rc=$?
	# greatest ends with "Pass: N, fail: M, skip: K."
	line=$(printf '%s\n' "$out" | grep -E '^Pass: [0-9]+, fail: [0-9]+' | tail -n 1)
	if [ -z "$line" ]; then
		printf '%s\n' "$out" | tail -n 20
		echo "FAIL $bin: no test summary (exit $rc)"
		failed=$((failed + 1)); continue
	fi
	p=$(echo "$line" | sed -E 's/^Pass: ([0-9]+).*/\1/')
	f=$(echo "$line" | sed -E 's/^Pass: [0-9]+, fail: ([0-9]+).*/\1/')
	s=$(echo "$line" | sed -E 's/.*skip: ([0-9]+).*/\1/')
	# a skipped test is an assertion that did not run: count it as failed
	f=$((f + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$f" -ne 0 ]; then
		printf '%s\n' "$out" | grep -vE '^\s*$' | tail -n 30
		echo "FAIL $bin: $p passed, $f failed"
	else
		echo "ok   $bin: $p passed"
	fi
	passed=$((passed + p)); failed=$((failed + f))
done
echo "unit: $passed passed, $failed failed"
echo "$passed $failed" > "$build/results/unit.result"
[ "$failed" -eq 0 ]
