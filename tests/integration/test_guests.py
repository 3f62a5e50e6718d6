"""Guest tests: multiboot guests under VMX with EPT (Bochs here, QEMU/KVM
with nested VMX where available), side by side with hostile guests.

Guest output reaches the console as lines "[NAME] TEXT"; the test guests
(tests/guests/) print "RESULT NAME ok|fail ..." and end through port 0xF4.
Tests of the "guests" group share one boot per emulator and run in order.
"""

import os
import re
import time

from emu import boot

VMX_KINDS = ("bochs", "kvm")
# Seconds of emulated work each wait allows (Bochs runs guests slowly).
GUEST_WAIT = 240.0


def transcript(s, mark):
    """Console output since mark as plain lines: no CRs, no line-erase codes
    (output printed above the prompt starts with CR ESC [ K)."""
    return s.console.since(mark).replace("\r\x1b[K", "\n").replace("\r", "")


def wait_for(s, pattern, mark, timeout=GUEST_WAIT):
    """Wait until the transcript since mark matches pattern; return the match."""
    rx = re.compile(pattern, re.M)
    deadline = time.monotonic() + timeout
    while True:
        m = rx.search(transcript(s, mark))
        if m:
            return m
        assert time.monotonic() < deadline, "timeout %.0fs waiting for %r; tail:\n%s" % (
            timeout, pattern, s.console.tail(25))
        time.sleep(0.5)


def start(s, args):
    """guest start ARGS in json mode; the reply must be ok."""
    obj = s.json("guest start " + args)
    assert obj["ok"] is True, "guest start %s failed: %r" % (args, obj)
    return obj["name"]


def guest(s, name):
    """The guest list entry for name."""
    obj = s.json("guest list")
    assert obj["ok"] is True, obj
    for g in obj["guests"]:
        if g["name"] == name:
            return g
    raise AssertionError("no guest %r in %r" % (name, obj))


def rounds(s, name, mark):
    """Highest workload round NAME has reported since mark (0 if none)."""
    found = re.findall(r"^\[%s\] PROGRESS workload round=(\d+)" % re.escape(name),
                       transcript(s, mark), re.M)
    return max([int(r) for r in found] or [0])


def assert_progress(s, name, mark, timeout=GUEST_WAIT):
    """NAME reports a new workload round after mark."""
    before = rounds(s, name, 0)
    deadline = time.monotonic() + timeout
    while rounds(s, name, mark) <= before:
        assert time.monotonic() < deadline, "%s made no progress in %.0fs" % (name, timeout)
        time.sleep(0.5)


def wait_uptime(s, ms, timeout=60.0):
    """Wait until the hypervisor's uptime has grown by ms milliseconds."""
    t0 = s.json("uptime")["ms"]
    deadline = time.monotonic() + timeout
    while s.json("uptime")["ms"] - t0 < ms:
        assert time.monotonic() < deadline, "uptime grew less than %d ms in %.0fs" % (
            ms, timeout)
        time.sleep(0.5)


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_workload_runs_to_completion(s):
    mark = s.console.mark()
    start(s, "workload.elf name=wl mem=16")
    wait_for(s, r"^\[wl\] RESULT workload ok", mark)
    wait_for(s, r"guest wl: stopped: exited with status 0", mark, 30)
    g = guest(s, "wl")
    assert g["state"] == "stopped" and g["exited"] is True and g["exit_status"] == 0, g


