"""Dirty-page logging tests (issue 10), under VMX (Bochs, or QEMU/KVM with
nested VMX), each back-end in turn.

The dirty_pages guest writes a pseudo-random set of pages each round and
announces it after the writes ("DIRTY round=R part=K frames=..." then
"DIRTY round=R done"); every announced page of a round that began after
the log started must appear in a harvest. Pages the guest never announced
may appear only below its free RAM (its image, stack, boot information).
The pre-copy test copies guest RAM through `dirty verify` while the guest
keeps writing; after the last round with the guest paused the copy must
equal guest RAM byte for byte.
"""

import re
import time

from emu import boot
from test_guests import VMX_KINDS, start, transcript, wait_for

MODES = ("ad", "pml", "wp")
ROUNDS_AFTER_START = 3


def json_ok(s, line):
    obj = s.json(line)
    assert obj["ok"] is True, "%s: %r" % (line, obj)
    return obj


def json_err(s, line, pattern):
    obj = s.json(line)
    assert obj["ok"] is False and re.search(pattern, obj["error"]), "%s: %r" % (line, obj)


def frames_of(obj):
    """Frame numbers of a `dirty harvest NAME list` reply."""
    assert obj["truncated"] is False, obj
    out = set()
    for r in obj["frames"]:
        a, b = (int(x, 16) for x in r.split("-"))
        out.update(range(a, b + 1))
    return out


def announced(s, name, mark):
    """{round: set(frames)} of the rounds NAME finished since mark."""
    text = transcript(s, mark)
    done = {int(r) for r in re.findall(r"^\[%s\] DIRTY round=(\d+) done" % name, text, re.M)}
    rounds = {}
    for r, fr in re.findall(r"^\[%s\] DIRTY round=(\d+) part=\d+ frames=([0-9a-f,]+)" % name,
                            text, re.M):
        if int(r) in done:
            rounds.setdefault(int(r), set()).update(int(f, 16) for f in fr.split(","))
    return rounds


def last_done(s, name, mark):
    found = re.findall(r"^\[%s\] DIRTY round=(\d+) done" % name, transcript(s, mark), re.M)
    return max([int(r) for r in found] or [0])


def paused_round(s, name, mark):
    """Pause NAME, wait for its output to drain; the last round it finished."""
    json_ok(s, "guest pause %s" % name)
    s.console.wait_quiet(1.5, 30.0)
    return last_done(s, name, mark)


def check_announced(s, mode):
    name = "dp" + mode
    mark = s.console.mark()
    start(s, "dirty_pages.elf name=%s mem=16 -- pages=48 delay_ms=50 seed=%d"
          % (name, 7 + MODES.index(mode)))
    cfg = wait_for(s, r"^\[%s\] PROGRESS dirty_pages config pages=\d+ first=0x([0-9a-f]+)" % name,
                   mark)
    first = int(cfg.group(1), 16)
    wait_for(s, r"^\[%s\] DIRTY round=1 done" % name, mark)
    # Guest output reaches the console after its writes, rounds late at times:
    # pause the guest and let its output drain to know where it stands.
    begun = paused_round(s, name, mark)
    obj = json_ok(s, "dirty start %s %s" % (name, mode))
    assert obj["backend"] == mode, obj
    json_err(s, "dirty start %s ad" % name, r"already has a dirty log \(%s\) running" % mode)
    json_ok(s, "guest resume %s" % name)
    got = set()
    while last_done(s, name, mark) < begun + 1 + ROUNDS_AFTER_START:
        got |= frames_of(json_ok(s, "dirty harvest %s list" % name))
        time.sleep(0.5)
    last = paused_round(s, name, mark)
    got |= frames_of(json_ok(s, "dirty harvest %s list" % name))
    json_ok(s, "guest resume %s" % name)
    # the round under way at the last harvest may have written pages: see it announced
    wait_for(s, r"^\[%s\] DIRTY round=%d done" % (name, last + 1), mark)
    rounds = announced(s, name, mark)
    for r in range(begun + 2, begun + 2 + ROUNDS_AFTER_START):
        assert r in rounds, "%s: round %d not announced in full" % (mode, r)
        missed = rounds[r] - got
        assert not missed, "%s: round %d pages missed: %s" % (mode, r, sorted(missed))
    every = set().union(*rounds.values())
    stray = {f for f in got if f >= first and f not in every}
    assert not stray, "%s: %d pages never written reported: %s (rounds %d-%d, begun %d)" % (
        mode, len(stray), ",".join("%x" % f for f in sorted(stray)[:20]), min(rounds),
        max(rounds), begun)
    st = json_ok(s, "dirty stats %s" % name)
    assert st["harvests"] >= 2 and st["splits"] == 8, st
    if mode == "pml":
        assert st["pml_entries"] > 0, st
    if mode == "wp":
        assert st["wp_exits"] > 0, st
    json_ok(s, "dirty stop %s" % name)
    json_err(s, "dirty stats %s" % name, r"has no dirty log running")
    after = last_done(s, name, mark)
    wait_for(s, r"^\[%s\] DIRTY round=%d done" % (name, after + 2), mark)  # runs on, full speed
    json_ok(s, "guest stop %s" % name)
    return st


