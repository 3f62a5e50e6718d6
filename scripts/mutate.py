#!/usr/bin/env python3
"""Mutation testing of the pure modules: does a unit test notice a bug?

For each module of PURE_SRCS (read from the Makefile, so modules added
later are covered) the script lists small mutations of its code:
comparison operators (< <= > >= == !=), arithmetic (+ -, += -=), logic
(&& ||), integer constants off by one (N+1, N-1) and dropped conditions
(the condition of an `if` replaced by 1 or 0). It takes a sample of them
(fixed seed, a cap per module), and for each one rebuilds the module's
unit tests with the mutant in place and runs them. A mutant is caught
("killed") when a test fails, crashes or runs past its time limit; it
survives when every test passes. Everything is built with ASan and UBSan,
as the unit stage's second build is. Mutants that do not compile are not
counted.

The tests of module DIR/STEM.c are tests/unit/test_P*.c for the shortest
prefix P of STEM (cut at underscores) that has any: kernel/vlapic_timer.c
and vlapic_regs.c are tested by test_vlapic*.c, net/e1000_ring.c by
test_e1000_*.c.
test_netif.c (built against lwIP) is not used.

Prints the caught share per module and every surviving mutant as
FILE:LINE, and writes the same to BUILD/mutate/report.txt.
Python standard library only.

    scripts/mutate.py [--cap N] [--seed S] [--jobs 2] [--module SUBSTRING]
    scripts/mutate.py --module lib/memmap --line 114   # every mutant of one line
"""

import argparse
import concurrent.futures
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# As the unit stage's sanitized build: an out-of-bounds access or overflow
# a mutant causes counts as caught even where the test's asserts miss it.
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer"]
CFLAGS = ["-std=gnu11", "-O1", "-g", "-w", "-I.", "-Ithird_party/greatest"] + SANITIZE
# Tests with their own host builds: lwIP (tests/unit/lwip_host.mk), mbedTLS
# and the hardware shell (tests/unit/tls_host.mk).
EXCLUDED_TESTS = {"test_netif", "test_tls", "test_tls_interop", "test_entropy"}


# ---------------------------------------------------------------- inputs
def make_list(text, name, makefile):
    """The words of variable name, $(OTHER) references expanded."""
    m = re.search(r"^%s\s*:?=(.*)$" % name, text, re.M)
    if not m:
        raise SystemExit("mutate: no %s in %s" % (name, makefile))
    words = []
    for w in m.group(1).split():
        ref = re.fullmatch(r"\$\((\w+)\)", w)
        words += make_list(text, ref.group(1), makefile) if ref else [w]
    return words


def pure_srcs(makefile):
    """The PURE_SRCS list of the Makefile (continuation lines joined)."""
    text = open(makefile).read().replace("\\\n", " ")
    return make_list(text, "PURE_SRCS", makefile)


def tests_for(src):
    """Unit test sources of module src: test_P*.c for the shortest prefix P
    (whole words) that has any, so kernel/vlapic_regs.c is tried against
    test_vlapic.c too, which drives its registers through the vLAPIC;
    and every test whose opening comment names src's path, as
    test_dirty_log.c names arch/x86/ept.c (its split, merge and D-flag
    steps). A module with neither is tried against the tests that include
    its header, directly or through a header of tests/unit/."""
    parts = os.path.splitext(os.path.basename(src))[0].split("_")
    usable = [p for p in sorted(glob.glob("tests/unit/test_*.c"))
              if os.path.basename(p)[:-2] not in EXCLUDED_TESTS]
    found = []
    for n in range(1, len(parts) + 1):
        prefix = "_".join(parts[:n])
        found = [p for p in usable
                 if os.path.basename(p).startswith("test_%s" % prefix)]
        if found:
            break
    found += [p for p in usable if p not in found and src in _opening_comment(p)]
    if found:
        return sorted(found)
    header = '#include "%s.h"' % os.path.splitext(src)[0]
    return [p for p in usable if header in _with_local_headers(p)]


def _opening_comment(path):
    """The first /* ... */ comment of path ("" if it does not open with one)."""
    m = re.match(r"\s*/\*(.*?)\*/", open(path).read(), re.S)
    return m.group(1) if m else ""


def _with_local_headers(path, seen=None):
    """The text of path and of the tests/unit/ headers it includes."""
    seen = set() if seen is None else seen
    if path in seen or not os.path.exists(path):
        return ""
    seen.add(path)
    text = open(path).read()
    for name in re.findall(r'^#include "(?:tests/unit/)?([\w.]+\.h)"', text, re.M):
        text += _with_local_headers(os.path.join("tests/unit", name), seen)
    return text


