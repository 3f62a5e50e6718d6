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
from test_migrate import round_trip, BUSY, BUSY64
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
