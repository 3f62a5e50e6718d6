#!/usr/bin/env python3
"""Live-migration benchmark (issue 11): our hypervisor against QEMU.

Ours: two hypervisors in two Bochs instances on one bxhub (test_net.Pair,
static addresses); for each row a workload guest (16 MiB) starts on A,
writes for a while (its first round, or 8 s of its run time, whichever
comes first) and migrates to B with the hypervisor's policy (downtime
limit 300 ms, auto-converge on) but a round limit of --max-rounds
(default 10, not 30: a guest that outruns the link costs about 4 s of
emulated time, a minute of wall time, per round). Rows: an idle guest
(16 pages at 16 KiB/s) and guests rewriting 4 MiB (pages=1024) at 64,
256 and 1024 KiB/s and flat out (rate=0).
Figures are the source's `migrate status` (the hypervisor's emulated
clock). The guest does not measure its own pause yet (workload.c prints
no such figure), so that column is "-".

Reference: the same workload ELF under QEMU/TCG (multiboot, -kernel and
-append), migrated between two QEMU processes over loopback TCP with
max-bandwidth set to the rate our migrations measured on the Bochs link
(or --link-kib-s), the same downtime limit and auto-converge on;
query-migrate gives total time, downtime, bytes and dirty-sync-count.
QEMU has no round limit: a row that has not converged after
--qemu-timeout seconds is cancelled and says so.

Per-round figures (dirty pages each pass had to send, bandwidth) are
sampled from the status while the migration runs: `migrate status` keeps
no per-round history (tests/integration/migration.py). They go to
BUILD/bench/migrate-rounds.dat and, drawn by gnuplot, migrate.svg; every
figure to migrate.json.

Then the columns for TLS on/off and compress delta/none
(bench/migrate_cost.py: the same guest moved with each, whole-page and
few-bytes-a-page writers, and what TLS and encoding cost per byte).
Ours run with the hypervisor's defaults: TLS on, compress delta.

Usage: bench/migrate.py [--build DIR] [--only ROW]... [--no-qemu] [--no-ours]
       [--link-kib-s N] [--qemu-timeout S] [--no-cost]
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import emu as emulib  # noqa: E402
import migrate_cost  # noqa: E402
import migration as mig  # noqa: E402
from test_net import ADDR, Pair  # noqa: E402

MEM_MIB = 16
# name, workload pages, rate (KiB/s; 0 = as fast as it can)
ROWS = [("idle", 16, 16), ("64", 1024, 64), ("256", 1024, 256), ("1024", 1024, 1024),
        ("flat-out", 1024, 0)]
PORT = 4444
LINK_KIB_S = 1250  # Bochs link, if no migration of ours measured it
SETTLE_MS = 8000  # guest run time before a move, at most (see settle)


def progress(msg):
    print("  .. " + msg, file=sys.stderr, flush=True)


def workload_args(pages, rate):
    return "pages=%d rounds=0 rate=%d" % (pages, rate)


# ---------------------------------------------------------------- ours
def ours_row(p, i, name, pages, rate):
    """Migrate one workload guest A -> B; its figures."""
    a, b = p.emus[0].console, p.emus[1].console
    guest = "b%d" % i
    mark = a.mark()
    mig.must(a, "guest start workload.elf name=%s mem=%d -- %s"
             % (guest, MEM_MIB, workload_args(pages, rate)))
    settle(a, guest, mark)
    mig.must(b, "migrate incoming %d" % PORT)
    mig.must(a, "migrate %s %s:%d" % (guest, ADDR[1], PORT))
    st, samples = mig.watch(a, mig.Shower(prefix="     %-8s " % name, stream=sys.stderr),
                            interval=0.5)
    inc = mig.json_cmd(b, "migrate status")["incoming"]
    # The tests check the guest's memory after a move; here only that it runs.
    on_b = {g["name"]: g["state"] for g in mig.json_cmd(b, "guest list")["guests"]}
    running = on_b.get(guest) == "running"
    mig.must(b if guest in on_b else a, "guest stop %s" % guest)
    return {"status": st, "incoming": inc, "rounds": mig.per_round(samples),
            "samples": samples, "running_on_destination": running}


def settle(con, guest, mark):
    """Let the guest write before it moves: until its first round is done
    or it has run SETTLE_MS (a slow writer's first round takes minutes of
    wall time under Bochs; its untouched pages then travel as zeros)."""
    while True:
        if mig.guest_rounds(con.since(mark), guest):
            return
        run = {g["name"]: g.get("run_ms", 0) for g in mig.json_cmd(con, "guest list")["guests"]}
        if run.get(guest, 0) >= SETTLE_MS:
            return
        time.sleep(1)


def run_ours(build, rows, max_rounds):
    s = types.SimpleNamespace(args=types.SimpleNamespace(build=build), note=progress)
    out = {}
    with Pair(s, "bochs", "e1000") as p:
        progress("ours: two hypervisors booted in Bochs on a bxhub")
        mig.must(p.emus[0].console, "migrate set max-rounds %d" % max_rounds)
        settings = mig.json_cmd(p.emus[0].console, "migrate status")["settings"]
        for i, (name, pages, rate) in enumerate(rows):
            progress("ours: %s (%s)" % (name, workload_args(pages, rate)))
            out[name] = ours_row(p, i, name, pages, rate)
            st = out[name]["status"]
            progress("ours: %s: %s, %d rounds, downtime %d ms, total %.1f s" % (
                name, st["state"], st["round"], st["downtime_ms"], st["total_ms"] / 1000.0))
    return out, settings


# ---------------------------------------------------------------- QEMU
class QmpClient:
    """A synchronous QMP connection on a Unix socket (events skipped)."""

    def __init__(self, path, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.buf = b""
        self._read()  # greeting
        self.execute("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise RuntimeError("QMP %s: %s" % (cmd, reply["error"]))

    def close(self):
        self.sock.close()


def free_tcp_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def qemu_start(run_dir, tag, elf, args, incoming=None):
    qmp = os.path.join(run_dir, tag + ".qmp")
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", str(MEM_MIB),
           "-kernel", elf, "-append", args, "-serial", "file:" + os.path.join(run_dir, tag + ".serial"),
           "-display", "none", "-nodefaults", "-no-reboot",
           "-qmp", "unix:%s,server=on,wait=off" % qmp]
    if incoming:
        cmd += ["-incoming", incoming]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(run_dir, tag + ".log"), "w"))
    return proc, QmpClient(qmp)


def serial_rounds(run_dir, tag):
    try:
        with open(os.path.join(run_dir, tag + ".serial"), "rb") as f:
            text = f.read().decode("latin-1")
    except OSError:
        return []
    # the guest's own lines carry no "[name]" prefix under plain QEMU
    return mig.guest_rounds(text.replace("PROGRESS workload", "[q] PROGRESS workload"), "q")


def wait_serial_round(run_dir, tag, above, timeout, verified=False):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for r, rest in serial_rounds(run_dir, tag):
            if r > above and (not verified or "verified=yes" in rest):
                return r
        time.sleep(0.5)
    return None


def qemu_row(build, name, pages, rate, bw_bytes, downtime_ms, timeout):
    run_dir = os.path.abspath(os.path.join(build, "run", "bench-migrate-qemu", name))
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    elf = os.path.abspath(os.path.join(build, "guests", "workload.elf"))
    args = workload_args(pages, rate)
    port = free_tcp_port()
    procs, qmps = [], []
    try:
        for tag, inc in (("src", None), ("dst", "tcp:127.0.0.1:%d" % port)):
            proc, qmp = qemu_start(run_dir, tag, elf, args, inc)
            procs.append(proc)
            qmps.append(qmp)
        src = qmps[0]
        # as settle() does for ours: the first round, or SETTLE_MS of running
        wait_serial_round(run_dir, "src", 0, SETTLE_MS / 1000.0)
        src.execute("migrate-set-capabilities", capabilities=[
            {"capability": "auto-converge", "state": True}])
        src.execute("migrate-set-parameters", **{"max-bandwidth": bw_bytes,
                                                 "downtime-limit": downtime_ms})
        before = max([r for r, _ in serial_rounds(run_dir, "src")] + [0])
        src.execute("migrate", uri="tcp:127.0.0.1:%d" % port)
        start, samples, cancelled, last = time.monotonic(), [], False, {}
        while True:
            q = src.execute("query-migrate")
            q["t"] = round(time.monotonic() - start, 2)
            samples.append(q)
            if "ram" in q:
                last = q  # a cancelled migration's last reply has no figures
            ram = q.get("ram", {})
            line = "     qemu %-8s %-10s sync %d, %.2f MiB sent, %d pages left, throttle %d%%" % (
                name, q.get("status"), ram.get("dirty-sync-count", 0),
                mig.mib(ram.get("transferred", 0)), ram.get("remaining", 0) >> 12,
                q.get("cpu-throttle-percentage", 0))
            if sys.stderr.isatty():
                sys.stderr.write("\r\x1b[K" + line)
            elif len(samples) % 10 == 1:  # every 5 s on a pipe
                sys.stderr.write(line + "\n")
            if q.get("status") in ("completed", "failed", "cancelled"):
                break
            if not cancelled and time.monotonic() - start > timeout:
                src.execute("migrate_cancel")
                cancelled = True
            time.sleep(0.5)
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        carried = None
        if q["status"] == "completed":
            carried = wait_serial_round(run_dir, "dst", before, 75, verified=True) is not None
        return {"query": q, "last_figures": last, "cancelled_after_s": timeout if cancelled else None,
                "rounds": qemu_per_round(samples), "verified_on_destination": carried,
                "max_bandwidth": bw_bytes, "downtime_limit_ms": downtime_ms}
    finally:
        for qmp in qmps:
            qmp.close()
        for proc in procs:
            proc.kill()
            proc.wait()


def qemu_per_round(samples):
    """Per dirty sync seen: the pages left to send when it was first seen
    and the throughput QEMU reported then."""
    rows, seen = [], set()
    for q in samples:
        ram = q.get("ram")
        if not ram or ram["dirty-sync-count"] in seen:
            continue
        seen.add(ram["dirty-sync-count"])
        rows.append({"round": ram["dirty-sync-count"] - 1, "t": q["t"],
                     "dirty_pages": ram["remaining"] >> 12,
                     "bandwidth_kib_s": int(ram.get("mbps", 0) * 1e6 / 8 / 1024)})
    return rows


# ---------------------------------------------------------------- output
def ours_cells(r):
    if not r:
        return ["-"] * 7
    st = r["status"]
    return ["%.2f s" % (st["total_ms"] / 1000.0), "%d ms" % st["downtime_ms"], "-",
            str(st["round"]), "%.2f / %d MiB" % (mig.mib(st["bytes"]), st["ram_bytes"] >> 20),
            mig.ended_by(st), "yes" if r["running_on_destination"] else "no"]


def qemu_cells(r):
    if not r:
        return ["-"] * 6
    q = r["query"]
    ram = q.get("ram") or r["last_figures"].get("ram", {})
    if q["status"] == "completed":
        ended = "converged"
        if q.get("cpu-throttle-percentage"):
            ended += ", auto-converge %d%%" % q["cpu-throttle-percentage"]
        total, down = "%.2f s" % (q["total-time"] / 1000.0), "%d ms" % q.get("downtime", 0)
    else:
        ended = "no: %s%s" % (q["status"], " after %d s" % r["cancelled_after_s"]
                              if r["cancelled_after_s"] else "")
        total, down = "(%.0f s)" % (r["last_figures"].get("total-time", 0) / 1000.0), "-"
    return [total, down, str(ram.get("dirty-sync-count", "-")),
            "%.2f / %d MiB" % (mig.mib(ram.get("transferred", 0)), ram.get("total", 0) >> 20),
            ended, {True: "yes", False: "no", None: "-"}[r["verified_on_destination"]]]


def print_tables(rows, ours, qemu, bw, downtime_ms, max_rounds):
    head = ["guest", "dirty rate"]
    out = []
    for name, pages, rate in rows:
        label = "idle (%d pages)" % pages if name == "idle" else "%d pages" % pages
        out.append([label, "%d KiB/s" % rate if rate else "flat out"] +
                   ours_cells(ours.get(name)) + qemu_cells(qemu.get(name)))
    print("\nLive migration of a %d MiB workload guest; ours: Bochs, two hypervisors on a bxhub, "
          "downtime limit %d ms, at most %d rounds, auto-converge on; QEMU: QEMU/TCG over "
          "loopback capped at %d KiB/s, the same downtime limit, no round limit, auto-converge "
          "on" % (MEM_MIB, downtime_ms, max_rounds, bw >> 10))
    print(mig.table(head + ["total", "downtime", "downtime (guest)", "rounds", "wire / RAM",
                            "ended by", "running on B"] +
                    ["QEMU total", "QEMU downtime", "QEMU dirty syncs", "QEMU wire / RAM",
                     "QEMU converged", "QEMU verified a round"], out))
    print("\nrounds: passes after the first (ours); QEMU's dirty-sync-count includes its "
          "setup sync and the final one. downtime (guest): the workload guest does not "
          "measure its pause yet. QEMU verified a round: the guest finished a round on "
          "the destination checking every page (within 75 s).")
    detail = []
    for name, _, _ in rows:
        if name in ours:
            st, inc = ours[name]["status"], ours[name]["incoming"]
            s = mig.summary(st)
            detail.append([name, s["state"], s["rounds"], s["pages"], s["zero"], s["bytes"],
                           s["bandwidth"], "%d ms" % st["expected_downtime_ms"], s["downtime"],
                           "%d ms" % st["downtime_source_ms"], "%d ms" % inc["build_ms"],
                           s["total"]])
    if detail:
        print("\nOurs in detail (source's `migrate status`, destination's build_ms):")
        print(mig.table(["row", "state", "rounds", "pages sent", "zero pages", "bytes",
                         "bandwidth", "expected downtime", "downtime", "of which source",
                         "destination build", "total"], detail))


def write_rounds(path, ours, qemu):
    """gnuplot data: one block per series (two blank lines between); the
    list of (index, title) in the file."""
    series = []
    with open(path, "w") as f:
        for who, results in (("ours", ours), ("QEMU", qemu)):
            for name, r in results.items():
                f.write("# %s %s: round dirty_pages bandwidth_kib_s t\n" % (who, name))
                for row in r["rounds"]:
                    f.write("%d %d %d %.2f\n" % (row["round"], row["dirty_pages"],
                                                 row["bandwidth_kib_s"], row["t"]))
                f.write("\n\n")
                series.append((len(series), "%s, %s" % (who, name)))
    return series


def plot(out_dir, series):
    dat = os.path.join(out_dir, "migrate-rounds.dat")
    svg = os.path.join(out_dir, "migrate.svg")
    if not shutil.which("gnuplot"):
        return "gnuplot not installed (Debian package gnuplot-nox): no plot"
    if not series:
        return "nothing to plot"

    def plots(col):
        return ", ".join("'%s' index %d using 1:%d with linespoints %s title '%s'" % (
            dat, i, col, "dashtype 2" if t.startswith("QEMU") else "", t) for i, t in series)
    script = "\n".join([
        "set terminal svg size 1100,480 dynamic font 'sans,11'",
        "set output '%s'" % svg,
        "set multiplot layout 1,2 title 'Live migration per round (sampled): ours solid, QEMU/TCG dashed'",
        "set key top right font ',9'",
        "set xlabel 'round (0: first pass)'",
        "set ylabel 'pages left to send (log)'",
        "set logscale y",
        "set grid",
        "plot " + plots(2),
        "unset logscale y",
        "set ylabel 'bandwidth KiB/s'",
        "plot " + plots(3),
        "unset multiplot", ""])
    with open(os.path.join(out_dir, "migrate.gp"), "w") as f:
        f.write(script)
    r = subprocess.run(["gnuplot", os.path.join(out_dir, "migrate.gp")], capture_output=True,
                       text=True)
    if r.returncode:
        return "gnuplot failed: %s" % r.stderr.strip()
    return "plot: %s (data %s)" % (svg, dat)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", action="append", choices=[r[0] for r in ROWS],
                    help="run only this row (repeatable)")
    ap.add_argument("--no-ours", action="store_true", help="skip the Bochs migrations")
    ap.add_argument("--no-qemu", action="store_true", help="skip the QEMU reference")
    ap.add_argument("--link-kib-s", type=int,
                    help="QEMU's max-bandwidth (default: the median our migrations measured, "
                         "else %d)" % LINK_KIB_S)
    ap.add_argument("--max-rounds", type=int, default=10,
                    help="our round limit (the hypervisor's default is 30; a guest that "
                         "outruns the link takes about 4 s of emulated time a round)")
    ap.add_argument("--downtime-ms", type=int, default=300,
                    help="QEMU's downtime limit when ours did not run (default 300)")
    ap.add_argument("--qemu-timeout", type=float, default=120.0,
                    help="seconds before an unconverged QEMU migration is cancelled")
    ap.add_argument("--no-cost", action="store_true",
                    help="skip the TLS on/off and delta on/off columns (bench/migrate_cost.py)")
    args = ap.parse_args()
    rows = [r for r in ROWS if not args.only or r[0] in args.only]
    ours, qemu = {}, {}
    downtime_ms = args.downtime_ms
    if not args.no_ours:
        why = emulib.emulator_unavailable_reason("bochs")
        if why:
            print("skip ours (Bochs): %s" % why)
        else:
            ours, settings = run_ours(args.build, rows, args.max_rounds)
            downtime_ms = settings["downtime_limit_ms"]
    measured = [r["status"]["bandwidth_kib_s"] for r in ours.values()
                if r["status"]["state"] == "done" and r["status"]["data_pages"] > 1024]
    kib = args.link_kib_s or (int(statistics.median(measured)) if measured else LINK_KIB_S)
    if not args.no_qemu:
        why = emulib.emulator_unavailable_reason("qemu")
        if why:
            print("skip QEMU: %s" % why)
        else:
            for name, pages, rate in rows:
                progress("QEMU: %s (%s), max-bandwidth %d KiB/s" % (
                    name, workload_args(pages, rate), kib))
                qemu[name] = qemu_row(args.build, name, pages, rate, kib << 10, downtime_ms,
                                      args.qemu_timeout)
                q = qemu[name]["query"]
                progress("QEMU: %s: %s, total %.1f s, downtime %s ms" % (
                    name, q["status"], q.get("total-time", 0) / 1000.0, q.get("downtime", "-")))
    print_tables(rows, ours, qemu, kib << 10, downtime_ms, args.max_rounds)
    out_dir = os.path.join(args.build, "bench")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "migrate.json"), "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d"), "qemu_max_bandwidth_kib_s": kib,
                   "max_rounds": args.max_rounds,
                   "downtime_limit_ms": downtime_ms, "ours": ours, "qemu": qemu}, f, indent=1)
    series = write_rounds(os.path.join(out_dir, "migrate-rounds.dat"), ours, qemu)
    print("\n" + plot(out_dir, series))
    print("all figures: %s" % os.path.join(out_dir, "migrate.json"))
    if not args.no_ours and not args.no_cost and not emulib.emulator_unavailable_reason("bochs"):
        progress("ours: TLS on/off and compress delta/none (bench/migrate_cost.py)")
        cost = migrate_cost.run(args.build, migrate_cost.RATE)
        migrate_cost.print_table(cost, migrate_cost.RATE)
        with open(os.path.join(out_dir, "migrate-cost.json"), "w") as f:
            json.dump(cost, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
