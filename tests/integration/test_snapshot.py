"""Snapshot tests: guest state as data. A guest's state record and RAM are
kept in host memory (guest snapshot), rolled back (guest restore) and
started as a second guest (guest clone). The workload guest checks every
page it wrote each round, so a restored or cloned copy that lost or mixed
up memory fails its own verification; apic_timer measures its timer
against its own TSC, so a timer that does not survive a restore, or a TSC
that jumps, shows as a hang or a wrong rate.
"""

import re
import time

from emu import boot
from test_guests import VMX_KINDS, guest, start, transcript, wait_for

GROUP = "snapshot"
OPTS = dict(kinds=VMX_KINDS, mem_mib=512)


ROUND = r"^\[%s\] PROGRESS (?:workload|long64) round=(\d+)"


def first_round_after(s, name, mark, timeout=240.0):
    """The first round NAME (workload or long64) reports after mark."""
    m = wait_for(s, ROUND % re.escape(name), mark, timeout)
    return int(m.group(1))


def last_round(s, name):
    """The round NAME reported last (rounds go back after a restore)."""
    found = re.findall(ROUND % re.escape(name), transcript(s, 0), re.M)
    assert found, "%s reported no round" % name
    return int(found[-1])


def paused_round(s, name):
    """Pause NAME, let its output drain, and return the last round it reported."""
    assert s.json("guest pause %s" % name)["state"] == "paused"
    time.sleep(1.5)
    return last_round(s, name)


def no_failure(s, name, mark):
    text = transcript(s, mark)
    assert not re.search(r"^\[%s\] RESULT \w+ fail" % re.escape(name), text, re.M), text[-2000:]


@boot(GROUP, **OPTS)
def test_snapshot_restore_continues_from_the_same_step(s):
    start(s, "workload.elf name=snap mem=8 -- rounds=0 pages=128 rate=192")
    wait_for(s, r"^\[snap\] PROGRESS workload round=2 ", 0)
    at = paused_round(s, "snap")
    snap = s.json("guest snapshot snap")
    assert snap["ok"] is True and snap["ram_mib"] == 8, snap
    assert 0 < snap["record_bytes"] < 4096, snap
    s.note("record %d bytes, 8 MiB snapshot in %d us (%d cycles)" %
           (snap["record_bytes"], snap["us"], snap["cycles"]))
    assert s.json("guest resume snap")["state"] == "running"
    wait_for(s, r"^\[snap\] PROGRESS workload round=%d " % (at + 3), 0)
    before = s.json("guest info snap")["tsc"]
    assert before > snap["guest_tsc"], (before, snap)
    mark = s.console.mark()
    back = s.json("guest restore snap")
    assert back["ok"] is True and back["state"] == "running", back
    tsc = s.json("guest info snap")["tsc"]
    # the guest's time continues from the snapshot's value, not from the host's
    assert snap["guest_tsc"] <= tsc < before, (snap["guest_tsc"], tsc, before)
    assert first_round_after(s, "snap", mark) == at + 1
    wait_for(s, r"^\[snap\] PROGRESS workload round=%d .*verified=yes" % (at + 2), mark)
    no_failure(s, "snap", mark)


@boot(GROUP, **OPTS)
def test_guest_list_text_is_a_table(s):
    reply = s.text("guest list")
    lines = reply.strip().splitlines()
    assert re.match(r"^NAME\s+STATE\s+RAM MiB\s+CPU s\s+EXITS$", lines[0]), reply
    row = [l for l in lines if l.split()[0] == "snap"]
    assert row and re.match(r"^snap\s+running\s+8\s+\d+\.\d\d\s+\d+$", row[0]), reply
    # numbers are right-aligned under their heading
    end = lines[0].index("RAM MiB") + len("RAM MiB")
    assert row[0][end - 1] == "8" and row[0][end] == " ", (lines[0], row[0])
    assert s.json("guest list")["guests"][0]["name"], "JSON keeps every field"


@boot(GROUP, **OPTS)
def test_snapshot_clone_runs_beside_the_original(s):
    at = paused_round(s, "snap")
    snap = s.json("guest snapshot snap")
    assert snap["ok"] is True, snap
    resumed = s.console.mark()
    assert s.json("guest resume snap")["state"] == "running"
    wait_for(s, r"^\[snap\] PROGRESS workload round=%d " % (at + 1), resumed)
    mark = s.console.mark()
    c = s.json("guest clone snap twin")
    assert c["ok"] is True and c["name"] == "twin" and c["state"] == "running", c
    # the clone's time continues from the snapshot's, behind the original's
    twin_tsc, snap_tsc = s.json("guest info twin")["tsc"], s.json("guest info snap")["tsc"]
    assert snap["guest_tsc"] <= twin_tsc < snap_tsc, (snap["guest_tsc"], twin_tsc, snap_tsc)
    assert first_round_after(s, "twin", mark) == at + 1
    wait_for(s, r"^\[twin\] PROGRESS workload round=%d " % (at + 2), mark)
    wait_for(s, r"^\[snap\] PROGRESS workload round=%d " % (at + 2), mark)
    no_failure(s, "twin", mark)
    no_failure(s, "snap", mark)
    assert guest(s, "twin")["mem_mib"] == 8
    assert s.json("guest stop twin")["state"] == "stopped"


