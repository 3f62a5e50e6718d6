#!/bin/sh
# check-headers.sh BUILD "KCFLAGS" ["EFICFLAGS"]
#
# Every header must compile on its own, so that its users need not know
# what else to include first. Each header under lib/ boot/ arch/ kernel/ net/
# migrate/ is compiled as a translation unit that includes it twice (the
# second time checks its include guard) with the image's flags; boot/
# headers also get the GNU-EFI flags. Run from the repository root.
#
# Writes "PASSED FAILED" to BUILD/results/headers.result, prints one line
# per failing header and exits non-zero if any failed.

set -u

[ $# -ge 2 ] || { echo "usage: $0 BUILD \"KCFLAGS\" [\"EFICFLAGS\"]" >&2; exit 2; }
BUILD=$1
KCFLAGS=$2
EFICFLAGS=${3:-"-isystem /usr/include/efi -isystem /usr/include/efi/x86_64 -DGNU_EFI_USE_MS_ABI"}
CC=${CC:-gcc}
DIRS="lib boot arch kernel net migrate"

mkdir -p "$BUILD/results"
log="$BUILD/results/headers.log"
: >"$log"
passed=0
failed=0

# shellcheck disable=SC2086 # missing directories are dropped by find's 2>/dev/null
headers=$(find $DIRS -name '*.h' 2>/dev/null | LC_ALL=C sort)
for h in $headers; do
	case $h in
	boot/*) flags="$KCFLAGS $EFICFLAGS" ;;
	*) flags=$KCFLAGS ;;
	esac
	# shellcheck disable=SC2086 # flags are a word list
	if out=$(printf '#include "%s"\n#include "%s"\n' "$h" "$h" |
		$CC $flags -x c -c - -o /dev/null 2>&1); then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		first=$(printf '%s\n' "$out" | grep -m 1 -E 'error|warning' ||
			printf '%s\n' "$out" | head -n 1)
		echo "header FAILED: $h: $first"
		printf '== %s\n%s\n' "$h" "$out" >>"$log"
	fi
done

echo "$passed $failed" >"$BUILD/results/headers.result"
echo "headers: $passed passed, $failed failed (details in $log)"
[ "$failed" -eq 0 ]
