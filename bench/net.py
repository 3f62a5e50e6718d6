#!/usr/bin/env python3
"""Network benchmark: TCP goodput between two hypervisors for each driver
and emulator, next to the raw frame rate the same driver reaches without
TCP (full-size frames of the local experimental EtherType, counted at the
receiver). The figure is goodput / raw; the aim is at least 0.8.

Links: Bochs instances on a bxhub; QEMU instances on a -netdev socket
(no rate limit: the emulators' speed is the link's), and, where this
machine allows (root, /dev/net/tun), on tap devices bridged in a private
network namespace and limited to a real link's rate (--rate, default
1gbit; tc tbf, each direction).

Usage: bench/net.py [--build DIR] [--mib N] [--frames N] [--rate R] [--only KIND:MODEL:LINK]
Writes the table to stdout and build/bench/net.svg (a bar chart).
"""

import argparse
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import emu as emulib  # noqa: E402
import netns  # noqa: E402
from test_net import ADDR, Pair  # noqa: E402

MODELS = ("e1000", "e1000e", "virtio-net-pci")
CASES = [("bochs", "e1000", "bxhub")] + [("qemu", m, "socket") for m in MODELS] + \
        [("qemu", m, "tap") for m in MODELS]


def progress(msg):
    print("  .. " + msg, file=sys.stderr, flush=True)


def measure(build, kind, model, link, rate, mib, frames):
    if link == "tap":
        with netns.TapLink(2, rate) as tap:
            return measure_pair(build, kind, model, tap, mib, frames)
    return measure_pair(build, kind, model, None, mib, frames)


def measure_pair(build, kind, model, tap, mib, frames):
    s = types.SimpleNamespace(args=types.SimpleNamespace(build=build), note=progress)
    with Pair(s, kind, model, tap) as p:
        progress("%s/%s: booted" % (kind, model))
        assert p.json(1, "ping %s 3" % ADDR[0])["received"] > 0
        p.json(0, "netbench raw-reset")
        sent = p.json(1, "netbench raw %s %d" % (ADDR[0], frames), timeout=900)
        assert sent["ok"], sent
        raw = p.json(0, "netbench raw-stats")
        progress("%s/%s: raw %d of %d frames arrived" % (kind, model, raw["frames"], sent["frames_sent"]))
        assert p.json(0, "netbench server")["listening"]
        tcp = p.json(1, "netbench %s %d" % (ADDR[0], mib), timeout=900)
        assert tcp["ok"] and tcp["intact"], tcp
        return {"raw": raw["kib_per_s"], "raw_frames": raw["frames"], "sent": sent["frames_sent"],
                "tcp": tcp["kib_per_s"]}


def svg(rows, path):
    """Horizontal bars: raw and TCP MB/s per case."""
    width, bar, gap = 640, 14, 10
    top = max([max(r["raw"], r["tcp"]) for _, _, _, r in rows] + [1]) * 1024 / 1e6
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="12">' % (width, 30 + len(rows) * (2 * bar + gap) + 20),
           '<text x="10" y="18">MB/s between two hypervisors: raw frames (grey) and TCP goodput (blue)</text>']
    y = 30
    for kind, model, link, r in rows:
        for key, color in (("raw", "#999"), ("tcp", "#3465a4")):
            mbs = r[key] * 1024 / 1e6
            w = int((width - 260) * mbs / top)
            out.append('<rect x="180" y="%d" width="%d" height="%d" fill="%s"/>' % (y, w, bar - 2, color))
            out.append('<text x="%d" y="%d">%.2f</text>' % (185 + w, y + bar - 4, mbs))
            if key == "raw":
                out.append('<text x="10" y="%d">%s %s %s</text>' % (y + bar + 4, kind, model, link))
            y += bar
        y += gap
    out.append("</svg>")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--mib", type=int, default=128)
    ap.add_argument("--frames", type=int, default=100000)
    ap.add_argument("--bochs-mib", type=int, default=16, help="Bochs moves about 1 MB/s")
    ap.add_argument("--bochs-frames", type=int, default=20000)
    ap.add_argument("--rate", default="1gbit", help="tap links' rate (tc syntax)")
    ap.add_argument("--only", action="append", help="KIND:MODEL:LINK, e.g. qemu:e1000:tap")
    args = ap.parse_args()
    rows = []
    for kind, model, link in CASES:
        if args.only and "%s:%s:%s" % (kind, model, link) not in args.only:
            continue
        why = emulib.emulator_unavailable_reason(kind) or (link == "tap" and netns.unavailable_reason())
        if why:
            print("skip %s/%s/%s: %s" % (kind, model, link, why))
            continue
        progress("%s/%s/%s" % (kind, model, link))
        mib, frames = (args.bochs_mib, args.bochs_frames) if kind == "bochs" else (args.mib, args.frames)
        r = measure(args.build, kind, model, link, args.rate, mib, frames)
        r["mib"] = mib
        rows.append((kind, model, link, r))
    print()
    print("| emulator | driver | link | raw frames MB/s (arrived/sent) | TCP goodput MB/s (MiB sent, every byte verified) | goodput / raw |")
    print("|---|---|---|---|---|---|")
    for kind, model, link, r in rows:
        ratio = r["tcp"] / r["raw"] if r["raw"] else 0.0
        name = {"tap": "tap, %s" % args.rate, "socket": "socket, unlimited"}.get(link, link)
        print("| %s | %s | %s | %.2f (%d/%d) | %.2f (%d) | %.2f |" % (kind, model, name, r["raw"] * 1024 / 1e6,
              r["raw_frames"], r["sent"], r["tcp"] * 1024 / 1e6, r["mib"], ratio))
    svg(rows, os.path.join(args.build, "bench", "net.svg"))
    print("\nchart: %s" % os.path.join(args.build, "bench", "net.svg"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
