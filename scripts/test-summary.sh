#!/bin/sh
# Add up the stages' "PASSED FAILED" result files and print the closing
# line "N passed, M failed". A stage that left no result file (it could
# not even start: a build error, say) counts as one failure.
# Usage: test-summary.sh RESULTS_DIR
set -u
dir=$1
passed=0; failed=0
for stage in headers unit fuzz integration kut; do
	f="$dir/$stage.result"
	if [ ! -s "$f" ]; then
		echo "stage $stage: no results (it failed to run)"
		failed=$((failed + 1)); continue
	fi
	read -r p fl < "$f"
	echo "stage $stage: $p passed, $fl failed"
	passed=$((passed + p)); failed=$((failed + fl))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
