"""An unmodified Linux guest: Debian's kernel (the bzImage of
linux-image-6.1.*-amd64) with a busybox initramfs, both made by
scripts/linux-image.sh and carried in BUILD/esp-linux (`make linux-esp`).
Skipped when that tree has no kernel (the packages could not be
downloaded).

The guest's /init prints the kernel release, the CPU model, MemTotal and
the marker LINUX-GUEST-OK (through /dev/kmsg, so they reach the serial
console through the kernel's own polled console), then powers off.

Bochs is slow: the hypervisor reads the 9 MB of guest files through the
emulated disk at boot, and the kernel's boot runs at about 200 MIPS, so
the test allows fifteen minutes (HV_LINUX_WAIT).
"""

import os
import re
import time
import unittest

from emu import boot
from test_guests import guest, transcript
from test_migrate import GUEST, migrate
from test_migrate import transcript as transcript_of
from test_net import ADDR, Pair

LINUX_ESP = "esp-linux"
# Seconds for the kernel to reach its init; HV_LINUX_WAIT overrides (a
# loaded machine running several Bochs instances needs far more).
# The first pass took 680 s from `guest start` to power-off under Bochs on
# a build machine running ten other Bochs instances (load 12 on 2 CPUs).
LINUX_WAIT = float(os.environ.get("HV_LINUX_WAIT", "900"))
MARKER = "LINUX-GUEST-OK"
# The loop calibration is skipped (lpj=), the TSC rate comes from CPUID
# 0x15, the LAPIC timer runs in TSC-deadline mode; the PIT's IRQ0 reaches
# the I/O APIC on pin 2, as the MADT says, for Linux's timer check.
# Kernel messages that say the virtual PC is wrong: missing or broken
# timers, APIC errors, TSC trouble, lost interrupts, oopses. Linux prints
# its whole log on the serial console at loglevel=7, so the console is
# the guest's dmesg.
DMESG_TROUBLE = [
    r"APIC error", r"spurious APIC interrupt", r"IO-APIC \+ timer doesn't work",
    r"MP-BIOS bug", r"timer doesn't work", r"Marking TSC unstable", r"TSC.*unstable",
    r"tsc: Fast TSC calibration failed", r"clocksource .* unstable", r"hpet.*(fail|broken)",
    r"irq \d+: nobody cared", r"do_IRQ: .* No irq handler", r"Spurious interrupt",
    r"rcu_sched self-detected stall", r"rcu: INFO: .* stall", r"soft lockup",
    r"WARNING: CPU", r"BUG: ", r"Call Trace", r"Kernel panic",
    r"ACPI Error", r"ACPI BIOS Error", r"APIC calibration not consistent",
]
CMDLINE = ("console=ttyS0 earlyprintk=serial,ttyS0,115200 lpj=1000000 "
           "tsc=reliable nokaslr panic=-1 loglevel=7")


def _need_image(s):
    esp = os.path.join(s.args.build, LINUX_ESP, "guests")
    for f in ("vmlinuz", "initrd.gz"):
        if not os.path.isfile(os.path.join(esp, f)):
            raise unittest.SkipTest("no %s in %s (make linux-esp; needs Debian's "
                                    "linux-image-amd64 and busybox-static)" % (f, esp))


@boot("linux", kinds=("bochs", "kvm"), mem_mib=512, esp=LINUX_ESP, boot_wait=LINUX_WAIT,
      long=True)
def test_linux_refused_with_a_reason(s):
    """Too little RAM for the kernel's init_size, and an initrd file that is
    not on the ESP: clear errors, no guest."""
    _need_image(s)
    obj = s.json("guest start vmlinuz name=small mem=32 initrd=initrd.gz")
    assert obj["ok"] is False and "init_size" in obj["error"], obj
    assert "cannot load Linux kernel vmlinuz" in obj["error"], obj
    obj = s.json("guest start vmlinuz name=nofile mem=192 initrd=missing.gz")
    assert obj["ok"] is False and "missing.gz" in obj["error"], obj


def own_lines(out, name):
    """The lines guest name printed ([name] ...), and the hypervisor's about it."""
    return "\n".join(line for line in out.splitlines()
                     if line.startswith("[%s] " % name) or "guest %s:" % name in line)


