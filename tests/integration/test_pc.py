"""The legacy PC devices (kernel/pcdev.h) as a guest sees them: the 8259A
pair delivering the PIT's IRQ0 through LINT0 in ExtINT mode and with the
local APIC disabled, PIT channel 2 calibration through port 0x61 as
Linux does it, the CMOS RTC advancing, and a reset through the i8042
ending the guest.
"""

from emu import boot
from test_guests import VMX_KINDS, guest, start, wait_for

GROUP = "pc"
OPTS = dict(kinds=VMX_KINDS, mem_mib=256)


def run_pc_devices(s, name, apic):
    mark = s.console.mark()
    start(s, "pc_devices.elf name=%s mem=4 -- apic=%s" % (name, apic))
    m = wait_for(s, r"^\[%s\] RESULT pc_devices (ok.*|fail.*)" % name, mark)
    assert m.group(1).startswith("ok"), m.group(0)
    wait_for(s, r"guest %s: stopped: exited with status 0" % name, mark, 60)
    assert guest(s, name)["exit_status"] == 0


@boot(GROUP, **OPTS)
def test_pc_devices_extint_through_lint0(s):
    run_pc_devices(s, "pcx", "extint")


@boot(GROUP, **OPTS)
def test_pc_devices_with_the_apic_disabled(s):
    run_pc_devices(s, "pco", "off")


@boot(GROUP, **OPTS)
def test_pc_reset_through_the_i8042_stops_the_guest(s):
    mark = s.console.mark()
    start(s, "pc_devices.elf name=pcr mem=4 -- ms=200 reset=kbc")
    wait_for(s, r"^\[pcr\] RESET via=kbc", mark)
    wait_for(s, r"guest pcr: stopped: reset by the guest \(port 0x64 value 0xfe\)", mark, 60)
    out = s.console.since(mark)
    assert "RESULT pc_devices" not in out, out
