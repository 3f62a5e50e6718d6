#!/usr/bin/env python3
"""kvm-unit-tests as a conformance stage (docs/conformance.md).

Each test (built by `make kut` into BUILD/kut/bin/ARCH/NAME.flat) is a
multiboot guest taking one module, an environment file (NR_CPUS=1,
MEMSIZE=<guest MiB>, TEST_DEVICE=0), and its name as the
command line. It prints PASS:/FAIL:/SKIP: lines and a SUMMARY: line on
COM1 and writes a status to the isa-debug-exit port 0xF4: 0 all passed,
1 a check failed, 38 (77 >> 1) everything skipped, 63 abort() (an assert
or an unexpected exception). QEMU reports (status << 1) | 1 as its exit
code; the hypervisor shows the raw value as the guest's exit_status.

--emu bochs (default): the hypervisor in Bochs. The ESP holds at most 32
files in guests/, so the tests go in batches, one boot each, with a private
ESP per batch (BOOTX64.EFI, hv.cfg, the batch's tests, the env files);
tests of a batch run one after another:
    guest start NAME.flat name=NAME mem=MiB mod=kutMiB.env -- NAME
--emu qemu: the reference "emulated PC", QEMU/TCG -cpu max with
    -kernel NAME.flat -initrd ENV and an isa-debug-exit device, no hypervisor.

tests/kut/tests.cfg lists every test with its guest RAM, whether it is in
the fast subset `make test` runs, and the expected outcome per column.
A result other than the expected one counts as a failure of the stage,
and so does a new pass (update the table and docs/conformance.md).
Writes "PASSED FAILED" to BUILD/results/kut.result and every outcome to
BUILD/kut/results-EMU.json.
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
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import emu as emulib  # noqa: E402
from console import ConsoleError  # noqa: E402

TABLE = os.path.join(HERE, "tests.cfg")
ESP_MAX_FILES = 32   # BOOTINFO_MAX_FILES: files the hypervisor reads from guests/
BOCHS_MEM_MIB = 512  # the emulated machine; guests take at most 128 of it
BOOT_WAIT = 120.0
OUTCOMES = ("pass", "fail", "skip", "abort", "stop", "timeout")
# Port 0xF4 values (lib/report.c report_summary, lib/abort.c).
STATUS = {0: "pass", 1: "fail", 38: "skip", 63: "abort"}


class Test:
    """One line of tests.cfg."""

    def __init__(self, arch, name, mem, timeout, fast, expect_hv, expect_qemu,
                 file=None, *args):
        self.arch, self.name = arch, name
        # upstream's unittests.cfg runs some files once per argument
        # (vmexit.flat as vmexit_cpuid, ...): the file and its arguments
        self.file, self.args = file or name, list(args)
        self.mem, self.timeout = int(mem), float(timeout)
        self.fast = fast == "fast"
        self.expect = {"bochs": expect_hv, "kvm": expect_hv, "qemu": expect_qemu}

    @property
    def id(self):
        return "%s/%s" % (self.arch, self.name)


def load_table(path=TABLE):
    """tests.cfg: arch name mem timeout fast|- expect-hv expect-qemu [file args...]."""
    tests = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) < 7 or words[5] not in OUTCOMES + ("-",) \
                    or words[6] not in OUTCOMES + ("-",):
                raise SystemExit("%s:%d: bad line %r" % (path, n, line.strip()))
            tests.append(Test(*words))
    return tests


def env_text(mem):
    """The environment module: kvm-unit-tests reads it instead of fw_cfg."""
    return "NR_CPUS=1\nMEMSIZE=%d\nTEST_DEVICE=0\n" % mem


def summarize_lines(lines):
    """Counts of PASS/FAIL/SKIP report lines and the SUMMARY line."""
    counts = {k: sum(1 for l in lines if l.startswith(k + ":"))
              for k in ("PASS", "FAIL", "SKIP", "XFAIL")}
    summary = next((l for l in lines if l.startswith("SUMMARY:")), "")
    return counts, summary


class Result:
    """What one test did."""

    def __init__(self, test, kind, outcome, detail, lines, seconds):
        self.test, self.kind, self.outcome = test, kind, outcome
        self.detail, self.lines, self.seconds = detail, lines, seconds
        self.counts, self.summary = summarize_lines(lines)

    def failed_checks(self):
        """The FAIL: lines and the last lines before an abort."""
        fails = [l for l in self.lines if l.startswith("FAIL:")]
        if self.outcome in ("abort", "stop", "timeout") and not fails:
            fails = self.lines[-3:]
        return fails

    def as_dict(self):
        return {"test": self.test.id, "emu": self.kind, "outcome": self.outcome,
                "expected": self.test.expect[self.kind], "detail": self.detail,
                "summary": self.summary, "counts": self.counts,
                "failed_checks": self.failed_checks()[:20],
                "seconds": round(self.seconds, 1), "mem_mib": self.test.mem}


# ---------------------------------------------------------------- QEMU/TCG
def run_qemu(build, test):
    """The reference column: the test as QEMU's own multiboot kernel.

    No -append: QEMU's multiboot command line is "KERNEL-PATH APPEND" and
    the tests split it into argv as it is, so the guest sees argc 1 and
    argv[0] the kernel, as under the hypervisor (command line NAME) and as
    kvm-unit-tests' own x86/run does for tests without extra parameters.
    """
    flat = os.path.join(build, "kut", "bin", test.arch, test.file + ".flat")
    work = os.path.join(build, "run", "kut-qemu")
    os.makedirs(work, exist_ok=True)
    env = os.path.join(work, "kut%d.env" % test.mem)
    with open(env, "w") as f:
        f.write(env_text(test.mem))
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", str(test.mem),
           "-smp", "1", "-display", "none", "-vga", "none", "-nodefaults",
           "-no-reboot", "-serial", "stdio", "-monitor", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4",
           "-kernel", flat, "-initrd", env]
    if test.args:
        cmd += ["-append", " ".join(test.args)]
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=test.timeout)
        out, rc = p.stdout.decode("latin-1"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode("latin-1"), None
    lines = [l.rstrip("\r") for l in out.split("\n")]
    secs = time.monotonic() - start
    if rc is None:
        return Result(test, "qemu", "timeout", "no exit in %.0fs" % test.timeout, lines, secs)
    if rc & 1:
        status = rc >> 1
        return Result(test, "qemu", STATUS.get(status, "fail"),
                      "exit status %d" % status, lines, secs)
    # 0: QEMU stopped by itself (reset with -no-reboot: a triple fault).
    return Result(test, "qemu", "stop", "QEMU exited %d (no port 0xF4 write; "
                  "a reset?)" % rc, lines, secs)


# ---------------------------------------------------------------- hypervisor
def make_esp(build, batch, esp):
    """A private ESP: the hypervisor, hv.cfg, this batch's tests and env files."""
    if os.path.exists(esp):
        shutil.rmtree(esp)
    guests = os.path.join(esp, "guests")
    os.makedirs(guests)
    shutil.copytree(os.path.join(build, "esp", "EFI"), os.path.join(esp, "EFI"))
    shutil.copy(os.path.join(build, "esp", "hv.cfg"), esp)
    for t in batch:
        shutil.copy(os.path.join(build, "kut", "bin", t.arch, t.file + ".flat"), guests)
        with open(os.path.join(guests, "kut%d.env" % t.mem), "w") as f:
            f.write(env_text(t.mem))


