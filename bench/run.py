#!/usr/bin/env python3
"""Benchmarks, printed as tables (timing goals live here, not in tests).

vmexit: the round-trip cost of a CPUID exit as the guest measures it (TSC
cycles per CPUID, from tests/guests/cpuid_bench.c), and the time the
hypervisor spends from a VM exit to the next entry, from its own counters
(`guest list`: exit_cycles.cpuid, the mean for CPUID exits). Under Bochs one TSC tick is one
emulated instruction (ips = TSC rate), so there the hypervisor figure is
its instruction count per exit. Runs on every emulator with VMX here
(Bochs; QEMU/KVM with nested VMX when the host has it).

Usage: bench/run.py [--build DIR] [--emu bochs|kvm] [--n N]
"""

import argparse
import json
import os
import re
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import emu as emulib  # noqa: E402


def progress(msg):
    print("  .. " + msg, file=sys.stderr, flush=True)


def bench_vmexit(kind, build, n):
    """One boot: run cpuid_bench and read both sides' figures."""
    run_dir = os.path.join(build, "run", "bench-" + kind)
    shutil.rmtree(run_dir, ignore_errors=True)
    e = emulib.Emulator(kind, build, run_dir, mem_mib=256)
    try:
        con = e.start()
        progress("%s: booting" % kind)
        con.read_until_prompt(180)
        con.command("mode json")
        mark = con.mark()
        reply = json.loads(con.command("guest start cpuid_bench.elf mem=8 -- n=%d" % n).strip())
        if not reply.get("ok"):
            raise RuntimeError("guest start failed: %r" % reply)
        progress("%s: cpuid_bench running (n=%d)" % (kind, n))
        deadline = time.monotonic() + 300
        line = None
        while time.monotonic() < deadline:
            m = re.search(r"BENCH cpuid n=\d+ min_cycles=(\d+) median_cycles=(\d+) mean_cycles=(\d+)",
                          con.since(mark))
            if m and "stopped" in con.since(m.end() + mark):
                line = m
                break
            time.sleep(1)
        if not line:
            raise RuntimeError("no BENCH line from cpuid_bench")
        guests = json.loads(con.command("guest list").strip())["guests"]
        g = [x for x in guests if x["name"] == "cpuid_bench"][0]
        return {
            "min": int(line.group(1)), "median": int(line.group(2)), "mean": int(line.group(3)),
            "hv": g["exit_cycles"].get("cpuid", 0), "exits": g["exits_total"],
            "cpuid_exits": g["exits"].get("cpuid", 0),
        }
    finally:
        e.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--emu", action="append")
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    kinds = args.emu or ["bochs", "kvm"]
    rows = []
    for kind in kinds:
        why = emulib.emulator_unavailable_reason(kind)
        if why:
            print("skip %s: %s" % (kind, why))
            continue
        rows.append((kind, bench_vmexit(kind, args.build, args.n)))
    print()
    print("CPUID exit round trip (n=%d per emulator)" % args.n)
    print("| emulator | guest round trip, median cycles | min | mean | hypervisor exit-to-entry cycles "
          "| hypervisor share of the round trip | CPUID exits counted |")
    print("|---|---|---|---|---|---|---|")
    for kind, r in rows:
        share = r["hv"] / r["median"] if r["median"] else 0.0
        print("| %s | %d | %d | %d | %d | %.2f | %d |" % (
            kind, r["median"], r["min"], r["mean"], r["hv"], share, r["cpuid_exits"]))
    if any(k == "bochs" for k, _ in rows):
        print("\nUnder Bochs one TSC cycle is one emulated instruction (ips = TSC rate), so the "
              "hypervisor column is its instructions per exit there.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