def check_boot(s, name, mark, mem_mib, wait=LINUX_WAIT):
    """Guest name (started after mark with mem_mib) reaches its init, says
    so on its tty, reports its kernel, CPU and memory, has nothing in its
    kernel log from DMESG_TROUBLE, and powers itself off."""
    deadline = time.monotonic() + wait
    while True:
        out = own_lines(transcript(s, mark), name)
        if MARKER in out:
            break
        if "guest %s: stopped" % name in out:
            # the log's line and the guest's own queue reach the console
            # in turns: its last lines can come after the news of its stop
            deadline = min(deadline, time.monotonic() + 60)
        assert time.monotonic() < deadline, "no %s from %s in %.0fs; tail:\n%s" % (
            MARKER, name, wait, s.console.tail(40))
        time.sleep(2)
    assert MARKER in out, "%s stopped before its init finished; tail:\n%s" % (
        name, out[-3000:])
    # /init's stdout is the 8250 tty, which sends on its interrupt (IRQ4
    # through the I/O APIC): the bare line shows that interrupt works
    assert re.search(r"^\[%s\] %s" % (name, MARKER), out, re.M), out[-3000:]
    release = re.search(r"linux-guest: kernel (\S+)", out)
    cpu = re.search(r"linux-guest: model name\s*: (.*)", out)
    mem = re.search(r"linux-guest: MemTotal:\s*(\d+) kB", out)
    assert release and cpu and mem, out[-3000:]
    # the RAM less what the kernel keeps for itself (145 MiB of 192 seen)
    assert mem_mib * 1024 * 2 // 3 < int(mem.group(1)) <= mem_mib * 1024, mem.group(0)
    s.note("%s: Linux %s on %s, MemTotal %s kB" % (name, release.group(1),
                                                    cpu.group(1).strip(), mem.group(1)))
    trouble = [line for line in out.splitlines()
               if any(re.search(p, line) for p in DMESG_TROUBLE)]
    assert not trouble, "kernel log has trouble:\n" + "\n".join(trouble[:20])
    # which timer and interrupt controller it chose, for the record
    for rx in (r"clocksource: Switched to clocksource (\S+)", r"(IOAPIC\[0\]: .*)",
               r"(Using IOAPIC for interrupt routing)", r"(x2apic.*|APIC: .*)"):
        m = re.search(rx, out)
        if m:
            s.note("%s: %s" % (name, m.group(1)[:120]))
    deadline = time.monotonic() + 300
    while "guest %s: stopped" % name not in transcript(s, mark):
        assert time.monotonic() < deadline, "no power-off; tail:\n%s" % s.console.tail(20)
        time.sleep(1)
    m = re.search(r"guest %s: stopped: (.*)" % name, transcript(s, mark))
    assert "powered off" in m.group(1), m.group(0)


@boot("linux", kinds=("bochs", "kvm"), mem_mib=512, esp=LINUX_ESP, boot_wait=LINUX_WAIT,
      long=True)
def test_linux_boots_to_its_init(s):
    """guest start vmlinuz with the initramfs: it boots to its init and
    powers off, its kernel log clean; on failure the assertion carries
    the serial output's tail."""
    _need_image(s)
    mark = s.console.mark()
    obj = s.json("guest start vmlinuz name=linux mem=192 initrd=initrd.gz -- " + CMDLINE)
    assert obj["ok"] is True, "guest start failed: %r" % (obj,)
    assert guest(s, "linux")["kind"] == "linux", guest(s, "linux")
    check_boot(s, "linux", mark, 192)


@boot("linux-two", kinds=("bochs", "kvm"), mem_mib=1024, esp=LINUX_ESP, boot_wait=LINUX_WAIT,
      long=True)
def test_linux_two_guests_beside_a_hostile_one(s):
    """Two Linux guests boot side by side while a third guest floods COM1
    (rep outsb in a loop): both reach their init with clean kernel logs
    and power off, the flood's output is dropped and counted, and the
    console keeps answering."""
    _need_image(s)
    mark = s.console.mark()
    assert s.json("guest start hostile_serial.elf name=flood mem=4")["ok"]
    for name in ("la", "lb"):
        obj = s.json("guest start vmlinuz name=%s mem=160 initrd=initrd.gz -- %s"
                     % (name, CMDLINE))
        assert obj["ok"] is True, obj
    for name in ("la", "lb"):  # three guests share one emulated CPU
        check_boot(s, name, mark, 160, wait=3 * LINUX_WAIT)
    flood = guest(s, "flood")
    assert flood["state"] == "running" and flood["output_dropped"] > 0, flood
    assert s.json("version")["ok"]
    s.note("flood: %d bytes of its output dropped meanwhile" % flood["output_dropped"])