def code_mask(text):
    """text with comments, string and character literals and preprocessor
    lines blanked out (newlines kept), so patterns only see code."""
    out = list(text)
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c == "#":
            j = i
            while j < n and not (text[j] == "\n" and text[j - 1] != "\\"):
                j += 1
            _blank(out, i, j)
            i = j
            continue
        if c in " \t":
            i += 1
            continue
        line_start = c == "\n"
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j += 1
        else:
            i += 1
            continue
        _blank(out, i, j)
        i = j
    return "".join(out)


def _blank(out, i, j):
    for k in range(i, min(j, len(out))):
        if out[k] != "\n":
            out[k] = " "


# ---------------------------------------------------------------- mutants
CMP_SWAP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
CMP_RE = re.compile(r"(?<![-<>=!])(<=|>=|==|!=|<|>)(?![<>=])")
ARITH_RE = re.compile(r"(?<=[\w)\]] )([+-])(?= [\w(])|(?<=[\w)\]])([+-])(?=[\w(])")
ASSIGN_RE = re.compile(r"(\+=|-=)")
LOGIC_RE = re.compile(r"(&&|\|\|)")
NUM_RE = re.compile(r"(?<![\w.])(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)(?![\w.])")
IF_RE = re.compile(r"\bif\s*\(")


def mutants(text):
    """Every mutant of text: (offset, length, replacement, kind)."""
    code = code_mask(text)
    out = []
    for m in CMP_RE.finditer(code):
        # "<" and ">" outside comparisons (shifts are excluded above) are rare in C
        out.append((m.start(), len(m.group(1)), CMP_SWAP[m.group(1)], "compare"))
    for m in ARITH_RE.finditer(code):
        op = m.group(1) or m.group(2)
        pos = m.start(1) if m.group(1) else m.start(2)
        out.append((pos, 1, "-" if op == "+" else "+", "arith"))
    for m in ASSIGN_RE.finditer(code):
        out.append((m.start(), 2, "-=" if m.group(1) == "+=" else "+=", "arith"))
    for m in LOGIC_RE.finditer(code):
        out.append((m.start(), 2, "||" if m.group(1) == "&&" else "&&", "logic"))
    for m in NUM_RE.finditer(code):
        lit, suffix = m.group(1), m.group(2)
        val = int(lit, 0) if not (len(lit) > 1 and lit[0] == "0" and lit[1] not in "xX") \
            else int(lit, 8)
        fmt = (lambda v: "0x%x" % v) if lit[:2].lower() == "0x" else str
        for v in (val + 1, val - 1):
            if v >= 0:
                out.append((m.start(), len(lit) + len(suffix), fmt(v) + suffix, "constant"))
    for m in IF_RE.finditer(code):
        start = m.end()
        depth, j = 1, start
        while j < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[j], 0)
            j += 1
        if depth == 0:
            for v in ("1", "0"):
                out.append((start, j - 1 - start, v, "condition"))
    return out


def describe(text, mut):
    """FILE-relative "LINE: old -> new" for a mutant."""
    pos, length, new, kind = mut
    line = text.count("\n", 0, pos) + 1
    old = " ".join(text[pos:pos + length].split())
    if len(old) > 50:
        old = old[:47] + "..."
    return line, "%s: %s -> %s" % (kind, old, new)


# ---------------------------------------------------------------- builds
def run(cmd, timeout=None, cwd=ROOT):
    """(status, output) of cmd; status None on timeout."""
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, b""
    return p.returncode, p.stdout


def compile_obj(src, obj, extra=()):
    status, out = run(["gcc"] + CFLAGS + list(extra) + ["-c", src, "-o", obj])
    return status == 0, out


class Base:
    """Objects of the unmutated modules and of the tests, built once."""

    def __init__(self, work, srcs, tests):
        self.work = work
        self.objs = {}
        for src in srcs:
            obj = os.path.join(work, "base", src + ".o")
            os.makedirs(os.path.dirname(obj), exist_ok=True)
            ok, out = compile_obj(src, obj)
            if not ok:
                raise SystemExit("mutate: %s does not compile:\n%s" % (src, out.decode()))
            self.objs[src] = obj
        self.tests = {}
        self.limits = {}
        for t in tests:
            obj = os.path.join(work, "base", t + ".o")
            os.makedirs(os.path.dirname(obj), exist_ok=True)
            ok, out = compile_obj(t, obj)
            if not ok:
                raise SystemExit("mutate: %s does not compile:\n%s" % (t, out.decode()))
            self.tests[t] = obj
            binary = obj[:-2]
            self.link(t, {}, binary)
            start = time.monotonic()
            status, out = run([binary], timeout=300)
            took = time.monotonic() - start
            if status != 0:
                raise SystemExit("mutate: %s fails unmutated:\n%s" % (t, out.decode()[-2000:]))
            # a mutant that makes the test run 5x longer (or 10 s more) loops: caught
            self.limits[t] = max(10.0, 5 * took)

    def link(self, test, replace, binary):
        objs = [replace.get(s, o) for s, o in self.objs.items()]
        status, out = run(["gcc"] + SANITIZE + ["-o", binary, self.tests[test]] + objs + ["-lm"])
        return status == 0


