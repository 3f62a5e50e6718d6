"""Following a live migration from the source's console, for the tools
that show one (scripts/demo.py, bench/migrate.py): poll `migrate status`
(JSON mode), show progress while it runs, keep the samples, and put the
final figures in a table.

`migrate status` reports only the current round and the last harvest's
dirty pages, not a per-round history, so the per-round figures here are
sampled: each round shows up with the dirty pages and bandwidth the
status held when it was first seen. A round shorter than the polling
interval (an idle guest's rounds take milliseconds) can be missed.
"""

import re
import sys
import time

from console import parse_json_reply

ENDED = ("done", "failed", "cancelled")


def json_cmd(con, line, timeout=60):
    """Run `line` on a console in JSON mode; the reply object (ok or not)."""
    return parse_json_reply(con.command(line, timeout))


def must(con, line, timeout=60):
    """Run `line`; the reply, which must say ok."""
    obj = json_cmd(con, line, timeout)
    if not obj.get("ok"):
        raise RuntimeError("%s: %s" % (line, obj.get("error", obj)))
    return obj


def mib(n):
    return n / (1 << 20)


def progress_line(st):
    """One line of a running migration's status."""
    text = "%-13s round %-2d %5d pages sent (%d zero), %4d dirty, %6.2f MiB, %4d KiB/s" % (
        st["state"], st.get("round", 0), st.get("pages_sent", 0), st.get("zero_pages", 0),
        st.get("dirty_pages", 0), mib(st.get("bytes", 0)), st.get("bandwidth_kib_s", 0))
    if st.get("throttle_pct"):
        text += ", guest throttled %d%%" % st["throttle_pct"]
    return text


class Shower:
    """Progress output: one line rewritten in place on a terminal; on a
    pipe or file a new line when the state or round changes, else every
    `every` seconds."""

    def __init__(self, prefix="    ", stream=None, every=5.0):
        self.prefix = prefix
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.every = every
        self.last = None
        self.last_t = 0.0

    def __call__(self, st):
        line = self.prefix + progress_line(st)
        if self.tty:
            self.stream.write("\r\x1b[K" + line)
        else:
            key = (st["state"], st.get("round"))
            now = time.monotonic()
            if key == self.last and now - self.last_t < self.every:
                return
            self.last, self.last_t = key, now
            self.stream.write(line + "\n")
        self.stream.flush()

    def end(self):
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def watch(con, show=None, interval=1.0, timeout=900.0):
    """Poll the source's `migrate status` until the migration ends.
    Returns (final outgoing status, samples); each sample is the
    outgoing status with `t` (seconds since the first poll) added."""
    start = time.monotonic()
    samples = []
    while True:
        st = json_cmd(con, "migrate status")["outgoing"]
        st["t"] = round(time.monotonic() - start, 2)
        samples.append(st)
        if show:
            show(st)
        if st["state"] in ENDED:
            if show and hasattr(show, "end"):
                show.end()
            return st, samples
        if time.monotonic() - start > timeout:
            raise RuntimeError("migration still %r after %.0f s" % (st["state"], timeout))
        time.sleep(interval)


def per_round(samples):
    """The passes seen in the samples: dicts of round, phase, t (seconds
    into the migration when first seen), dirty_pages (the pages the pass
    had to send: every page for the first pass, else the harvest that
    began it) and bandwidth_kib_s (what the source measured at the end of
    the pass: the better of that pass and the whole run so far). Round 0
    is the first pass; stop-and-copy is one more entry."""
    rows, seen = [], set()
    for st in samples:
        if st["state"] in ("first-pass", "rounds"):
            key = st["round"]
        elif st["state"] in ("stop-and-copy", "digest", "wait-ack", "done"):
            key = "stop"
        else:
            continue
        if key in seen:
            continue
        seen.add(key)
        dirty = st["dirty_pages"] if key != 0 else st["ram_bytes"] >> 12
        rows.append({"round": st["round"] if key != "stop" else st["round"] + 1,
                     "phase": "first-pass" if key == 0 else
                     ("stop-and-copy" if key == "stop" else "round"),
                     "t": st["t"], "dirty_pages": dirty,
                     "bandwidth_kib_s": st["bandwidth_kib_s"]})
    # The status's bandwidth is set at the end of a pass: a pass's own
    # figure is the one seen when the next pass began (the last: the end).
    for i, row in enumerate(rows):
        row["bandwidth_kib_s"] = (rows[i + 1] if i + 1 < len(rows)
                                  else samples[-1])["bandwidth_kib_s"]
    return rows


def ended_by(st):
    """How pre-copy ended, in words: the rule, and the throttle if any."""
    if st["state"] != "done":
        return "%s: %s" % (st["state"], st.get("error", ""))
    text = st["converged_by"]
    if st.get("throttle_pct"):
        text += ", auto-converge %d%%" % st["throttle_pct"]
    return text


def summary(st):
    """The figures of one finished migration as table cells (strings)."""
    return {
        "state": st["state"],
        "rounds": str(st["round"]),
        "pages": str(st["pages_sent"]),
        "zero": str(st["zero_pages"]),
        "bytes": "%.2f MiB" % mib(st["bytes"]),
        "ram": "%d MiB" % (st["ram_bytes"] >> 20),
        "bandwidth": "%d KiB/s" % st["bandwidth_kib_s"],
        "downtime": "%d ms" % st["downtime_ms"],
        "total": "%.2f s" % (st["total_ms"] / 1000.0),
        "ended_by": ended_by(st),
    }


def table(headers, rows):
    """A Markdown table with columns padded to line up in a terminal.
    headers: list of titles; rows: lists of cells (converted with str)."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


GUEST_ROUND_RE = r"^\[%s\] PROGRESS workload round=(\d+)\b(.*)$"


def guest_rounds(text, name):
    """(round, rest of line) of every workload PROGRESS line of guest
    `name` in a console transcript (CRs and erase sequences allowed)."""
    text = text.replace("\r\x1b[K", "\n").replace("\r", "")
    return [(int(m.group(1)), m.group(2))
            for m in re.finditer(GUEST_ROUND_RE % re.escape(name), text, re.M)]


def wait_guest_round(con, name, mark, above=0, timeout=600.0, verified=False):
    """Wait for guest `name` to print a round line numbered above `above`
    after console offset `mark` (with verified=yes if asked); (round, line)."""
    deadline = time.monotonic() + timeout
    while True:
        for r, rest in guest_rounds(con.since(mark), name):
            if r > above and (not verified or "verified=yes" in rest):
                return r, rest
        text = con.since(mark)
        if "RESULT workload fail" in text:
            raise RuntimeError("guest %s failed: %s" % (name, con.tail(5)))
        if time.monotonic() > deadline:
            raise RuntimeError("guest %s printed no round above %d in %.0f s"
                               % (name, above, timeout))
        time.sleep(0.5)