def fnv1a(data):
    """FNV-1a, 32 bits: what the workload guest reports for each module."""
    h = 0x811c9dc5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xffffffff
    return h


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_with_module_runs(s):
    """The modules reach the guest whole and in order: it reports each
    one's name, size and checksum, which must match the files on the ESP."""
    mods = ("cpuid_bench.elf", "apic_timer.elf")
    mark = s.console.mark()
    start(s, "workload.elf name=wm mem=8 %s -- rounds=1 pages=64"
          % " ".join("mod=" + m for m in mods))
    for i, mod in enumerate(mods):
        with open(os.path.join(s.args.esp or os.path.join(s.args.build, "esp"),
                               "guests", mod), "rb") as f:
            data = f.read()
        m = wait_for(s, r"^\[wm\] MODULE index=%d size=(\d+) fnv1a=0x([0-9a-f]{8}) name=(.*)$"
                     % i, mark)
        assert m.group(3).strip() == mod, "module %d is named %r" % (i, m.group(3))
        assert int(m.group(1)) == len(data), "%s: %s bytes in the guest, %d in the file" % (
            mod, m.group(1), len(data))
        assert int(m.group(2), 16) == fnv1a(data), "%s: contents differ (fnv1a 0x%s, file 0x%08x)" \
            % (mod, m.group(2), fnv1a(data))
    wait_for(s, r"^\[wm\] PROGRESS workload modules=%d$" % len(mods), mark)
    wait_for(s, r"^\[wm\] RESULT workload ok", mark)
    wait_for(s, r"guest wm: stopped: exited with status 0", mark, 30)
    g = guest(s, "wm")
    assert g["state"] == "stopped" and g["exited"] is True and g["exit_status"] == 0, g
    assert g["modules"] == list(mods), g


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_two_workloads_both_progress(s):
    mark = s.console.mark()
    start(s, "workload.elf name=bg1 mem=16 -- rounds=0 pages=256 rate=256")
    start(s, "workload.elf name=bg2 mem=16 -- rounds=0 pages=256 rate=256")
    assert_progress(s, "bg1", mark)
    assert_progress(s, "bg2", mark)
    mark = s.console.mark()
    assert_progress(s, "bg1", mark)
    assert_progress(s, "bg2", mark)
    mark = s.console.mark()
    assert s.json("guest stop bg2")["state"] == "stopped"
    wait_for(s, r"guest bg2: stopped: stopped from the console", mark, 30)
    g = guest(s, "bg2")
    assert g["state"] == "stopped" and g["exited"] is False, g


