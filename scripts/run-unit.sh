#!/bin/sh
# Run host unit test binaries (plain and sanitized), add up greatest's
# counts, and record "PASSED FAILED" in BUILD/results/unit.result.
#
# Every binary runs with its suites and tests shuffled (UNIT_SEED, printed
# so an order can be replayed; set it to choose one). The plain binaries
# also run in source order and with each test alone (greatest -e -t NAME):
# a test must pass the same in all three. The counts are those of the
# shuffled runs; a failure in the other two adds one failure per test.
# A binary that crashes or prints no summary counts as one failure.
# Usage: run-unit.sh BUILD BIN...
set -u
build=$1; shift
mkdir -p "$build/results"
if [ -z "${UNIT_SEED:-}" ]; then
	# greatest uses the low 29 bits; 0 would mean "source order"
	UNIT_SEED=$(( ($(date +%s) % 536870911) + 1 ))
fi
echo "unit: tests shuffled with UNIT_SEED=$UNIT_SEED"
passed=0; failed=0

# run_bin SEED BIN LABEL [ARGS...]: run once with UNIT_SEED=SEED; sets p and f from greatest's
# "Pass: N, fail: M, skip: K." (a skip counts as a failure: an assertion
# that did not run). Prints the output's tail on failure.
run_bin() {
	seed=$1; bin=$2; label=$3; shift 3
	out=$(env UNIT_SEED="$seed" "$bin" "$@" 2>&1); rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^Pass: [0-9]+, fail: [0-9]+' | tail -n 1)
	if [ -z "$line" ]; then
		printf '%s\n' "$out" | tail -n 20
		echo "FAIL $bin ($label): no test summary (exit $rc)"
		p=0; f=1; return
	fi
	p=$(echo "$line" | sed -E 's/^Pass: ([0-9]+).*/\1/')
	f=$(echo "$line" | sed -E 's/^Pass: [0-9]+, fail: ([0-9]+).*/\1/')
	s=$(echo "$line" | sed -E 's/.*skip: ([0-9]+).*/\1/')
	f=$((f + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$f" -ne 0 ]; then
		printf '%s\n' "$out" | grep -vE '^\s*$' | grep -v '^init_second_pass' | tail -n 30
		echo "FAIL $bin ($label): $p passed, $f failed"
	fi
}

for bin in "$@"; do
	run_bin "$UNIT_SEED" "$bin" "shuffled"
	passed=$((passed + p)); failed=$((failed + f))
	[ "$f" -eq 0 ] && echo "ok   $bin: $p passed"
	case "$bin" in *unit-asan/*) continue ;; esac
	run_bin 0 "$bin" "source order"
	failed=$((failed + f))
	# each test on its own, by exact name (greatest -l lists them)
	alone_failed=0
	for t in $("$bin" -l | sed -n 's/^  //p'); do
		run_bin 0 "$bin" "alone: $t" -e -t "$t"
		if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
			echo "FAIL $bin (alone: $t): the test did not run"; f=1
		fi
		alone_failed=$((alone_failed + f))
	done
	failed=$((failed + alone_failed))
done
echo "unit: $passed passed, $failed failed"
echo "$passed $failed" > "$build/results/unit.result"
[ "$failed" -eq 0 ]
