#!/usr/bin/env python3
"""Linux boot time: the cost of the hypervisor layer as a ratio.

The same kernel, initramfs and command line (tests/integration/
test_linux.py's, with mem=192M so every run sees the guest's RAM) boot:

  bochs-hv      as a guest of the hypervisor in Bochs (`guest start`);
  bochs-direct  on the bare Bochs machine, through the same OVMF, by
                bench/linuxboot/linuxboot.c (a UEFI app that starts the
                kernel's EFI stub with the command line);
  qemu-direct   under QEMU/TCG with -kernel (SeaBIOS), the reference
                the issue asks for; a different emulator, so its ratio
                says more about TCG than about the hypervisor.

Each run is timed from the kernel's first line ("Linux version") to
the initramfs's marker (LINUX-GUEST-OK), in wall seconds, and the
kernel's own clock at the marker is read from its printk time; for
bochs-hv also from `guest start`. Wall times move with the host's load:
run it alone (`make bench` does). In Bochs the TSC counts instructions,
so the kernel's clock is emulated time and its ratio (clock ratio) does
not depend on the load: it is the instructions the boot costs, the
hypervisor's exits included.

Usage: bench/linux_boot.py [--build DIR] [--only bochs-hv,bochs-direct,qemu-direct]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import emu as emulib  # noqa: E402
from test_linux import CMDLINE, MARKER  # noqa: E402

WAIT = float(os.environ.get("HV_LINUX_WAIT", "1800"))
FIRST = re.compile(r"Linux version \S+")
AT_MARKER = re.compile(r"\[\s*([\d.]+)\] linux-guest: " + MARKER)


def progress(msg):
    print("  .. " + msg, file=sys.stderr, flush=True)


def watch(text_now, t0, what):
    """Poll text_now() until the marker; (wall s from t0 to the kernel's
    first line, to the marker, the kernel's clock at the marker)."""
    first = None
    deadline = time.monotonic() + WAIT
    while True:
        text = text_now()
        if first is None and FIRST.search(text):
            first = time.monotonic()
            progress("%s: kernel started after %.0f s" % (what, first - t0))
        m = AT_MARKER.search(text)
        if m:
            return (first or time.monotonic()) - t0, time.monotonic() - t0, float(m.group(1))
        if time.monotonic() > deadline:
            raise RuntimeError("%s: no %s within %.0f s; tail:\n%s" % (
                what, MARKER, WAIT, text[-2000:]))
        time.sleep(0.2)


def linux_files(build):
    d = os.path.join(build, "linux")
    files = [os.path.join(d, f) for f in ("vmlinuz", "initrd.gz")]
    for f in files:
        if not os.path.isfile(f):
            raise SystemExit("%s missing: run make (scripts/linux-image.sh)" % f)
    return files


def bochs_hv(build):
    run_dir = os.path.join(build, "run", "bench-linux-hv")
    shutil.rmtree(run_dir, ignore_errors=True)
    e = emulib.Emulator("bochs", build, run_dir, mem_mib=512,
                        esp=os.path.join(build, "esp-linux"))
    try:
        con = e.start()
        progress("bochs-hv: booting the hypervisor")
        con.read_until_prompt(600)
        mark = con.mark()
        t0 = time.monotonic()
        con.command("guest start vmlinuz name=linux mem=192 initrd=initrd.gz -- " + CMDLINE)
        return watch(lambda: con.since(mark), t0, "bochs-hv")
    finally:
        e.kill()


def bochs_direct(build):
    vmlinuz, initrd = linux_files(build)
    esp = os.path.join(build, "bench", "esp-linux-direct")
    shutil.rmtree(esp, ignore_errors=True)
    os.makedirs(os.path.join(esp, "EFI", "BOOT"))
    shutil.copy(os.path.join(build, "bench", "linuxboot.efi"),
                os.path.join(esp, "EFI", "BOOT", "BOOTX64.EFI"))
    shutil.copy(vmlinuz, esp)
    shutil.copy(initrd, esp)
    with open(os.path.join(esp, "cmdline.txt"), "w") as f:
        f.write("initrd=\\initrd.gz mem=192M " + CMDLINE + "\n")
    run_dir = os.path.join(build, "run", "bench-linux-direct")
    shutil.rmtree(run_dir, ignore_errors=True)
    e = emulib.Emulator("bochs", build, run_dir, mem_mib=512, esp=esp)
    try:
        con = e.start()
        t0 = time.monotonic()
        progress("bochs-direct: OVMF, then linuxboot.efi")
        return watch(lambda: con.since(0), t0, "bochs-direct")
    finally:
        e.kill()


def qemu_direct(build):
    vmlinuz, initrd = linux_files(build)
    log = os.path.join(build, "run", "bench-linux-qemu.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    if os.path.exists(log):
        os.remove(log)  # an earlier run's marker must not count
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "256",
           "-kernel", vmlinuz, "-initrd", initrd, "-append", "mem=192M " + CMDLINE,
           "-display", "none", "-vga", "none", "-monitor", "none", "-no-reboot",
           "-serial", "file:" + log]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.STDOUT)

    def text():
        try:
            with open(log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""
    try:
        return watch(text, t0, "qemu-direct")
    finally:
        p.kill()
        p.wait()


RUNS = {"bochs-hv": bochs_hv, "bochs-direct": bochs_direct, "qemu-direct": qemu_direct}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", default=",".join(RUNS))
    args = ap.parse_args()
    rows = {}
    for name in args.only.split(","):
        start, marker, uptime = RUNS[name](args.build)
        rows[name] = {"to_kernel_s": start, "to_marker_s": marker,
                      "kernel_s": marker - start, "kernel_clock_s": uptime}
        progress("%s: marker after %.0f s (kernel %.0f s, its own clock %.1f s)" % (
            name, marker, marker - start, uptime))
    base = rows.get("bochs-direct")
    print("%-13s %14s %14s %16s %12s %14s" % ("run", "start->kernel", "kernel->init",
                                              "kernel's clock", "wall ratio", "clock ratio"))
    for name, r in rows.items():
        wall = "%.2f" % (r["kernel_s"] / base["kernel_s"]) if base else "-"
        clock = "%.2f" % (r["kernel_clock_s"] / base["kernel_clock_s"]) if base else "-"
        print("%-13s %13.0fs %13.0fs %15.2fs %12s %14s" % (
            name, r["to_kernel_s"], r["kernel_s"], r["kernel_clock_s"], wall, clock))
    out = os.path.join(args.build, "bench", "linux-boot.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(rows, f, indent=1)
    print("(%s; ratios against bochs-direct, same kernel and command line)" % out)


if __name__ == "__main__":
    main()