def contained(s, hostile, expect):
    """Start a hostile guest beside the running workload bg1: the hostile one
    meets its fate (expect matches the transcript), bg1 keeps progressing and
    the console keeps answering."""
    mark = s.console.mark()
    start(s, "%s.elf mem=8" % hostile)
    m = wait_for(s, expect, mark)
    assert_progress(s, "bg1", s.console.mark())
    assert s.json("version")["ok"] is True
    return m


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_hostile_write_outside_ram_is_stopped(s):
    contained(s, "hostile_oob", r"guest hostile_oob: stopped: EPT violation: write at GPA 0x[0-9a-f]+ "
              r"outside guest RAM \(8 MiB\), RIP 0x[0-9a-f]+")
    g = guest(s, "hostile_oob")
    assert g["state"] == "stopped" and g["exits"].get("ept_violation") == 1, g
    assert "RESULT hostile_oob" not in transcript(s, 0)


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_hostile_triple_fault_is_stopped(s):
    contained(s, "hostile_triple", r"guest hostile_triple: stopped: triple fault at RIP 0x[0-9a-f]+")
    assert guest(s, "hostile_triple")["exits"].get("triple_fault") == 1


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_hostile_vmx_instructions_get_ud(s):
    contained(s, "hostile_vmx", r"^\[hostile_vmx\] RESULT hostile_vmx ok ud=3")
    g = guest(s, "hostile_vmx")
    for reason in ("vmxon", "vmcall", "invd"):
        assert g["exits"].get(reason) == 1, g
    assert g["exceptions_injected"] >= 3, g


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_hostile_port_and_msr_flood_survives(s):
    m = contained(s, "hostile_flood", r"^\[hostile_flood\] RESULT hostile_flood ok .*msr_ops=(\d+) msr_gp=(\d+)")
    assert m.group(1) == m.group(2), "every unknown MSR access must #GP: %s" % m.group(0)
    g = guest(s, "hostile_flood")
    assert g["unclaimed_io"] > 1000 and g["unknown_msr"] == int(m.group(1)), g


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_hostile_spin_with_interrupts_off_is_preempted(s):
    contained(s, "hostile_spin", r"^\[hostile_spin\] PROGRESS hostile_spin spinning")
    mark = s.console.mark()
    assert_progress(s, "bg1", mark)
    g = guest(s, "hostile_spin")
    assert g["state"] == "running" and g["exits"].get("preemption_timer", 0) > 0, g
    assert s.json("guest stop hostile_spin")["state"] == "stopped"


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_apic_timer_rates_within_ten_percent(s):
    mark = s.console.mark()
    start(s, "apic_timer.elf mem=8")
    wait_for(s, r"^\[apic_timer\] RESULT apic_timer (ok|fail)", mark)
    text = transcript(s, mark)
    rates = re.findall(r"APIC mode=(\w+) timer=(\w+) target_hz=(\d+) measured_hz=([\d.]+)", text)
    modes = {(m, t) for m, t, _, _ in rates}
    for mode in ("xapic", "x2apic"):
        for timer in ("oneshot", "periodic", "deadline"):
            assert (mode, timer) in modes, "%s/%s not measured: %s" % (mode, timer, rates)
    for mode, timer, target, measured in rates:
        err = abs(float(measured) - float(target)) / float(target)
        assert err <= 0.10, "%s %s: %s Hz for %s Hz" % (mode, timer, measured, target)
        s.note("%s %s: %s Hz (target %s)" % (mode, timer, measured, target))
    assert "RESULT apic_timer ok" in text


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_cpuid_exit_count_matches_guest(s):
    mark = s.console.mark()
    start(s, "cpuid_bench.elf mem=8 -- n=500")
    m = wait_for(s, r"^\[cpuid_bench\] COUNT cpuid=(\d+)", mark)
    wait_for(s, r"^\[cpuid_bench\] RESULT cpuid_bench ok", mark)
    wait_for(s, r"guest cpuid_bench: stopped: exited with status 0", mark, 60)
    g = guest(s, "cpuid_bench")
    assert g["exits"].get("cpuid") == int(m.group(1)), (m.group(0), g["exits"])


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_pause_resume_info_console(s):
    assert s.json("guest pause bg1")["state"] == "paused"
    paused = s.json("guest info bg1")
    mark = s.console.mark()
    # Let 3 s of the hypervisor's own time pass (it runs on while bg1 waits):
    # a paused guest's run time, exit count and RIP must not move meanwhile.
    wait_uptime(s, 3000)
    info = s.json("guest info bg1")
    assert info["state"] == "paused" and "registers" in info and "controls" in info, info
    moved = [k for k in ("run_ms", "exits_total", "rip") if info[k] != paused[k]]
    assert not moved, "paused guest's %s moved: %r then %r" % (
        ", ".join(moved), {k: paused[k] for k in moved}, {k: info[k] for k in moved})
    assert rounds(s, "bg1", mark) == 0, "a paused guest made progress"
    assert int(info["registers"]["cr0"], 16) & 1, info  # protected mode
    assert s.json("guest resume bg1")["state"] == "running"
    deadline = time.monotonic() + 60
    while True:
        now = s.json("guest info bg1")
        if now["run_ms"] > info["run_ms"] and now["exits_total"] > info["exits_total"]:
            break
        assert time.monotonic() < deadline, "resumed guest's counters still: %r" % now
        time.sleep(0.5)
    s.note("paused: run_ms %d, exits %d unchanged over 3 s of uptime; resumed: %d, %d"
           % (info["run_ms"], info["exits_total"], now["run_ms"], now["exits_total"]))
    assert_progress(s, "bg1", s.console.mark())
    s.set_mode("text")
    mark = s.console.mark()
    # attached, the console shows the guest's output and no prompt
    s.console.send_line("guest console bg1")
    wait_for(s, r"attached to the guest's console", mark, 30)
    wait_for(s, r"^PROGRESS workload round=", s.console.mark())
    mark = s.console.mark()
    s.console.send(b"\x1d")
    wait_for(s, r"back to the hypervisor console", mark, 30)
    s.console.resync()
    assert s.json("version")["ok"] is True


@boot("guests", kinds=VMX_KINDS, mem_mib=512)
def test_guest_command_errors(s):
    cases = ("guest start nosuch.elf", "guest start workload.elf mem=abc",
             "guest start workload.elf mem=1", "guest start workload.elf bogus=1",
             "guest start workload.elf mem=4000 name=big", "guest info nosuch",
             "guest stop nosuch", "guest frobnicate", "guest start",
             "guest start workload.elf name=bg1", "guest start workload.elf mod=nosuch.bin")
    for line in cases:
        obj = s.json(line)
        assert obj["ok"] is False and obj["error"], (line, obj)
    assert "not enough memory" in s.json("guest start workload.elf mem=4000 name=big")["error"]
    assert guest(s, "bg1")["state"] == "running"


@boot("guests-novmx", kinds=("qemu",))
def test_guest_start_without_vmx_is_refused(s):
    obj = s.json("guest start workload.elf")
    assert obj["ok"] is False and "VMX" in obj["error"], obj
    assert s.json("guest list")["guests"] == []
