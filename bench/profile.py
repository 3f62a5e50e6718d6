#!/usr/bin/env python3
"""Where the hypervisor spends its time during a TCP netbench: boots two
hypervisors on one emulated link, runs the `profile` sampler on both
while one sends MiB to the other, and prints the hottest functions of
each side (offsets symbolized with hv.so's symbol table).

Usage: bench/profile.py [--build DIR] [--emu qemu|bochs] [--model MODEL]
                        [--mib N] [--hz N] [--top N] [--lines N] [--raw FRAMES]
                        [--tap RATE]
"""

import argparse
import bisect
import collections
import contextlib
import os
import subprocess
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import netns  # noqa: E402
from test_net import ADDR, Pair  # noqa: E402


def symbols(hv_so):
    """Sorted (address, name) of hv.so's functions."""
    out = subprocess.run(["nm", "-n", "--defined-only", hv_so], check=True,
                         capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def by_function(report, syms):
    """Samples per function (or per raw address outside the image)."""
    addrs = [a for a, _ in syms]
    counts = collections.Counter()
    for e in report["top"]:
        if "offset" in e:
            i = bisect.bisect_right(addrs, int(e["offset"], 16)) - 1
            counts[syms[i][1] if i >= 0 else "?"] += e["samples"]
        else:
            counts["outside hv.so " + e["address"]] += e["samples"]
    return counts


def lines(report, hv_so, top):
    """The hottest addresses as source lines (addr2line)."""
    hits = [e for e in report["top"] if "offset" in e][:top]
    if not hits:
        return
    out = subprocess.run(["addr2line", "-f", "-s", "-e", hv_so] + [e["offset"] for e in hits],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    print("| address | function | line | samples |")
    print("|---|---|---|---|")
    for i, e in enumerate(hits):
        print("| %s | %s | %s | %d |" % (e["offset"], out[2 * i], out[2 * i + 1], e["samples"]))


def table(title, report, syms, top):
    total = max(report["samples"], 1)
    counts = by_function(report, syms)
    print("\n%s: %d samples at %d Hz (%d addresses, %d dropped); top %d functions"
          % (title, report["samples"], report["hz"], report["addresses"], report["dropped"], top))
    print("| function | samples | share |")
    print("|---|---|---|")
    for name, n in counts.most_common(top):
        print("| %s | %d | %.1f%% |" % (name, n, 100.0 * n / total))
    covered = sum(counts.values())
    print("| (addresses below the top 100) | %d | %.1f%% |" % (total - covered, 100.0 * (total - covered) / total))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--emu", default="qemu")
    ap.add_argument("--model", default="e1000")
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--raw", type=int, default=0, help="profile a raw blast of this many frames instead")
    ap.add_argument("--hz", type=int, default=2000)
    ap.add_argument("--tap", metavar="RATE", help="a tap link in a private netns at RATE (e.g. 1gbit)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--lines", type=int, default=0, help="also the N hottest source lines")
    args = ap.parse_args()
    syms = symbols(os.path.join(args.build, "hv.so"))
    s = types.SimpleNamespace(args=types.SimpleNamespace(build=args.build),
                              note=lambda m: print("  .. " + m, file=sys.stderr))
    with contextlib.ExitStack() as stack:
        tap = stack.enter_context(netns.TapLink(2, args.tap)) if args.tap else None
        p = stack.enter_context(Pair(s, args.emu, args.model, tap))
        assert p.json(1, "ping %s 3" % ADDR[0])["received"] > 0
        if not args.raw:
            assert p.json(0, "netbench server")["listening"]
        for i in range(2):
            assert p.json(i, "profile start %d" % args.hz)["ok"]
        if args.raw:
            res = p.json(1, "netbench raw %s %d" % (ADDR[0], args.raw), timeout=900)
        else:
            res = p.json(1, "netbench %s %d" % (ADDR[0], args.mib), timeout=900)
        reports = [p.json(i, "profile stop") for i in range(2)]
        reports = [p.json(i, "profile show 100") for i in range(2)]
    print("%s/%s: %s" % (args.emu, args.model, {k: res[k] for k in res if k not in ("cmd",)}))
    hv_so = os.path.join(args.build, "hv.so")
    for title, report in (("receiver (%s)" % ADDR[0], reports[0]), ("sender (%s)" % ADDR[1], reports[1])):
        table(title, report, syms, args.top)
        if args.lines:
            lines(report, hv_so, args.lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
