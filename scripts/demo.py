#!/usr/bin/env python3
"""`make demo`: live migration between two hypervisors, end to end.

Two Bochs instances (VMX with EPT emulated) each boot the hypervisor; a
bxhub joins their e1000s into a private emulated Ethernet carried over
UDP on loopback, nothing else on it. Each hypervisor boots from its own
copy of the ESP whose hv.cfg names it (hv-a, hv-b) and brings eth0 up by
DHCP; bxhub's own DHCP server hands out the addresses (10.0.2.15 up).
The workload guest (tests/guests/workload.c: rewrites PAGES pages at
RATE KiB/s, each round checking every page it wrote) starts on hv-a,
moves to hv-b while it runs, and back; after each move the script waits
for the guest to finish a round that it verified page by page on its new
host. Progress is shown while a migration runs, and the figures of each
move in a table at the end (the source's `migrate status`; times are the
hypervisors' own emulated clocks).

With --linux (`make demo LINUX=1`) the guest is Debian's kernel with the
busybox initramfs of scripts/linux-image.sh, its init in hvtest=loop:
it writes and checks memory and prints a LOOP line a second (counter,
uptime, wall clock, whether every check held); after each move the
script shows the counter carrying on and the clocks moved by no more
than the move took.

Usage: scripts/demo.py [--build DIR] [--pages N] [--rate KIB_S] [--mem MIB] [--moves N] [--linux]
Bochs carries about 1.3 MB/s between instances and runs slower than real
time: the whole demo takes about five minutes (with --linux, twenty).
"""

import argparse
import os
import re
import secrets
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import emu as emulib  # noqa: E402
import migration as mig  # noqa: E402
from console import ConsoleError  # noqa: E402
from test_net import start_hub  # noqa: E402
from test_linux import CMDLINE as LINUX_CMDLINE  # noqa: E402

NAMES = ("hv-a", "hv-b")
GUEST = "mg"
PORT = 4444
BOOT_WAIT = 240.0
DHCP_WAIT = 120.0

T0 = time.monotonic()


def say(msg):
    print("[%4.0fs] %s" % (time.monotonic() - T0, msg), flush=True)


def write_esp(build, run_dir, name, psk, linux):
    """A copy of the ESP (with the Linux guest's files for --linux) whose
    hv.cfg names the host, asks for DHCP and holds the pair's migration key."""
    esp = os.path.join(run_dir, "esp-" + name)
    shutil.copytree(os.path.join(build, "esp-linux" if linux else "esp"), esp)
    with open(os.path.join(esp, "hv.cfg"), "w") as f:
        f.write("# written by scripts/demo.py\n"
                "hostname = %s\nlog.level = info\nconsole.mode = text\n"
                "console.echo = on\nnet.mode = dhcp\n"
                "# the pair's shared secret: migrations are encrypted and authenticated\n"
                "migrate.psk = %s\n" % (name, psk))
    return esp


def boot_pair(build, run_dir, port, linux):
    """Start both hypervisors on the hub; their Emulator objects."""
    emus = []
    psk = secrets.token_hex(32)  # made for this run, in both hv.cfg files
    for i, name in enumerate(NAMES):
        mac = "52:54:00:12:34:%02x" % (0x20 + i)
        e = emulib.Emulator("bochs", build, os.path.join(run_dir, name),
                            mem_mib=512 if linux else 256,
                            esp=write_esp(build, run_dir, name, psk, linux),
                            bochs_extra=["e1000: enabled=1, mac=%s, ethmod=socket, ethdev=%d"
                                         % (mac, port + 2 * i)])
        emus.append(e)
        e.start()
    for name, e in zip(NAMES, emus):
        # the Linux guest's 9 MB are read through Bochs's disk at boot
        e.console.read_until_prompt(4 * BOOT_WAIT if linux else BOOT_WAIT)
        e.console.command("mode json")
        say("%s: console up after %.0f s" % (name, e.elapsed()))
    return emus