@boot(GROUP, **OPTS)
def test_snapshot_restore_brings_back_a_stopped_guest(s):
    at = paused_round(s, "snap")
    assert s.json("guest snapshot snap")["ok"] is True
    assert s.json("guest stop snap")["state"] == "stopped"
    mark = s.console.mark()
    back = s.json("guest restore snap")
    assert back["ok"] is True and back["state"] == "running", back
    assert first_round_after(s, "snap", mark) == at + 1
    no_failure(s, "snap", mark)


@boot(GROUP, **OPTS)
def test_snapshot_64bit_guest_beside_a_32bit_one(s):
    """long64 runs in long mode at ring 3 with SYSCALL and an SSE counter
    checked every round; snapshot, restore and clone keep all of it."""
    mark = s.console.mark()
    start(s, "long64.elf name=l64 mem=8 -- rounds=0 pages=128 rate=192")
    m = wait_for(s, r"^\[l64\] PROGRESS long64 config .* efer=0x(\w+)", mark)
    assert int(m.group(1), 16) & 0x400, "EFER.LMA not set: %s" % m.group(0)
    wait_for(s, r"^\[l64\] PROGRESS long64 round=2 .*cpl=3", mark)
    assert guest(s, "snap")["state"] == "running"
    assert first_round_after(s, "snap", s.console.mark()) > 0  # the 32-bit one goes on
    at = paused_round(s, "l64")
    assert s.json("guest snapshot l64")["ok"] is True
    assert s.json("guest resume l64")["state"] == "running"
    wait_for(s, r"^\[l64\] PROGRESS long64 round=%d " % (at + 2), mark)
    mark = s.console.mark()
    assert s.json("guest restore l64")["state"] == "running"
    assert first_round_after(s, "l64", mark) == at + 1
    wait_for(s, r"^\[l64\] PROGRESS long64 round=%d .*xmm=%d cpl=3" % (at + 2, at + 2), mark)
    c = s.json("guest clone l64 l64b")
    assert c["ok"] is True, c
    assert first_round_after(s, "l64b", mark) == at + 1
    wait_for(s, r"^\[l64b\] PROGRESS long64 round=%d " % (at + 2), mark)
    no_failure(s, "l64", mark)
    no_failure(s, "l64b", mark)
    no_failure(s, "snap", mark)
    assert s.json("guest stop l64b")["state"] == "stopped"
    assert s.json("guest stop l64")["state"] == "stopped"


@boot(GROUP, **OPTS)
def test_snapshot_apic_timer_armed_before_fires_after_restore(s):
    mark = s.console.mark()
    start(s, "apic_timer.elf name=tmr mem=4 -- mode=xapic timer=periodic hz=4 count=24")
    wait_for(s, r"^\[tmr\] .*armed", mark)
    time.sleep(1.0)
    snap = s.json("guest snapshot tmr")
    assert snap["ok"] is True, snap
    wait_for(s, r"^\[tmr\] RESULT apic_timer ok", mark)
    wait_for(s, r"guest tmr: stopped: exited with status 0", mark, 30)
    mark = s.console.mark()
    assert s.json("guest restore tmr")["state"] == "running"
    # the restored guest sits in "sti; hlt" waiting for the timer armed
    # before the snapshot: only its firing lets the test finish
    wait_for(s, r"^\[tmr\] RESULT apic_timer ok", mark)
    m = re.search(r"measured_hz=([\d.]+)", transcript(s, mark))
    assert m and abs(float(m.group(1)) - 4.0) <= 0.4, transcript(s, mark)[-1500:]
    s.note("rate after restore: %s Hz (target 4)" % m.group(1))
    # a clone of the same snapshot: its own copy of the timer fires too
    mark = s.console.mark()
    assert s.json("guest clone tmr tmr2")["state"] == "running"
    wait_for(s, r"^\[tmr2\] RESULT apic_timer ok", mark)
    m = re.search(r"^\[tmr2\] .*measured_hz=([\d.]+)", transcript(s, mark), re.M)
    assert m and abs(float(m.group(1)) - 4.0) <= 0.4, transcript(s, mark)[-1500:]


@boot(GROUP, **OPTS)
def test_snapshot_command_errors_change_nothing(s):
    cases = {
        "guest restore nosuch": "no snapshot",
        "guest snapshot nosuch": "no guest",
        "guest clone nosuch copy": "no snapshot",
        "guest clone snap bad/name": "bad guest name",
        "guest clone snap snap": "already running",
        "guest snapshot": "usage",
        "guest restore": "usage",
        "guest clone snap": "usage",
        "guest snapshot nosuch drop": "no snapshot",
    }
    before = s.json("guest snapshots")["snapshots"]
    for line, want in cases.items():
        obj = s.json(line)
        assert obj["ok"] is False and want in obj["error"], (line, obj)
    assert s.json("guest snapshots")["snapshots"] == before
    assert guest(s, "snap")["state"] == "running"
    # a guest bigger than the host memory left: its snapshot cannot be kept
    start(s, "workload.elf name=big mem=280 -- rounds=0 pages=16 rate=64")
    obj = s.json("guest snapshot big")
    assert obj["ok"] is False and "not enough memory" in obj["error"], obj
    assert s.json("guest snapshots")["snapshots"] == before
    assert guest(s, "big")["state"] == "running"
    assert s.json("guest stop big")["state"] == "stopped"
    assert s.json("guest snapshot snap drop")["ok"] is True
    assert "no snapshot" in s.json("guest restore snap")["error"]
