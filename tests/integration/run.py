#!/usr/bin/env python3
"""Run the emulator integration tests.

Every test_* function of tests/integration/test_*.py runs once per emulator
kind (bochs, qemu, kvm). Tests marked with the same @emu.boot(group) share
one emulator start, in source order. Tests marked long
(@emu.boot(..., long=True)) run only with --long. Each emulator kind runs in its own
thread, so Bochs and QEMU boot side by side.

Prints "PASS name (1.2s)", "FAIL name: reason" or "SKIP name: reason" per
test, then the skip reasons grouped and the counts, and writes "PASSED
FAILED SKIPPED" to BUILD/results/integration.result and the skip reasons to
integration.skips. Exits non-zero when a test failed.
"""

import argparse
import glob
import importlib
import os
import re
import shutil
import signal
import sys
import threading
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, HERE)
import emu as emulib  # noqa: E402
from console import ConsoleError  # noqa: E402

# Longest wait for the first prompt; the boot test itself holds a tighter limit.
# HV_BOOT_WAIT=seconds raises it for every kind on a loaded machine.
BOOT_WAIT = {"bochs": 90.0, "qemu": 60.0, "kvm": 60.0}
if os.environ.get("HV_BOOT_WAIT"):
    BOOT_WAIT = {k: float(os.environ["HV_BOOT_WAIT"]) for k in BOOT_WAIT}


class Session:
    """One boot of one emulator kind, shared by the tests of one group."""

    def __init__(self, kind, group, opts, args):
        self.kind = kind
        self.group = group
        self.args = args
        self.opts = opts
        self.run_dir = os.path.join(args.build, "run", "%s-%s" % (group, kind))
        self.emu = None
        self.boot_seconds = None
        self.boot_cpu_seconds = None  # CPU time the emulator took to the prompt
        self.boot_output = ""
        self.boot_error = None
        self.dead = None  # why the console can no longer be used
        self.mode = None  # console reply mode as last set, None if unknown
        self.notes = []
        self.failed = False

    def note(self, msg):
        """Information printed under the test's result line."""
        self.notes.append(msg)

    def boot(self):
        """Start the emulator and wait for the first prompt; seconds it took."""
        if self.boot_error:
            raise AssertionError("boot failed earlier: %s" % self.boot_error)
        if self.boot_seconds is not None:
            return self.boot_seconds
        try:
            opts = dict(self.opts)
            esp = opts.pop("esp", None)
            esp = os.path.join(self.args.build, esp) if esp else self.args.esp
            wait = opts.pop("boot_wait", BOOT_WAIT[self.kind])
            self.emu = emulib.Emulator(self.kind, self.args.build, self.run_dir,
                                       esp=esp, disk=self.args.disk, **opts)
            con = self.emu.start()
            self.boot_output = con.read_until_prompt(wait)
        except (emulib.EmulatorError, ConsoleError) as e:
            self.boot_error = str(e).split("\n")[0]
            raise
        self.boot_seconds = self.emu.elapsed()
        self.boot_cpu_seconds = self.emu.cpu_seconds()
        return self.boot_seconds

    @property
    def console(self):
        """The console of a booted, still running emulator."""
        self.boot()
        if self.dead:
            raise AssertionError(self.dead)
        if not self.emu.alive():
            raise AssertionError("%s is no longer running" % self.kind)
        return self.emu.console

    def set_mode(self, mode):
        """Switch the console to "text" or "json" replies (no-op if known)."""
        if self.mode == mode:
            return
        reply = self.console.command("mode " + mode)
        assert not reply.startswith("error"), "mode %s failed: %r" % (mode, reply)
        if mode == "json":
            obj = self.console.json("version")
            assert obj.get("ok") is True, "json mode not active: %r" % obj
        self.mode = mode

    def text(self, line):
        """Reply to line in text mode (log lines removed)."""
        self.set_mode("text")
        return self.console.command(line)

    def json(self, line):
        """Parsed reply to line in json mode; checks "ok" and "cmd" exist."""
        self.set_mode("json")
        obj = self.console.json(line)
        assert isinstance(obj.get("ok"), bool), "no boolean ok in %r" % obj
        assert isinstance(obj.get("cmd"), str), "no string cmd in %r" % obj
        return obj

    def close(self, keep):
        """Stop the emulator; drop the run directory unless kept or failed."""
        if self.emu:
            self.emu.kill()
        if not keep and not self.failed and os.path.isdir(self.run_dir):
            shutil.rmtree(self.run_dir, ignore_errors=True)