def batches(tests):
    """Tests of one arch per boot (names are unique per arch), each batch's
    tests and env files within the ESP's file limit."""
    out = []
    for arch in sorted({t.arch for t in tests}, reverse=True):
        cur = []
        for t in (t for t in tests if t.arch == arch):
            mems = {x.mem for x in cur + [t]}
            files = {x.file for x in cur + [t]}
            if len(files) + len(mems) > ESP_MAX_FILES:
                out.append(cur)
                cur = []
            cur.append(t)
        if cur:
            out.append(cur)
    return out


def plain(text):
    """Console text as lines: no CRs, no line-erase codes."""
    return text.replace("\r\x1b[K", "\n").replace("\r", "").split("\n")


def guest_lines(text, name):
    """The guest's own output: the "[NAME] ..." lines, prefix removed."""
    pre = "[%s] " % name
    return [l[len(pre):] for l in plain(text) if l.startswith(pre)]


def wait_stopped(con, mark, name, timeout):
    """The reason in "guest NAME: stopped: REASON", or None on timeout."""
    rx = re.compile(r"guest %s: stopped: (.*)" % re.escape(name))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = con.since(mark)
        # Whole lines only: the line may still be arriving.
        for l in plain(text[:text.rfind("\n") + 1]):
            m = rx.search(l)
            if m:
                return m.group(1).strip()
        time.sleep(0.5)
    return None


def guest_entry(con, name):
    obj = con.json("guest list")
    for g in obj.get("guests", []):
        if g.get("name") == name:
            return g
    return {}


def run_hv_test(con, test, kind):
    """One test as a guest of the running hypervisor."""
    name = test.name
    mark = con.mark()
    start = time.monotonic()
    obj = con.json("guest start %s.flat name=%s mem=%d mod=kut%d.env -- %s"
                   % (test.file, name, test.mem, test.mem,
                      " ".join([test.file] + test.args)))
    if obj.get("ok") is not True:
        return Result(test, kind, "stop", "guest start failed: %s" % obj.get("error", obj),
                      [], 0.0)
    reason = wait_stopped(con, mark, name, test.timeout)
    time.sleep(0.5)  # the guest's last line may follow the log line
    secs = time.monotonic() - start
    if reason is None:
        g = guest_entry(con, name)
        con.json("guest stop %s" % name)
        lines = guest_lines(con.since(mark), name)
        return Result(test, kind, "timeout", "still %s after %.0fs at rip %s"
                      % (g.get("state"), test.timeout, g.get("rip")), lines, secs)
    lines = guest_lines(con.since(mark), name)
    m = re.match(r"exited with status (\d+)$", reason)
    if m:
        status = int(m.group(1))
        return Result(test, kind, STATUS.get(status, "fail"), "exit status %d" % status,
                      lines, secs)
    return Result(test, kind, "stop", reason, lines, secs)


