"""Isolation tests: a guest that floods its serial port (rep outsb to COM1,
forever) must cost a neighbour no more than a plain CPU-bound guest does,
must not slow the console, and cannot forge the hypervisor's output.

Shares are measured in the hypervisor's own time (`uptime` ms and the
guest's `run_ms`): under Bochs that is emulated time, so the load other
processes put on this machine does not move the figures.
"""

import re
import time

from emu import boot
from test_guests import VMX_KINDS, guest, start, transcript, wait_for

GROUP = "isolation"
OPTS = dict(kinds=VMX_KINDS, mem_mib=512)
WINDOW = 25.0  # wall seconds per measurement


def share(s, name):
    """The CPU share NAME gets over a window of hypervisor time, and its rounds."""
    mark = s.console.mark()
    u0, r0 = s.json("uptime")["ms"], guest(s, name)["run_ms"]
    time.sleep(WINDOW)
    u1, r1 = s.json("uptime")["ms"], guest(s, name)["run_ms"]
    rounds = len(re.findall(r"^\[%s\] PROGRESS workload round=" % name, transcript(s, mark), re.M))
    assert u1 > u0, (u0, u1)
    return (r1 - r0) / (u1 - u0), rounds / ((u1 - u0) / 1000.0)


@boot(GROUP, **OPTS)
def test_isolation_serial_flood_costs_no_more_than_a_cpu_hog(s):
    mark = s.console.mark()
    start(s, "workload.elf name=victim mem=16 -- rounds=0 pages=2048")
    wait_for(s, r"^\[victim\] PROGRESS workload round=2 ", mark)
    start(s, "hostile_spin.elf name=hog mem=4")
    wait_for(s, r"^\[hog\] PROGRESS hostile_spin spinning", mark)
    base_share, base_rate = share(s, "victim")
    assert s.json("guest stop hog")["state"] == "stopped"
    start(s, "hostile_serial.elf name=flood mem=4")
    wait_for(s, r"^\[flood\] PROGRESS hostile_serial flooding", mark)
    flood_share, flood_rate = share(s, "victim")
    s.note("victim CPU share beside a CPU hog %.3f, beside a serial flood %.3f (ratio %.2f); "
           "rounds/s %.2f and %.2f" % (base_share, flood_share, flood_share / base_share,
                                       base_rate, flood_rate))
    assert base_share > 0.2, base_share
    assert flood_share >= 0.9 * base_share, (base_share, flood_share)


@boot(GROUP, **OPTS)
def test_isolation_console_answers_during_a_flood(s):
    """A `version` round trip within a second of the emulator's own time
    (its CPU seconds: on a host running other emulators Bochs gets less
    than a core, and a wall-clock second would measure the host)."""
    assert guest(s, "flood")["state"] == "running"
    worst = worst_wall = 0.0
    for _ in range(5):
        t0, c0 = time.monotonic(), s.emu.cpu_seconds()
        assert s.json("version")["ok"] is True
        worst = max(worst, s.emu.cpu_seconds() - c0)
        worst_wall = max(worst_wall, time.monotonic() - t0)
        time.sleep(1)
    s.note("slowest version round trip during the flood: %.3f s of the emulator's CPU "
           "(%.3f s wall)" % (worst, worst_wall))
    assert worst < 1.0, (worst, worst_wall)


@boot(GROUP, **OPTS)
def test_isolation_flood_is_dropped_counted_and_defanged(s):
    g = guest(s, "flood")
    assert g["output_dropped"] > 0, g
    text = transcript(s, 0)
    lines = [l for l in text.split("\n") if l.startswith("[flood] ")]
    assert lines, "no [flood] line shown"
    for l in lines:
        assert "\x1b" not in l, repr(l)
    assert re.search(r"\[flood: \d+ bytes of output dropped\]", text), text[-2000:]
    # the neighbour's lines still come through, complete
    mark = s.console.mark()
    wait_for(s, r"^\[victim\] PROGRESS workload round=\d+ pages=2048 ", mark)
    assert s.json("guest stop flood")["state"] == "stopped"