def wait_address(con, name):
    """The address DHCP gave eth0."""
    deadline = time.monotonic() + DHCP_WAIT
    while True:
        n = mig.json_cmd(con, "net")["interfaces"][0]
        if n.get("address") and n["address"] != "0.0.0.0":
            say("%s: eth0 %s (%s) got %s/%s by DHCP" % (name, n["model"], n["mac"],
                                                       n["address"], n["netmask"]))
            return n["address"]
        if time.monotonic() > deadline:
            raise RuntimeError("%s: no DHCP lease after %.0f s: %r" % (name, DHCP_WAIT, n))
        time.sleep(1)


def move(emus, addrs, src, dst, linux):
    """Migrate GUEST from src to dst while it runs; the final status."""
    a, b = emus[src].console, emus[dst].console
    mark = b.mark()
    last = mig.guest_rounds(emus[src].console.since(0), GUEST)
    before = last[-1][0] if last else 0
    if linux:
        before = loop_lines(a, 0)[-1][0]
    mig.must(b, "migrate incoming %d" % PORT)
    say("%s -> %s: migrating %s (round %d on %s) to %s:%d" % (
        NAMES[src], NAMES[dst], GUEST, before, NAMES[src], addrs[dst], PORT))
    mig.must(a, "migrate %s %s:%d" % (GUEST, addrs[dst], PORT))
    st, _ = mig.watch(a, mig.Shower())
    if st["state"] != "done":
        raise RuntimeError("migration %s: %s" % (st["state"], st.get("error")))
    inc = mig.json_cmd(b, "migrate status")["incoming"]
    say("%s -> %s: done: %d rounds, downtime %d ms, total %.1f s; %s: %s"
        % (NAMES[src], NAMES[dst], st["round"], st["downtime_ms"], st["total_ms"] / 1000.0,
           NAMES[dst], inc["last"]))
    guests = {g["name"]: g["state"] for g in mig.json_cmd(b, "guest list")["guests"]}
    left = {g["name"] for g in mig.json_cmd(a, "guest list")["guests"]
            if g["state"] != "stopped"}
    say("%s: %s is %s; %s: %s" % (NAMES[dst], GUEST, guests.get(GUEST, "missing"),
                                  NAMES[src], "gone" if GUEST not in left else "STILL THERE"))
    if linux:
        last = loop_lines(a, 0)[-1]
        first = wait_loops(b, mark, 2)[0]
        say("%s: %s carries on: LOOP n=%d on %s, n=%d here, every check %s; its wall clock "
            "+%d s, uptime +%.1f s (the move took %.1f s)" % (
                NAMES[dst], GUEST, last[0], NAMES[src], first[0],
                "held" if first[3] == "yes" else "FAILED", first[2] - last[2],
                first[1] - last[1], st["total_ms"] / 1000.0))
        return st, inc
    # verify=1 (the default): each round line comes after the guest
    # checked every page it wrote, so the first on dst shows memory intact.
    r, _ = mig.wait_guest_round(b, GUEST, mark, above=before, verified=True)
    say("%s: %s carries on: round %d written and every page verified" % (NAMES[dst], GUEST, r))
    return st, inc


LOOP = re.compile(r"^\[%s\] LOOP n=(\d+) uptime=([\d.]+) wall=(\d+) sums=(\w+)" % GUEST, re.M)


def loop_lines(con, mark):
    """The Linux guest's LOOP lines since mark: (n, uptime, wall, sums).
    Lines printed above the prompt start with CR ESC [ K."""
    text = con.since(mark).replace("\r\x1b[K", "\n").replace("\r", "")
    return [(int(n), float(u), int(w), ok) for n, u, w, ok in LOOP.findall(text)]


