#!/bin/sh
# Add up the stages' result files ("PASSED FAILED" or "PASSED FAILED
# SKIPPED") and print the closing line "N passed, M failed, K skipped".
# A stage that left no result file (it could not even start: a build
# error, say) counts as one failure. Skip reasons a stage wrote to
# STAGE.skips ("COUNT<TAB>REASON" lines) are printed grouped, so a machine
# that skips a whole stage or emulator says so above the closing line.
# Each stage's wall time (STAGE.seconds, from scripts/stage.sh) is shown
# beside it: CI's budget is 45 minutes.
# Usage: test-summary.sh RESULTS_DIR
set -u
dir=$1
passed=0; failed=0; skipped=0
for stage in headers unit fuzz integration kut; do
	f="$dir/$stage.result"
	if [ ! -s "$f" ]; then
		echo "stage $stage: no results (it failed to run)"
		failed=$((failed + 1)); continue
	fi
	read -r p fl sk < "$f"
	sk=${sk:-0}
	secs=""
	[ -s "$dir/$stage.seconds" ] && secs=" ($(cat "$dir/$stage.seconds") s)"
	echo "stage $stage: $p passed, $fl failed, $sk skipped$secs"
	if [ -s "$dir/$stage.skips" ]; then
		while IFS="	" read -r n why; do
			echo "    $n skipped: $why"
		done < "$dir/$stage.skips"
	fi
	passed=$((passed + p)); failed=$((failed + fl)); skipped=$((skipped + sk))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