class Runner:
    """Collects results from the per-emulator threads and prints them."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.results = []  # (status, name, detail)

    def report(self, status, name, detail, seconds=None, notes=(), extra=""):
        """Print one result line (and details) atomically."""
        if status == "PASS":
            line = "PASS %s (%.1fs)" % (name, seconds)
        else:
            line = "%s %s: %s" % (status, name, detail)
        text = [line] + ["    " + n for n in notes]
        if extra:
            text += ["    | " + l for l in extra.rstrip("\n").split("\n")]
        with self.lock:
            self.results.append((status, name, detail))
            print("\n".join(text), flush=True)

    def run_kind(self, kind, groups):
        """Run every selected group for one emulator kind, boot by boot."""
        reason = emulib.emulator_unavailable_reason(kind)
        for group, tests in groups:
            chosen = [t for t in tests if kind in t.boot_kinds
                      and self.selected("%s.%s" % (t.__module__, test_name(t, kind)))
                      and (self.args.long or not t.boot_long)]
            if not chosen:
                continue
            if reason:
                status = "SKIP" if kind == "kvm" else "FAIL"
                for t in chosen:
                    self.report(status, test_name(t, kind), reason)
                continue
            session = Session(kind, group, chosen[0].boot_opts, self.args)
            try:
                for t in chosen:
                    self.run_test(session, t)
            finally:
                session.close(self.args.keep)
                if session.failed:
                    with self.lock:
                        print("    (run directory kept: %s)" % session.run_dir, flush=True)

    def selected(self, name):
        """True when "module.test_x[kind]" contains every -k substring."""
        return all(k in name for k in self.args.k)

    def run_test(self, session, test):
        """Run one test function and report it."""
        name = test_name(test, session.kind)
        session.notes = []
        con = session.emu.console if session.emu else None
        mark = con.mark() if con else 0
        booted = session.boot_seconds is not None
        start = time.monotonic()
        try:
            test(session)
        except unittest.SkipTest as e:
            self.report("SKIP", name, str(e), notes=session.notes)
            return
        except (AssertionError, ConsoleError, emulib.EmulatorError) as e:
            self.fail(session, name, str(e) or "assertion failed", mark,
                      traceback.extract_tb(e.__traceback__))
            return
        except Exception as e:  # a bug in the test: still one failure
            self.fail(session, name, "%s: %s" % (type(e).__name__, e), mark,
                      traceback.extract_tb(e.__traceback__))
            return
        if not booted and session.boot_seconds is not None and \
                test.__name__ != "test_boot_reaches_prompt":
            session.note("(includes the boot: prompt after %.1fs)" % session.boot_seconds)
        self.report("PASS", name, "", time.monotonic() - start, session.notes)

    def fail(self, session, name, why, mark, tb):
        """Report a failure with the serial output the test saw."""
        session.failed = True
        session.mode = None
        self.recover(session, name)
        first, _, rest = why.partition("\n")
        where = [f for f in tb if f.filename.startswith(HERE)]
        loc = ["at %s:%d" % (os.path.basename(where[-1].filename), where[-1].lineno)] \
            if where else []
        extra = rest + "\n" if rest else ""
        con = session.emu.console if session.emu else None
        if con:
            seen = re.sub(r"\r+\n", "\n", con.since(mark)).replace("\r", "")
            seen = "\n".join(seen.split("\n")[-40:])
            extra += "--- serial output during the test (last 40 lines)\n%s\n" % seen
        if session.emu:
            extra += session.emu.diagnostics()
        self.report("FAIL", name, first, notes=session.notes + loc, extra=extra)


    @staticmethod
    def recover(session, name):
        """After a failure, get a prompt back or mark the console unusable,
        so a hung console costs one timeout, not one per remaining test."""
        emu = session.emu
        if session.dead or not emu or not emu.console or not emu.alive() \
                or session.boot_seconds is None:
            return
        try:
            emu.console.resync(attempts=2, timeout=10)
        except ConsoleError:
            session.dead = "console unresponsive since %s" % name


def test_name(test, kind):
    """The reported name of test on kind, e.g. test_version_json[bochs]."""
    return "%s[%s]" % (test.__name__, kind)


def collect():
    """Groups of test functions in first-appearance order: [(group, [fn])]."""
    groups = {}
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        mod = importlib.import_module(os.path.basename(path)[:-3])
        fns = [v for k, v in vars(mod).items()
               if k.startswith("test_") and callable(v) and v.__module__ == mod.__name__]
        for fn in sorted(fns, key=lambda f: f.__code__.co_firstlineno):
            if not hasattr(fn, "boot_group"):
                raise SystemExit("%s.%s lacks @emu.boot(group)" % (mod.__name__, fn.__name__))
            key = "%s.%s" % (mod.__name__, fn.boot_group)
            groups.setdefault(key, []).append(fn)
    return [(k.split(".", 1)[1], v) for k, v in groups.items()]


def main(argv=None):
    if not __debug__:
        raise SystemExit("run.py relies on assert: do not run it with python -O")
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build directory (default build)")
    ap.add_argument("--emu", action="append", choices=emulib.KINDS,
                    help="emulator kind to test (repeatable; default all)")
    ap.add_argument("-k", action="append", default=[], metavar="SUBSTRING",
                    help="run only tests whose module.test_name[emu] contains "
                         "SUBSTRING (repeatable: all must match)")
    ap.add_argument("--keep", action="store_true", help="keep run directories")
    ap.add_argument("--long", action="store_true",
                    help="also run the tests marked long (make test-migrate-long)")
    ap.add_argument("--esp", help="ESP directory to boot (default BUILD/esp)")
    ap.add_argument("--disk", help="disk image for QEMU (default BUILD/hv.img)")
    ap.add_argument("--seed", type=int, help="seed for the random-input tests")
    args = ap.parse_args(argv)
    if args.seed is not None:
        os.environ["HV_TEST_SEED"] = str(args.seed)
    kinds = args.emu or list(emulib.KINDS)
    groups = collect()
    runner = Runner(args)
    start = time.monotonic()
    threads = [threading.Thread(target=runner.run_kind, args=(k, groups), name=k,
                                daemon=True) for k in kinds]
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupted)
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    except (KeyboardInterrupt, Interrupted) as e:
        # Count the cut-short run as a failure so no summary mistakes it for a pass.
        runner.report("FAIL", "run.py", "interrupted (%s)" % (e or "SIGINT"))
    finally:
        emulib._kill_all()
    with runner.lock:
        results = list(runner.results)
    return summarize(results, args.build, time.monotonic() - start)


class Interrupted(Exception):
    """A termination signal arrived."""


def _interrupted(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


def summarize(results, build, seconds):
    """Print the counts and the skip reasons grouped, write the results
    files (integration.result "PASSED FAILED SKIPPED", integration.skips
    "COUNT<TAB>REASON" lines), return the exit status."""
    passed = sum(1 for s, _, _ in results if s == "PASS")
    failed = sum(1 for s, _, _ in results if s == "FAIL")
    skips = skip_groups(results)
    skipped = sum(len(names) for names in skips.values())
    for status, name, _ in results:
        if status == "FAIL":
            print("failed: %s" % name)
    for reason, names in skips.items():
        print("skipped %d: %s (%s)" % (len(names), reason, ", ".join(names[:4]) +
                                      (", ..." if len(names) > 4 else "")))
    print("integration: %d passed, %d failed, %d skipped (%.0fs)"
          % (passed, failed, skipped, seconds))
    out = os.path.join(build, "results")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "integration.result"), "w") as f:
        f.write("%d %d %d\n" % (passed, failed, skipped))
    with open(os.path.join(out, "integration.skips"), "w") as f:
        for reason, names in skips.items():
            f.write("%d\t%s\n" % (len(names), reason.replace("\n", " ")))
    return 1 if failed or not results else 0


def skip_groups(results):
    """{reason: [test names]} of the skipped tests, most frequent reason first."""
    groups = {}
    for status, name, detail in results:
        if status == "SKIP":
            groups.setdefault(detail.split("\n")[0] or "no reason given", []).append(name)
    return dict(sorted(groups.items(), key=lambda kv: -len(kv[1])))


if __name__ == "__main__":
    sys.exit(main())
