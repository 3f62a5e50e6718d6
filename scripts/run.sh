#!/bin/sh
# Boot the built ESP in an emulator with the serial console on this
# terminal: sh scripts/run.sh bochs|qemu|kvm [BUILD]. Ctrl-] quits.
set -eu
emu=${1:-bochs}
build=${2:-${BUILD:-build}}
exec python3 "$(dirname "$0")/../tests/integration/emu.py" --interactive "$emu" \
	--build "$build" ${HV_MEM:+--mem "$HV_MEM"} ${HV_CPUS:+--cpus "$HV_CPUS"}
