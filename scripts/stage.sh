#!/bin/sh
# Run one stage of `make test` and record its wall time in
# RESULTS/STAGE.seconds for scripts/test-summary.sh; the stage's own
# status is passed on.
# Usage: stage.sh RESULTS STAGE COMMAND...
set -u
dir=$1; stage=$2; shift 2
start=$(date +%s)
"$@"; rc=$?
echo $(( $(date +%s) - start )) > "$dir/$stage.seconds"
exit $rc