def wait_loops(con, mark, count, wait=1800):
    deadline = time.monotonic() + wait
    while len(loop_lines(con, mark)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("no LOOP lines from %s in %.0f s" % (GUEST, wait))
        time.sleep(2)
    return loop_lines(con, mark)


def run(args):
    run_dir = os.path.abspath(os.path.join(args.build, "run", "demo"))
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    hub, port = start_hub(2)
    emus = []
    try:
        say("bxhub on UDP %d-%d (loopback): a private emulated Ethernet for two Bochs"
            % (port, port + 3))
        say("booting %s and %s in Bochs (the console comes up after 20-60 s)" % NAMES)
        emus = boot_pair(args.build, run_dir, port, args.linux)
        addrs = [wait_address(e.console, n) for n, e in zip(NAMES, emus)]
        if addrs[0] == addrs[1]:
            raise RuntimeError("both hosts got %s" % addrs[0])
        ping = mig.json_cmd(emus[0].console, "ping %s 3" % addrs[1], timeout=60)
        say("%s: ping %s: %d/%d replies" % (NAMES[0], addrs[1], ping["received"], ping["sent"]))
        a = emus[0].console
        mark = a.mark()
        if args.linux:
            mig.must(a, "guest start vmlinuz name=%s mem=%d initrd=initrd.gz -- %s hvtest=loop"
                     % (GUEST, args.mem, LINUX_CMDLINE))
            say("%s: Linux guest %s started (%d MiB RAM); its init writes 1 MiB a second and "
                "checks 5" % (NAMES[0], GUEST, args.mem))
            n = wait_loops(a, mark, 3)[-1][0]
            say("%s: %s is at LOOP n=%d" % (NAMES[0], GUEST, n))
        else:
            mig.must(a, "guest start workload.elf name=%s mem=%d -- pages=%d rounds=0 rate=%d"
                     % (GUEST, args.mem, args.pages, args.rate))
            say("%s: guest %s started (%d MiB RAM; rewrites %d pages = %d KiB at %d KiB/s, "
                "verifying each round)" % (NAMES[0], GUEST, args.mem, args.pages,
                                          args.pages * 4, args.rate))
            r, _ = mig.wait_guest_round(a, GUEST, mark)
            say("%s: %s finished round %d" % (NAMES[0], GUEST, r))
        rows = []
        for k in range(args.moves):
            src, dst = k % 2, (k + 1) % 2
            st, _ = move(emus, addrs, src, dst, args.linux)
            s = mig.summary(st)
            rows.append(["%s -> %s" % (NAMES[src], NAMES[dst]), s["state"], s["rounds"],
                         s["pages"], s["zero"], "%s of %s" % (s["bytes"], s["ram"]),
                         s["bandwidth"], s["downtime"], s["total"], s["ended_by"]])
        print()
        what = "Linux, hvtest=loop" if args.linux else "workload pages=%d rate=%d KiB/s" % (
            args.pages, args.rate)
        print("Live migration of %s (%s, %d MiB), as the source reported it:" % (
            GUEST, what, args.mem))
        print(mig.table(["move", "state", "rounds", "pages sent", "zero pages",
                         "bytes on the wire", "bandwidth", "downtime", "total time",
                         "pre-copy ended by"], rows))
        print("\nrounds: passes after the first full one; downtime: guest paused on the source "
              "until the destination's acceptance arrived; times in each hypervisor's "
              "emulated clock.\nLogs and console transcripts: %s" % run_dir)
        return 0
    finally:
        for e in emus:
            e.kill()
        hub.kill()
        hub.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build directory (default build)")
    ap.add_argument("--pages", type=int, default=1024, help="pages the guest rewrites (1024)")
    ap.add_argument("--rate", type=int, default=256, help="its write rate, KiB/s (256)")
    ap.add_argument("--mem", type=int, help="its RAM, MiB (16; with --linux 128)")
    ap.add_argument("--moves", type=int, default=2, help="migrations, alternating (2)")
    ap.add_argument("--linux", action="store_true",
                    help="move a Linux guest (make linux-esp) instead of the workload")
    args = ap.parse_args()
    args.mem = args.mem or (128 if args.linux else 16)
    if args.linux and not os.path.isfile(os.path.join(args.build, "esp-linux", "guests",
                                                      "vmlinuz")):
        print("demo: no Linux guest in %s/esp-linux (make linux-esp: needs Debian's "
              "linux-image-amd64 and busybox-static)" % args.build, file=sys.stderr)
        return 1
    why = emulib.emulator_unavailable_reason("bochs") or (
        not shutil.which("bxhub") and "bxhub not installed")
    if why:
        print("demo: %s" % why, file=sys.stderr)
        return 1
    try:
        return run(args)
    except (RuntimeError, ConsoleError, emulib.EmulatorError) as e:
        print("demo: failed: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