def try_mutant(base, src, text, mut, tests):
    """'killed', 'survived' or 'stillborn' (does not compile or link)."""
    pos, length, new, _ = mut
    work = os.path.join(base.work, "slot%d" % _slot())
    msrc = os.path.join(work, src)
    os.makedirs(os.path.dirname(msrc), exist_ok=True)
    with open(msrc, "w") as f:
        f.write(text[:pos] + new + text[pos + length:])
    mobj = msrc + ".o"
    ok, _ = compile_obj(msrc, mobj, ["-I" + os.path.dirname(src)])
    if not ok:
        return "stillborn"
    for t in tests:
        binary = os.path.join(work, os.path.basename(t)[:-2])
        if not base.link(t, {src: mobj}, binary):
            return "stillborn"
        status, _ = run([binary], timeout=base.limits[t])
        if status != 0:  # failed, crashed, or timed out (None)
            return "killed"
    return "survived"


# ---------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build directory (default build)")
    ap.add_argument("--cap", type=int, default=int(os.environ.get("MUTATE_CAP", 40)),
                    help="mutants sampled per module (default 40, env MUTATE_CAP)")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("MUTATE_SEED", 14)),
                    help="sampling seed (default 14, env MUTATE_SEED)")
    ap.add_argument("--jobs", type=int, default=2, help="mutants tried at once (default 2)")
    ap.add_argument("--module", action="append", default=[],
                    help="only modules whose path contains this (repeatable)")
    ap.add_argument("--line", type=int, action="append", default=[],
                    help="try every mutant on this line of the chosen modules instead of "
                         "a sample (repeatable): to reproduce a survivor")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    srcs = pure_srcs("Makefile")
    chosen = [s for s in srcs if not args.module or any(m in s for m in args.module)]
    plan = {s: tests_for(s) for s in chosen}
    for s, t in plan.items():
        if not t:
            print("mutate: %s has no unit test: every mutant would survive" % s)
    all_tests = sorted({t for ts in plan.values() for t in ts})
    os.makedirs(args.build, exist_ok=True)
    work = tempfile.mkdtemp(prefix="mutate-", dir=args.build)
    start = time.monotonic()
    lines = []
    try:
        base = Base(work, srcs, all_tests)
        total_k = total_n = 0
        for src in chosen:
            k, n, report = mutate_module(base, src, plan[src], args)
            total_k += k
            total_n += n
            lines += report
    finally:
        shutil.rmtree(work, ignore_errors=True)
    share = 100.0 * total_k / total_n if total_n else 0.0
    lines.append("mutate: %d of %d caught (%.0f%%) over %d modules, cap %d, seed %d, %.0fs"
                 % (total_k, total_n, share, len(chosen), args.cap, args.seed,
                    time.monotonic() - start))
    print(lines[-1], flush=True)
    out = os.path.join(args.build, "mutate")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


def mutate_module(base, src, tests, args):
    """Try a sample of src's mutants; (killed, counted, report lines)."""
    text = open(src).read()
    muts = mutants(text)
    if args.line:
        sample = [m for m in muts if describe(text, m)[0] in args.line]
    else:
        rng = random.Random("%d:%s" % (args.seed, src))
        sample = rng.sample(muts, min(args.cap, len(muts)))
    sample.sort()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futs = {}
        for mut in sample:
            futs[pool.submit(try_mutant, base, src, text, mut, tests)] = mut
        for fut in concurrent.futures.as_completed(futs):
            results[futs[fut]] = fut.result()
    killed = sum(1 for r in results.values() if r == "killed")
    counted = sum(1 for r in results.values() if r != "stillborn")
    report = []
    share = 100.0 * killed / counted if counted else 0.0
    report.append("%-28s %3d of %3d caught (%3.0f%%)  [%d mutants in all, %d sampled, "
                  "%d did not compile]" % (src, killed, counted, share, len(muts),
                                           len(sample), len(sample) - counted))
    print(report[-1], flush=True)
    for mut in sample:
        if results[mut] == "survived":
            line, what = describe(text, mut)
            report.append("  survived %s:%d  %s" % (src, line, what))
            print(report[-1], flush=True)
    return killed, counted, report


_slots = []
_slots_lock = threading.Lock()


def _slot():
    """A work directory index no other running mutant uses: one per thread."""
    ident = threading.get_ident()
    with _slots_lock:
        if ident not in _slots:
            _slots.append(ident)
        return _slots.index(ident)


if __name__ == "__main__":
    sys.exit(main())
