"""The legacy PC devices (kernel/pcdev.h) as a guest sees them: the 8259A
pair delivering the PIT's IRQ0 through LINT0 in ExtINT mode and with the
local APIC disabled, PIT channel 2 calibration through port 0x61 as
Linux does it, the CMOS RTC advancing, a reset through the i8042 or
port 0x92 rebooting the guest in place, and the devices surviving a
snapshot.
"""

import re
import time

from emu import boot
from test_guests import VMX_KINDS, guest, start, transcript, wait_for

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


def check_reboots(s, name, via, port, value):
    """The guest asked for a reset through port: it is booted again in
    place (same name, its image from the start: it asks again, and so on)
    and `guest info` counts the resets; `guest stop` ends the loop."""
    mark = s.console.mark()
    start(s, "pc_devices.elf name=%s mem=4 -- ms=200 reset=%s" % (name, via))
    wait_for(s, r"^\[%s\] RESET via=%s" % (name, via), mark)
    wait_for(s, r"guest %s: reset by the guest \(port 0x%x value 0x%02x\): restarting"
             % (name, port, value), mark, 60)
    wait_for(s, r"guest %s: restarted \(reset 1\)" % name, mark, 60)
    # the image ran again from its entry point: a second RESET line
    wait_for(s, r"^\[%s\] RESET via=%s(?:.*\n)+?\[%s\] RESET via=%s" % (name, via, name, via),
             mark, 120)
    out = s.console.since(mark)
    assert "RESULT pc_devices" not in out and "stopped" not in out, out
    info = s.json("guest info %s" % name)
    assert info["ok"] and info["resets"] >= 1 and info["state"] == "running", info
    s.note("%s: %d resets so far" % (name, info["resets"]))
    assert s.json("guest stop %s" % name)["ok"]


@boot(GROUP, **OPTS)
def test_pc_reset_through_the_i8042_reboots_the_guest(s):
    check_reboots(s, "pcr", "kbc", 0x64, 0xfe)


@boot(GROUP, **OPTS)
def test_pc_snapshot_mid_measurement_restores_and_clones_running_devices(s):
    """Snapshot while IRQ0 is being counted: the restored guest and a clone
    finish the measurement at 100 Hz, so the PIC, the PIT schedule and
    the RTC came back running (their times relative to the guest TSC)."""
    mark = s.console.mark()
    start(s, "pc_devices.elf name=pcs mem=4 -- ms=4000")
    wait_for(s, r"^\[pcs\] IRQ0 armed", mark)
    time.sleep(1.0)
    snap = s.json("guest snapshot pcs")
    assert snap["ok"] is True, snap
    wait_for(s, r"^\[pcs\] RESULT pc_devices (ok|fail)", mark)
    wait_for(s, r"guest pcs: stopped: exited with status 0", mark, 60)
    for cmd, name in (("guest restore pcs", "pcs"), ("guest clone pcs pcs2", "pcs2")):
        mark = s.console.mark()
        assert s.json(cmd)["state"] == "running"
        m = wait_for(s, r"^\[%s\] RESULT pc_devices (ok.*|fail.*)" % name, mark)
        assert m.group(1).startswith("ok"), m.group(0)
        rate = re.search(r"^\[%s\] IRQ0 .*rate_hz=([\d.]+)" % name, transcript(s, mark), re.M)
        s.note("%s: IRQ0 at %s Hz after %s" % (name, rate.group(1) if rate else "?",
                                                cmd.split()[1]))


@boot(GROUP, **OPTS)
def test_pc_fast_reset_through_port_92_reboots_the_guest(s):
    check_reboots(s, "pcf", "port92", 0x92, 0x03)