LOOP = r"^\[%s\] LOOP n=(\d+) uptime=([\d.]+) wall=(\d+) sums=(\w+)"


def loop_lines(p, i, mark):
    """The guest's LOOP lines on hypervisor i since mark: (n, uptime, wall, sums)."""
    return [(int(n), float(u), int(w), ok) for n, u, w, ok in
            re.findall(LOOP % GUEST, transcript_of(p, i, mark), re.M)]


def wait_loops(p, i, mark, count, timeout):
    deadline = time.monotonic() + timeout
    while len(loop_lines(p, i, mark)) < count:
        assert time.monotonic() < deadline, "fewer than %d LOOP lines in %.0f s; tail:\n%s" % (
            count, timeout, p.emus[i].console.tail(30))
        time.sleep(2)
    return loop_lines(p, i, mark)


def shell_answers(p, i):
    """`guest console` on hypervisor i reaches the guest's shell."""
    con = p.emus[i].console
    con.command("mode text")
    mark = con.mark()
    con.send_line("guest console %s" % GUEST)
    con.expect(rb"attached to the guest's console", 60)
    con.send(b"echo PING-$((6*7))\r")
    deadline = time.monotonic() + 120
    while "PING-42" not in con.since(mark).replace("PING-$((6*7))", ""):
        assert time.monotonic() < deadline, con.tail(20)
        time.sleep(1)
    con.send(b"\x1d")
    con.expect(rb"back to the hypervisor console", 60)
    con.resync()
    con.command("mode json")


@boot("linux-migrate", kinds=("bochs",), long=True)
def test_linux_migrates_there_and_back_while_running(s):
    """Debian's kernel, its init in hvtest=loop (writing memory, checking
    it, one LOOP line a second), moves A -> B -> A while it runs: on each
    side its counter carries on, every check holds, its clock moved on by
    no more than the move took, and its shell answers on the new side's
    console (`guest console`)."""
    _need_image(s)
    with Pair(s, "bochs", "e1000", esp=LINUX_ESP, mem_mib=512) as p:
        mark = p.emus[0].console.mark()
        obj = p.json(0, "guest start vmlinuz name=%s mem=128 initrd=initrd.gz -- %s hvtest=loop"
                     % (GUEST, CMDLINE))
        assert obj["ok"], obj
        wait_loops(p, 0, mark, 3, LINUX_WAIT)
        here = 0
        for n in range(2):
            there = 1 - here
            before = loop_lines(p, here, mark)
            mark_there = p.emus[there].console.mark()
            st = migrate(s, p, here, there)
            after = wait_loops(p, there, mark_there, 3, 900)
            last = loop_lines(p, here, mark)[-1]  # lines up to the stop
            first = after[0]
            assert last[0] < first[0] <= last[0] + 2, (last, first)
            assert all(b[0] == a[0] + 1 for a, b in zip(after, after[1:])), after
            assert all(x[3] == "yes" for x in before + after), before + after
            # the guest's clocks: across the move, no more than the move took
            # (plus the loop's second and a rounding second)
            limit = st["total_ms"] / 1000.0 + 2 * (first[0] - last[0]) + 1
            assert first[2] - last[2] <= limit, (last, first, st["total_ms"])
            assert first[1] - last[1] <= limit, (last, first, st["total_ms"])
            s.note("move %d: LOOP n=%d on %s, n=%d on %s; wall +%d s, uptime +%.1f s; "
                   "move took %.1f s, downtime %d ms" % (
                       n + 1, last[0], ADDR[here], first[0], ADDR[there],
                       first[2] - last[2], first[1] - last[1], st["total_ms"] / 1000.0,
                       st["downtime_ms"]))
            shell_answers(p, there)
            here, mark = there, mark_there
