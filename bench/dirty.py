#!/usr/bin/env python3
"""Dirty-logging overhead, printed as a table (issue 10).

One boot; for logging off and each back-end (ad, pml, wp) in turn, the
workload guest writes 4 MiB a round (1024 pages, no verification) while
the harness harvests the dirty log about every 100 ms. Reported:
  - guest write throughput: the mean TSC cycles of a round's writes
    (workload's write_cycles), and its ratio to logging off;
  - tracking exits per dirtied page: PML-full exits (pml) or
    write-protect EPT violations (wp) over the pages harvests handed out;
  - harvest cost: the hypervisor's TSC cycles for one harvest of the
    16 MiB guest (median), and that scaled to 1 GiB of guest RAM.
Under Bochs one TSC cycle is one emulated instruction (ips = TSC rate),
so the figures are instruction counts and exact.

Usage: bench/dirty.py [--build DIR] [--emu bochs|kvm] [--rounds N]
"""

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import emu as emulib  # noqa: E402

MEM_MIB = 16
MODES = ("off", "ad", "pml", "wp")


def progress(msg):
    print("  .. " + msg, file=sys.stderr, flush=True)


def cmd(con, line):
    out = con.command(line)
    obj = json.loads([l for l in out.split("\n") if l.startswith("{")][-1])
    if not obj.get("ok"):
        raise RuntimeError("%s: %r" % (line, obj))
    return obj


def write_cycles(con, name, mark):
    return [int(c) for c in re.findall(
        r"\[%s\] PROGRESS workload round=\d+ .*write_cycles=(\d+)" % name, con.since(mark))]


def measure(con, mode, rounds):
    """Run workload with logging `mode`; return its figures."""
    name = "b" + mode
    mark = con.mark()
    cmd(con, "guest start workload.elf name=%s mem=%d -- pages=1024 rounds=0 verify=0"
        % (name, MEM_MIB))
    while len(write_cycles(con, name, mark)) < 1:  # settled in
        time.sleep(0.5)
    if mode != "off":
        cmd(con, "dirty start %s %s" % (name, mode))
    mark = con.mark()
    harvest = []
    while len(write_cycles(con, name, mark)) < rounds:
        time.sleep(0.1)
        # one console command per interval in every case: commands cost the guest time too
        if mode != "off":
            harvest.append(cmd(con, "dirty harvest %s" % name)["harvest_cycles"])
        else:
            cmd(con, "uptime")
    stats = {}
    if mode != "off":
        cmd(con, "dirty harvest %s" % name)  # the pages of the last interval
        stats = cmd(con, "dirty stats %s" % name)
        cmd(con, "dirty stop %s" % name)
    cmd(con, "guest stop %s" % name)
    cyc = write_cycles(con, name, mark)[:rounds]
    exits = {"pml": stats.get("pml_full_exits", 0), "wp": stats.get("wp_exits", 0)}.get(mode, 0)
    return {
        "cycles": statistics.mean(cyc),  # a mean: exits come in the rounds after a harvest
        "pages": stats.get("pages_total", 0),
        "exits": exits,
        "harvests": stats.get("harvests", 0),
        "pml_entries": stats.get("pml_entries", 0),
        "harvest_cycles": statistics.median(harvest) if harvest else 0,
    }


def bench(kind, build, rounds):
    run_dir = os.path.join(build, "run", "bench-dirty-" + kind)
    shutil.rmtree(run_dir, ignore_errors=True)
    e = emulib.Emulator(kind, build, run_dir, mem_mib=256)
    try:
        con = e.start()
        progress("%s: booting" % kind)
        con.read_until_prompt(180)
        con.command("mode json")
        rows = {}
        for mode in MODES:
            progress("%s: logging %s" % (kind, mode))
            rows[mode] = measure(con, mode, rounds)
        return rows
    finally:
        e.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--emu", action="append")
    ap.add_argument("--rounds", type=int, default=80)
    args = ap.parse_args()
    for kind in args.emu or ["bochs", "kvm"]:
        why = emulib.emulator_unavailable_reason(kind)
        if why:
            print("skip %s: %s" % (kind, why))
            continue
        rows = bench(kind, args.build, args.rounds)
        base = rows["off"]["cycles"]
        print("\nDirty logging, %s: workload writing 4 MiB a round, harvest about every 100 ms, "
              "%d rounds each" % (kind, args.rounds))
        print("| logging | write cycles per round (mean) | throughput vs off | harvests "
              "| pages harvested | tracking exits | exits per dirtied page "
              "| harvest cycles, %d MiB (median) | harvest cycles per GiB | PML entries drained |" % MEM_MIB)
        print("|---|---|---|---|---|---|---|---|---|---|")
        for mode in MODES:
            r = rows[mode]
            per_page = "%.4f" % (r["exits"] / r["pages"]) if r["pages"] else "-"
            print("| %s | %d | %.3f | %d | %d | %d | %s | %d | %d | %d |" % (
                mode, r["cycles"], base / r["cycles"], r["harvests"], r["pages"], r["exits"],
                per_page, r["harvest_cycles"], r["harvest_cycles"] * 1024 // MEM_MIB,
                r["pml_entries"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
