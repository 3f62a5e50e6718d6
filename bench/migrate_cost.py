#!/usr/bin/env python3
"""What TLS and page deltas cost and save in a live migration (issue 13).

Two hypervisors in Bochs on one bxhub (test_net.Pair, which gives both
the same key). A 16 MiB workload guest moves back and forth, once with
each of TLS on/off and `compress delta`/`none`, for two guests that
dirty the same 256 KiB/s over 4 MiB: one rewriting whole pages, one
rewriting 16 bytes of each page it dirties (workload touch=4).

Per move, from the source's `migrate status`: total time, downtime,
bytes on the wire over RAM, pages sent as deltas, and the cost in TSC
cycles per byte of TLS (handshake and encryption, per plaintext byte)
and of putting pages into batches (zero check, delta against the copy
sent before, copy; per page byte examined). Under Bochs the TSC counts
instructions (kernel/clock.h), so these are instructions per byte.
Each figure also goes to BUILD/bench/migrate-cost.json.

Usage: bench/migrate_cost.py [--build DIR] [--rate KIB_S]
"""

import argparse
import json
import os
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import migration as mig  # noqa: E402
from test_net import ADDR, Pair  # noqa: E402

GUEST = "mc"
PORT = 4444
RATE = 256  # KiB/s the guests dirty
GUESTS = [("whole pages", 0), ("16 bytes a page", 4)]
CONFIGS = [("on", "delta"), ("on", "none"), ("off", "delta"), ("off", "none")]


def progress(msg):
    print("  .. " + msg, file=sys.stderr, flush=True)


def move(p, src, tls, compress):
    """Migrate GUEST src -> other with the settings; its final status."""
    dst = 1 - src
    for i in (0, 1):
        mig.must(p.emus[i].console, "migrate set tls " + tls)
    mig.must(p.emus[src].console, "migrate set compress " + compress)
    mig.must(p.emus[dst].console, "migrate incoming %d" % PORT)
    mig.must(p.emus[src].console, "migrate %s %s:%d" % (GUEST, ADDR[dst], PORT))
    st, _ = mig.watch(p.emus[src].console,
                      mig.Shower(prefix="     tls %-3s %-5s " % (tls, compress), stream=sys.stderr),
                      interval=0.5)
    if st["state"] != "done":
        raise RuntimeError("migration %s: %s" % (st["state"], st.get("error")))
    return st


def run(build, rate):
    s = types.SimpleNamespace(args=types.SimpleNamespace(build=build), note=progress)
    out = []
    with Pair(s, "bochs", "e1000") as p:
        progress("two hypervisors booted in Bochs on a bxhub")
        here = 0
        for label, touch in GUESTS:
            con = p.emus[here].console
            mark = con.mark()
            mig.must(con, "guest start workload.elf name=%s mem=16 -- pages=1024 rounds=0 "
                     "rate=%d touch=%d" % (GUEST, rate, touch))
            mig.wait_guest_round(con, GUEST, mark)
            for tls, compress in CONFIGS:
                progress("%s: tls %s, compress %s" % (label, tls, compress))
                st = move(p, here, tls, compress)
                here = 1 - here
                out.append({"guest": label, "tls": tls, "compress": compress, "status": st})
                time.sleep(2)  # a moment of the guest's run on its new host
            mig.must(p.emus[here].console, "guest stop " + GUEST)
    return out


def per_byte(cycles, nbytes):
    return "%.1f" % (cycles / nbytes) if nbytes else "-"


def print_table(out, rate):
    rows = []
    for r in out:
        st = r["status"]
        rows.append([r["guest"], r["tls"], r["compress"], "%.2f s" % (st["total_ms"] / 1000.0),
                     "%d ms" % st["downtime_ms"], str(st["round"]),
                     "%.2f / %d MiB" % (mig.mib(st["bytes"]), st["ram_bytes"] >> 20),
                     str(st["delta_pages"]), per_byte(st["tls_cycles"], st["tls_bytes"]),
                     per_byte(st["encode_cycles"], st["encoded_bytes"])])
    print("\nTLS and page deltas: a 16 MiB workload guest dirtying %d KiB/s over 4 MiB, moved "
          "between two hypervisors in Bochs on a bxhub" % rate)
    print(mig.table(["guest", "TLS", "compress", "total", "downtime", "rounds", "wire / RAM",
                     "delta pages", "TLS instr/byte", "encode instr/byte"], rows))
    print("\nTLS instr/byte: handshake and encryption per plaintext byte; encode instr/byte: "
          "zero check, delta and copy per page byte examined (TSC cycles, which Bochs "
          "advances once per instruction).")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--rate", type=int, default=RATE, help="guest dirty rate, KiB/s")
    args = ap.parse_args()
    out = run(args.build, args.rate)
    print_table(out, args.rate)
    os.makedirs(os.path.join(args.build, "bench"), exist_ok=True)
    path = os.path.join(args.build, "bench", "migrate-cost.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("\nfigures: %s" % path)


if __name__ == "__main__":
    main()
