"""Migration over TLS (issue 13): two hypervisors in Bochs on one bxhub,
sharing a key (test_net.Pair sets one on both).

A guest keeps a marker string in its memory (its command line). With
TLS, a capture of the hub's traffic holds none of it; with TLS turned
off on both sides, the same capture finds it (so the capture would see
it). Then the peers that must be refused before any guest memory is
accepted: a wrong key, a peer without TLS, a handshake cut short, a
flipped byte in the encrypted stream, and a replayed capture. Each time
the source's guest keeps running and the destination runs nothing new.

Last, page deltas: a guest that rewrites 16 bytes of each page it
dirties moves with fewer bytes on the wire with `compress delta` than
with `compress none`, and verifies every page after each move.
"""

import secrets

from capture import HubCapture
from emu import boot
from test_migrate import (GUEST, PORT, check_arrived, guests, migrate, rounds,
                          start_migration, transcript, wait_for, wait_migration)
from test_net import Pair

IDLE = "workload.elf name=%s mem=16 -- pages=16 rounds=0 rate=16 marker=%s"
# Dirties 128 pages a second of 2 MiB, changing 16 bytes of each: deltas' case.
FEW_BYTES = "workload.elf name=%s mem=16 -- pages=512 rounds=0 rate=512 touch=4" % GUEST


def move(p, src, dst, cap_dport=PORT):
    """Migrate GUEST src -> dst under a capture; (final status, capture)."""
    with HubCapture(p.hub_base) as cap:
        start_migration(p, src, dst)
        st = wait_migration(p, src)
    assert st["state"] == "done", st
    return st, cap


def refused(s, p, what, guest=GUEST, expect=()):
    """A migration of guest A -> B that B must refuse: A's guest keeps
    running, B runs nothing new and keeps answering. Returns B's account."""
    before = {g for g in guests(p, 1)}
    start_migration(p, 0, 1)
    st = wait_migration(p, 0)
    assert st["state"] == "failed", st
    assert guests(p, 0)[guest]["state"] == "running", guests(p, 0)
    assert {g for g in guests(p, 1)} == before, guests(p, 1)
    inc = p.json(1, "migrate status")["incoming"]
    assert inc["state"] == "listening" and "refused" in inc["last"], inc
    for word in expect:
        assert word in inc["last"], (word, inc["last"])
    assert p.json(1, "version")["ok"]
    assert p.json(1, "migrate incoming cancel")["ok"]
    s.note("%s: A says %r; B says %r" % (what, st["error"], inc["last"]))
    return inc


@boot("migrate-tls", kinds=("bochs",))
def test_migrate_tls_hides_the_guest_and_refuses_strangers(s):
    marker = "HV-MARKER-" + secrets.token_hex(8)
    with Pair(s, "bochs", "e1000") as p:
        mark_a = p.emus[0].console.mark()
        assert p.json(0, "guest start " + IDLE % (GUEST, marker))["ok"]
        wait_for(p, 0, r"^\[%s\] PROGRESS workload round=1\b" % GUEST, mark_a)

        # encrypted: the marker is nowhere on the link
        assert p.json(0, "migrate_fault record")["ok"]  # for the replay below
        st, cap = move(p, 0, 1)
        stream = cap.tcp_stream(PORT)
        assert len(stream) >= st["bytes"] * 9 // 10, (len(stream), st["bytes"])
        assert marker.encode() not in cap.raw() and marker.encode() not in stream
        assert "CHACHA20" in st["tls"] or "AES" in st["tls"], st
        settings = p.json(0, "migrate status")["settings"]
        assert settings["entropy"] in ("rdseed", "rdrand", "tsc-jitter"), settings
        inc = p.json(1, "migrate status")["incoming"]
        s.note("TLS: %s, entropy %s; %d KiB captured, no marker; %.1f cycles/byte to "
               "encrypt, %.1f to decrypt" % (
                   st["tls"], settings["entropy"], len(stream) >> 10,
                   st["tls_cycles"] / max(st["tls_bytes"], 1),
                   inc["tls_cycles"] / max(inc["tls_bytes"], 1)))

        # plaintext, by choice on both sides: the same capture finds it
        for i in (0, 1):
            assert p.json(i, "migrate set tls off")["ok"]
        st, cap = move(p, 1, 0)
        assert st["tls"] == "none (tls off)", st
        assert marker.encode() in cap.tcp_stream(PORT)
        s.note("tls off: marker found in the capture")
        for i in (0, 1):
            assert p.json(i, "migrate set tls on")["ok"]

        # strangers
        assert p.json(0, "migrate set psk " + secrets.token_hex(32))["ok"]
        refused(s, p, "wrong key")
        assert p.json(0, "migrate set psk " + p.psk)["ok"]

        assert p.json(0, "migrate set tls off")["ok"]
        refused(s, p, "a peer without TLS")
        assert p.json(0, "migrate set tls on")["ok"]

        assert p.json(0, "migrate_fault truncate 60")["ok"]
        refused(s, p, "handshake cut short", expect=("truncated",))

        assert p.json(0, "migrate_fault corrupt 20000")["ok"]
        refused(s, p, "a bit flipped in the encrypted stream", expect=("authentication",))

        assert p.json(0, "migrate_fault replay")["ok"]
        refused(s, p, "a replayed capture", expect=("authentication",))

        # and the guest still moves, and carries on
        before = rounds(p, 0, 0)
        mark_b = p.emus[1].console.mark()
        start_migration(p, 0, 1)
        st = wait_migration(p, 0)
        assert st["state"] == "done", st
        wait_for(p, 1, r"^\[%s\] PROGRESS workload round=%d\b" % (GUEST, before + 1), mark_b)
        assert p.json(1, "guest stop " + GUEST)["ok"]
        deltas_save_bytes(s, p)


def verified_after(p, i, mark, before, since):
    """The guest carries on on i from round `before` and verifies a whole
    round there (its lines on the source count from since[source]: an
    earlier guest of the same name printed rounds before it)."""
    after = check_arrived(p, 1 - i, i, mark, before, since_src=since[1 - i])
    m = wait_for(p, i, r"^\[%s\] PROGRESS workload round=%d .*verified=(\w+)"
                 % (GUEST, after + 1), mark, timeout=600)
    assert m.group(1) == "yes", m.group(0)
    assert "RESULT workload fail" not in transcript(p, i, mark)


def deltas_save_bytes(s, p):
    since = [e.console.mark() for e in p.emus]
    mark = since[0]
    assert p.json(0, "guest start " + FEW_BYTES)["ok"]
    wait_for(p, 0, r"^\[%s\] PROGRESS workload round=1\b" % GUEST, mark, timeout=600)
    moves = {}
    for src, compress in ((0, "delta"), (1, "none")):
        assert p.json(src, "migrate set compress " + compress)["ok"]
        before = rounds(p, src, since[src])
        mark = p.emus[1 - src].console.mark()
        moves[compress] = migrate(s, p, src, 1 - src)
        verified_after(p, 1 - src, mark, before, since)
    d, n = moves["delta"], moves["none"]
    s.note("16 bytes a page: %d KiB on the wire with deltas (%d pages as deltas), "
           "%d KiB without; encoding %.1f cycles/byte with deltas, %.1f without" % (
               d["bytes"] >> 10, d["delta_pages"], n["bytes"] >> 10,
               d["encode_cycles"] / max(d["encoded_bytes"], 1),
               n["encode_cycles"] / max(n["encoded_bytes"], 1)))
    assert d["delta_pages"] > 0 and n["delta_pages"] == 0, (d, n)
    assert d["bytes"] < n["bytes"], (d["bytes"], n["bytes"])
