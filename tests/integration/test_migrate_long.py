"""Long live-migration tests (issue 11): a busy guest moved back and forth
between two hypervisors many times. Too long for `make test` (CI's budget
is 45 minutes): marked long=True, so run.py runs them only with --long;
`make test-migrate-long` does.

Each round trip (A -> B -> A) is two moves; after each one the guest must
carry on from its round (none lost), verify every page of the next round
and have measured, with its own TSC, a pause within twice the downtime
the source reported (test_migrate.round_trip).
"""

import os

from emu import boot
from test_migrate import (BUSY, BUSY64, GUEST, check_arrived, guests, migrate, round_trip,
                          rounds, start_migration, wait_for, wait_migration)
from test_net import Pair

# Round trips per guest: 5 each, 10 in all; HV_MIGRATE_TRIPS overrides it.
TRIPS = int(os.environ.get("HV_MIGRATE_TRIPS", "5"))


@boot("migrate-long-32", kinds=("bochs",), long=True)
def test_migrate_long_round_trips_32bit(s):
    with Pair(s, "bochs", "e1000") as p:
        round_trip(s, p, "workload", BUSY, TRIPS)


@boot("migrate-long-64", kinds=("bochs",), long=True)
def test_migrate_long_round_trips_64bit(s):
    with Pair(s, "bochs", "e1000") as p:
        round_trip(s, p, "long64", BUSY64, TRIPS)


# Flat out over 4 MiB: every round re-sends about the whole set, so a round
# and the stop-and-copy each last seconds on the ~1.2 MB/s link, long
# enough to be caught by polling `migrate status` and killed inside.
FLAT_OUT = "workload.elf name=%s mem=16 -- pages=1024 rounds=0 rate=0" % GUEST


def kill_destination_in(s, p, state, min_round, mark_a):
    """Start a move A -> B, kill B's emulator once A's status is in `state`
    at round >= min_round, boot a fresh B in its place, and check that the
    move failed with the guest running on A and still verifying its pages."""
    start_migration(p, 0, 1)
    st = wait_migration(p, 0, lambda st: st["state"] == state and st["round"] >= min_round,
                        poll=0.2)
    p.emus[1].kill()
    s.note("destination killed in %s, round %d, after %d pages" % (
        st["state"], st["round"], st["pages_sent"]))
    p.restart(1)  # its stack answers A's retransmissions with a reset
    st = wait_migration(p, 0)
    assert st["state"] == "failed", st
    s.note("source: %s" % st["error"])
    assert guests(p, 0)[GUEST]["state"] == "running", guests(p, 0)
    assert GUEST not in guests(p, 1), guests(p, 1)
    m = wait_for(p, 0, r"^\[%s\] PROGRESS workload round=%d .*verified=(\w+)"
                 % (GUEST, rounds(p, 0, mark_a) + 1), mark_a, timeout=600)
    assert m.group(1) == "yes", m.group(0)


@boot("migrate-bochs-kill", kinds=("bochs",), long=True)
def test_migrate_destination_killed_in_a_later_round_and_in_stop_and_copy(s):
    """The destination dies in a later pre-copy round, then (a new one)
    in stop-and-copy, while the guest is paused on A: each time the guest
    runs on on A, unharmed, and a retry to a freshly booted B moves it.
    (The kill in the first pass is in test_migrate.py's busy test.)"""
    with Pair(s, "bochs", "e1000") as p:
        mark_a = p.emus[0].console.mark()
        assert p.json(0, "guest start " + FLAT_OUT)["ok"]
        wait_for(p, 0, r"^\[%s\] PROGRESS workload round=1\b" % GUEST, mark_a, timeout=600)
        for i in range(2):
            assert p.json(i, "migrate set max-rounds 2")["ok"]
            assert p.json(i, "migrate set auto-converge off")["ok"]

        kill_destination_in(s, p, "rounds", 2, mark_a)
        kill_destination_in(s, p, "stop-and-copy", 1, mark_a)

        assert p.json(1, "migrate set max-rounds 2")["ok"]
        before = rounds(p, 0, mark_a)
        mark_b = p.emus[1].console.mark()
        st = migrate(s, p, 0, 1)
        assert st["converged_by"] in ("max-rounds", "not-shrinking"), st
        after = check_arrived(p, 0, 1, mark_b, before)
        m = wait_for(p, 1, r"^\[%s\] PROGRESS workload round=%d .*verified=(\w+)"
                     % (GUEST, after + 1), mark_b, timeout=600)
        assert m.group(1) == "yes", m.group(0)
        s.note("retry moved it: round %d on A, verified round %d on B" % (before, after + 1))