def run_batch(args, kind, n, batch, report):
    """Boot the hypervisor once and run a batch of tests in it."""
    run_dir = os.path.join(args.build, "run", "kut-%s-%d" % (kind, n))
    esp = os.path.join(args.build, "kut", "esp-%d" % n)
    make_esp(args.build, batch, esp)
    emu = emulib.Emulator(kind, args.build, run_dir, mem_mib=BOCHS_MEM_MIB, esp=esp)
    try:
        con = emu.start()
        con.read_until_prompt(BOOT_WAIT)
        con.command("mode json")
        for t in batch:
            if not emu.alive():
                report(Result(t, kind, "stop", "%s no longer running" % kind, [], 0.0))
                continue
            try:
                report(run_hv_test(con, t, kind))
            except ConsoleError as e:
                report(Result(t, kind, "stop", "console: %s" % str(e).split("\n")[0],
                              [], 0.0))
                con.resync(attempts=2, timeout=10)
    except (emulib.EmulatorError, ConsoleError) as e:
        for t in batch:
            report(Result(t, kind, "stop", "boot failed: %s" % str(e).split("\n")[0],
                          [], 0.0))
    finally:
        emu.kill()


# ---------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    sel = ap.add_mutually_exclusive_group()
    sel.add_argument("--all", action="store_true", help="every test (default)")
    sel.add_argument("--fast", action="store_true", help="the subset make test runs")
    ap.add_argument("--emu", choices=("bochs", "kvm", "qemu"), default="bochs")
    ap.add_argument("-k", action="append", default=[], metavar="SUBSTRING",
                    help="only tests whose ARCH/NAME contains SUBSTRING (repeatable: any)")
    args = ap.parse_args(argv)
    tests = [t for t in load_table() if (t.fast or not args.fast)
             and (not args.k or any(k in t.id for k in args.k))]
    missing = [t.id for t in tests if not os.path.isfile(
        os.path.join(args.build, "kut", "bin", t.arch, t.file + ".flat"))]
    if missing:
        raise SystemExit("kut: not built (make kut): %s" % " ".join(missing))
    results = []

    def report(r):
        ok = r.outcome == r.test.expect[r.kind]
        results.append((r, ok))
        print("%s %s[%s]: %s%s (%s; %.0fs) %s" % (
            "ok  " if ok else "DIFF", r.test.id, r.kind, r.outcome,
            "" if ok else " (expected %s)" % r.test.expect[r.kind], r.detail,
            r.seconds, r.summary), flush=True)
        for l in ([] if ok and r.outcome == "pass" else r.failed_checks()[:6]):
            print("    | " + l, flush=True)

    reason = emulib.emulator_unavailable_reason(args.emu)
    start = time.monotonic()
    if reason and args.emu == "kvm":
        print("kut: skipped under kvm: %s" % reason)
    elif reason:
        raise SystemExit("kut: %s" % reason)
    elif args.emu == "qemu":
        for t in tests:
            report(run_qemu(args.build, t))
    else:
        for n, batch in enumerate(batches(tests)):
            run_batch(args, args.emu, n, batch, report)
    return finish(args, results, time.monotonic() - start)


def finish(args, results, seconds):
    """Counts per arch and outcome, the results files, the exit status."""
    for arch in ("x86_64", "i386"):
        got = [r for r, _ in results if r.test.arch == arch]
        if got:
            print("kut %s %s: %s" % (args.emu, arch, ", ".join(
                "%d %s" % (sum(1 for r in got if r.outcome == o), o)
                for o in OUTCOMES if any(r.outcome == o for r in got))))
    same = sum(1 for _, ok in results if ok)
    diff = len(results) - same
    for r, ok in results:
        if not ok:
            print("differs: %s[%s] %s, expected %s" % (r.test.id, r.kind, r.outcome,
                                                    r.test.expect[r.kind]))
    print("kut: %d as expected, %d differ (%.0fs)" % (same, diff, seconds))
    os.makedirs(os.path.join(args.build, "results"), exist_ok=True)
    with open(os.path.join(args.build, "results", "kut.result"), "w") as f:
        f.write("%d %d\n" % (same, diff))
    with open(os.path.join(args.build, "kut", "results-%s.json" % args.emu), "w") as f:
        json.dump([r.as_dict() for r, _ in results], f, indent=1)
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
