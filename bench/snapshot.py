#!/usr/bin/env python3
"""Snapshot benchmark: how long `guest snapshot` and `guest restore` take
per MiB of guest RAM, and how big the state record is without RAM.

Boots the hypervisor once per emulator with VMX (Bochs; QEMU/KVM with
nested VMX when the host has it), starts a workload guest of each size
(it writes a few pages and otherwise keeps its RAM as loaded), and takes
REPEAT snapshots and restores of it. The hypervisor reports each
operation's TSC cycles; under Bochs one TSC cycle is one emulated
instruction, so those are exact instruction counts, not noisy times.

Usage: bench/snapshot.py [--build DIR] [--emu bochs|kvm] [--sizes 8,32,64] [--repeat 3]
"""

import argparse
import json
import os
import shutil
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import emu as emulib  # noqa: E402


def progress(msg):
    print("  .. " + msg, file=sys.stderr, flush=True)


def command(con, line):
    reply = json.loads(con.command(line).strip())
    if not reply.get("ok"):
        raise RuntimeError("%s: %r" % (line, reply))
    return reply


def bench(kind, build, sizes, repeat):
    run_dir = os.path.join(build, "run", "bench-snapshot-" + kind)
    shutil.rmtree(run_dir, ignore_errors=True)
    # room for the largest guest and its snapshot beside it
    e = emulib.Emulator(kind, build, run_dir, mem_mib=max(256, 2 * max(sizes) + 192))
    rows = []
    try:
        con = e.start()
        progress("%s: booting" % kind)
        con.read_until_prompt(180)
        con.command("mode json")
        for mib in sizes:
            name = "snap%d" % mib
            command(con, "guest start workload.elf name=%s mem=%d -- rounds=0 pages=16 rate=64"
                    % (name, mib))
            snaps, restores, record = [], [], 0
            for i in range(repeat):
                progress("%s: %d MiB guest, snapshot and restore %d/%d" % (kind, mib, i + 1, repeat))
                s = command(con, "guest snapshot " + name)
                r = command(con, "guest restore " + name)
                snaps.append((s["cycles"], s["us"]))
                restores.append((r["cycles"], r["us"]))
                record = s["record_bytes"]
            command(con, "guest stop " + name)
            command(con, "guest snapshot %s drop" % name)
            rows.append((mib, record, snaps, restores))
    finally:
        e.kill()
    return rows


def per_mib(samples, mib, index):
    return statistics.median(x[index] for x in samples) / mib


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--emu", action="append")
    ap.add_argument("--sizes", default="8,32,64")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print("Snapshot and restore cost per MiB of guest RAM (median of %d each)" % args.repeat)
    print("| emulator | guest RAM MiB | record bytes (no RAM) | snapshot cycles/MiB | snapshot us/MiB "
          "| restore cycles/MiB | restore us/MiB |")
    print("|---|---|---|---|---|---|---|")
    for kind in args.emu or ["bochs", "kvm"]:
        why = emulib.emulator_unavailable_reason(kind)
        if why:
            print("skip %s: %s" % (kind, why))
            continue
        for mib, record, snaps, restores in bench(kind, args.build, sizes, args.repeat):
            print("| %s | %d | %d | %.0f | %.0f | %.0f | %.0f |" % (
                kind, mib, record, per_mib(snaps, mib, 0), per_mib(snaps, mib, 1),
                per_mib(restores, mib, 0), per_mib(restores, mib, 1)), flush=True)
    print("\nUnder Bochs one TSC cycle is one emulated instruction: cycles/MiB is the "
          "hypervisor's instruction count per MiB copied (RAM copy plus the state record).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
