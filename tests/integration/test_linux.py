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


@boot("linux", kinds=("bochs", "kvm"), mem_mib=512, esp=LINUX_ESP, boot_wait=LINUX_WAIT,
      long=True)
def test_linux_boots_to_its_init(s):
    """guest start vmlinuz with the initramfs: the marker line appears;
    on failure the assertion carries the serial output's tail."""
    _need_image(s)
    mark = s.console.mark()
    obj = s.json("guest start vmlinuz name=linux mem=192 initrd=initrd.gz -- " + CMDLINE)
    assert obj["ok"] is True, "guest start failed: %r" % (obj,)
    assert guest(s, "linux")["kind"] == "linux", guest(s, "linux")
    deadline = time.monotonic() + LINUX_WAIT
    while MARKER not in transcript(s, mark):
        if "guest linux: stopped" in transcript(s, mark):
            break
        assert time.monotonic() < deadline, "no %s in %.0fs; tail:\n%s" % (
            MARKER, LINUX_WAIT, s.console.tail(40))
        time.sleep(2)
    out = transcript(s, mark)
    assert MARKER in out, "Linux stopped before its init finished; tail:\n%s" % (
        s.console.tail(40))
    # /init's stdout is the 8250 tty, which sends on its interrupt (IRQ4
    # through the I/O APIC): the bare line shows that interrupt works
    assert re.search(r"^\[linux\] %s" % MARKER, out, re.M), out[-3000:]
    release = re.search(r"linux-guest: kernel (\S+)", out)
    cpu = re.search(r"linux-guest: model name\s*: (.*)", out)
    mem = re.search(r"linux-guest: MemTotal:\s*(\d+) kB", out)
    assert release and cpu and mem, out[-3000:]
    # 192 MiB less what the kernel keeps for itself (145 MiB seen)
    assert 128 * 1024 < int(mem.group(1)) <= 192 * 1024, mem.group(0)
    s.note("Linux %s on %s, MemTotal %s kB" % (release.group(1), cpu.group(1).strip(),
                                                mem.group(1)))
    trouble = [line for line in out.splitlines()
               if any(re.search(p, line) for p in DMESG_TROUBLE)]
    assert not trouble, "kernel log has trouble:\n" + "\n".join(trouble[:20])
    # which timer and interrupt controller it chose, for the record
    for rx in (r"clocksource: Switched to clocksource (\S+)", r"(IOAPIC\[0\]: .*)",
               r"(Using IOAPIC for interrupt routing)", r"(x2apic.*|APIC: .*)"):
        m = re.search(rx, out)
        if m:
            s.note(m.group(1)[:120])
    deadline = time.monotonic() + 300
    while "guest linux: stopped" not in transcript(s, mark):
        assert time.monotonic() < deadline, "no power-off; tail:\n%s" % s.console.tail(20)
        time.sleep(1)
    m = re.search(r"guest linux: stopped: (.*)", transcript(s, mark))
    assert "powered off" in m.group(1), m.group(0)