@boot("dirty", kinds=VMX_KINDS, mem_mib=512)
def test_dirty_errors_change_nothing(s):
    json_err(s, "dirty start nosuch", r"no running guest named 'nosuch'")
    mark = s.console.mark()
    start(s, "dirty_pages.elf name=dperr mem=8 -- pages=4 delay_ms=200")
    wait_for(s, r"^\[dperr\] DIRTY round=1 done", mark)
    json_err(s, "dirty start dperr xyz", r"unknown back-end 'xyz' \(ad, pml or wp\)")
    json_err(s, "dirty stats dperr", r"guest dperr has no dirty log running")
    json_err(s, "dirty stop dperr", r"guest dperr has no dirty log running")
    json_err(s, "dirty bogus dperr", r"unknown subcommand 'bogus'")
    json_err(s, "dirty rate dperr 0", r"seconds '0': expected 1 to 60")
    json_err(s, "dirty verify dperr begin", r"has no dirty log running")
    obj = json_ok(s, "dirty start dperr")
    assert obj["backend"] in MODES, obj
    json_err(s, "dirty rate dperr", r"already has a dirty log")
    json_ok(s, "dirty stop dperr")
    json_ok(s, "guest stop dperr")


@boot("dirty", kinds=VMX_KINDS, mem_mib=512)
def test_dirty_ad_harvest_holds_announced_pages(s):
    check_announced(s, "ad")


@boot("dirty", kinds=VMX_KINDS, mem_mib=512)
def test_dirty_pml_harvest_holds_announced_pages(s):
    check_announced(s, "pml")


@boot("dirty", kinds=VMX_KINDS, mem_mib=512)
def test_dirty_wp_harvest_holds_announced_pages(s):
    check_announced(s, "wp")


def precopy(s, mode, name=None, spec=None, first=None):
    name = name or "pc" + mode
    mark = s.console.mark()
    start(s, spec or "dirty_pages.elf name=%s mem=16 -- stream=1 pages=16 seed=%d"
          % (name, 3 + MODES.index(mode)))
    wait_for(s, first or r"^\[%s\] PROGRESS dirty_pages round=1$" % name, mark)
    json_ok(s, "dirty start %s %s" % (name, mode))
    json_ok(s, "dirty verify %s begin" % name)
    copied = 0
    for _ in range(6):
        time.sleep(0.3)
        copied += json_ok(s, "dirty verify %s round" % name)["pages"]
    res = json_ok(s, "dirty verify %s finish" % name)
    assert res["pages_differing"] == 0, "%s: copy differs from guest RAM: %r" % (mode, res)
    assert res["pages_compared"] == 4096 and copied > 0, (copied, res)
    rounds_before = len(re.findall(r"^\[%s\] PROGRESS" % name, transcript(s, mark), re.M))
    json_ok(s, "dirty stop %s" % name)
    json_ok(s, "guest stop %s" % name)
    assert rounds_before >= 2, "the guest did not keep writing during the rounds"


@boot("dirty", kinds=VMX_KINDS, mem_mib=512)
def test_dirty_ad_precopy_equals_guest_ram(s):
    precopy(s, "ad")


@boot("dirty", kinds=VMX_KINDS, mem_mib=512)
def test_dirty_pml_precopy_equals_guest_ram(s):
    precopy(s, "pml")


@boot("dirty", kinds=VMX_KINDS, mem_mib=512)
def test_dirty_wp_precopy_equals_guest_ram(s):
    precopy(s, "wp")


@boot("dirty", kinds=VMX_KINDS, mem_mib=512)
def test_dirty_precopy_of_a_64bit_guest(s):
    """The same miniature pre-copy with the 64-bit guest writing (long mode,
    ring 3, its page tables in the first pages of its image)."""
    for mode in ("pml", "wp"):
        name = "l64" + mode
        precopy(s, mode, name, "long64.elf name=%s mem=16 -- rounds=0 pages=512" % name,
                r"^\[%s\] PROGRESS long64 round=1 " % name)


@boot("dirty", kinds=VMX_KINDS, mem_mib=512)
def test_dirty_rate_measures_the_guest(s):
    mark = s.console.mark()
    start(s, "dirty_pages.elf name=dprate mem=16 -- stream=1 pages=16")
    wait_for(s, r"^\[dprate\] PROGRESS dirty_pages round=1$", mark)
    obj = json_ok(s, "dirty rate dprate 1")
    assert obj["pages"] > 0 and obj["pages_per_s"] > 0 and obj["ms"] >= 1000, obj
    json_err(s, "dirty stats dprate", r"has no dirty log running")  # rate cleans up
    json_ok(s, "guest stop dprate")
