"""Flood control's buckets in PostgreSQL: one allowance per person, however many instances
(here: connection pools of their own) judge their updates at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.flood import SharedFloodGuard, Verdict
from bot.storage.flood_buckets import BucketRow, FloodBuckets, Swap
from bot.storage.postgres import PostgresDatabase
from tests.support.clock import FakeClock
from tests.support.postgres import fresh_schema

pytestmark = pytest.mark.postgresql

BURST = 5
RATE = 2.0


@pytest.fixture
async def pools() -> AsyncIterator[tuple[PostgresDatabase, PostgresDatabase]]:
    """Two instances' connection pools on one schema."""
    async with fresh_schema() as url:
        first = await PostgresDatabase.open(url)
        second = await PostgresDatabase.open(url)
        try:
            yield first, second
        finally:
            await second.close()
            await first.close()


class CountedBuckets(FloodBuckets):
    """The real store, counting its statements (round trips)."""

    def __init__(self, db: PostgresDatabase) -> None:
        super().__init__(db)
        self.statements = 0

    async def swap(self, *args: Any, **kwargs: Any) -> Swap | None:
        self.statements += 1
        return await super().swap(*args, **kwargs)


@pytest.fixture
def stores(pools: tuple[PostgresDatabase, PostgresDatabase]) -> list[CountedBuckets]:
    return [CountedBuckets(pool) for pool in pools]


@pytest.fixture
def guards(stores: list[CountedBuckets]) -> tuple[SharedFloodGuard, SharedFloodGuard]:
    return (
        SharedFloodGuard(stores[0], BURST, RATE),
        SharedFloodGuard(stores[1], BURST, RATE),
    )


async def rows(db: PostgresDatabase) -> int:
    found = await db.fetch_one("SELECT count(*) AS n FROM flood_buckets")
    assert found is not None
    return found["n"]


async def test_checks_racing_on_two_connections_allow_one_burst_and_warn_once(
    guards: tuple[SharedFloodGuard, SharedFloodGuard], clock: FakeClock
) -> None:
    now = clock.now()

    verdicts = await asyncio.gather(
        *(guards[number % 2].admit(701, now) for number in range(40))
    )

    assert Counter(verdicts) == {Verdict.ALLOW: BURST, Verdict.WARN: 1, Verdict.IGNORE: 34}


async def test_an_ordinary_pace_across_instances_costs_one_statement_an_update(
    guards: tuple[SharedFloodGuard, SharedFloodGuard],
    stores: list[CountedBuckets],
    clock: FakeClock,
) -> None:
    start = clock.now()

    for number in range(10):
        now = start + timedelta(seconds=3 * number)
        assert await guards[number % 2].admit(709, now) is Verdict.ALLOW
        assert await guards[number % 2].admit(709, now) is Verdict.ALLOW, "a quick second one"

    assert sum(store.statements for store in stores) == 20


async def test_a_busy_person_hopping_instances_costs_at_most_two_statements_an_update(
    guards: tuple[SharedFloodGuard, SharedFloodGuard],
    stores: list[CountedBuckets],
    clock: FakeClock,
) -> None:
    now = clock.now()

    verdicts = [await guards[number % 2].admit(710, now) for number in range(BURST + 1)]

    assert verdicts == [Verdict.ALLOW] * BURST + [Verdict.WARN]
    assert sum(store.statements for store in stores) == 1 + 2 * BURST


async def test_an_instance_learns_of_a_warning_given_elsewhere_and_silences_without_another(
    guards: tuple[SharedFloodGuard, SharedFloodGuard], clock: FakeClock
) -> None:
    here, there = guards
    now = clock.now()
    assert await here.admit(702, now) is Verdict.ALLOW, "seen here while still welcome"
    for _ in range(BURST - 1):
        await there.admit(702, now)
    assert await there.admit(702, now) is Verdict.WARN
    assert there.silenced(702, now)
    assert not here.silenced(702, now), "nothing asked of the database at intake"

    assert await here.admit(702, now) is Verdict.IGNORE
    assert here.silenced(702, now)

    later = now + timedelta(seconds=1 / RATE)
    assert not here.silenced(702, later) and not there.silenced(702, later)
    assert await here.admit(702, later) is Verdict.ALLOW
    assert await there.admit(702, later) is Verdict.IGNORE, "one token earned, spent once"


async def test_the_items_of_one_album_are_free_whichever_instance_gets_them(
    guards: tuple[SharedFloodGuard, SharedFloodGuard], clock: FakeClock
) -> None:
    now = clock.now()

    items = [await guards[number % 2].admit(703, now, album="a1") for number in range(10)]

    assert items == [Verdict.ALLOW] * 10
    assert [await guards[0].admit(703, now) for _ in range(BURST)] == [Verdict.ALLOW] * (
        BURST - 1
    ) + [Verdict.WARN]


async def test_a_write_from_a_stale_view_is_refused_and_shows_the_row_as_it_stands(
    pools: tuple[PostgresDatabase, PostgresDatabase], clock: FakeClock
) -> None:
    store = FloodBuckets(pools[0])
    now = clock.now()
    soon = now + timedelta(seconds=1)
    first = BucketRow(4.0, now, False, None, 0)
    second = BucketRow(3.0, now, False, None, 0)

    created = await store.swap(704, first, soon, expected=None, or_full_by=None)
    assert created is not None and created.current is None
    moved = await store.swap(704, second, soon, expected=created.version, or_full_by=None)
    assert moved is not None and moved.current is None

    empty = BucketRow(0.0, now, True, None, 0)
    stale = await store.swap(704, empty, soon, expected=created.version, or_full_by=None)
    assert stale == Swap(moved.version, second)
    again = await store.swap(704, first, soon, expected=None, or_full_by=now)
    assert again == Swap(moved.version, second), "not full yet: a newcomer's view is stale"
    assert await rows(pools[0]) == 1


async def test_a_row_full_again_is_written_over_whatever_its_version(
    pools: tuple[PostgresDatabase, PostgresDatabase], clock: FakeClock
) -> None:
    store = FloodBuckets(pools[0])
    now = clock.now()
    soon = now + timedelta(seconds=1)
    written = await store.swap(705, BucketRow(4.0, now, False, None, 0), soon, None, None)
    assert written is not None

    afresh = BucketRow(4.0, soon, False, None, 0)
    over = await store.swap(705, afresh, soon + timedelta(seconds=1), None, or_full_by=soon)

    assert over is not None and over.current is None
    assert over.version != written.version
    assert await store.swap(705, afresh, soon, written.version, None) == Swap(over.version, afresh)


async def test_buckets_full_again_are_deleted_by_whichever_instance_sweeps(
    guards: tuple[SharedFloodGuard, SharedFloodGuard],
    pools: tuple[PostgresDatabase, PostgresDatabase],
    clock: FakeClock,
) -> None:
    here, there = guards
    there.PRUNE_EVERY = 3
    now = clock.now()
    await here.admit(706, now)  # one token short: full again half a second later
    for _ in range(BURST + 1):
        await here.admit(707, now)  # warned, empty: full again BURST / RATE seconds later
    assert await rows(pools[0]) == 2

    await there.admit(708, now + timedelta(seconds=1))
    await there.admit(708, now + timedelta(seconds=1))
    await there.admit(708, now + timedelta(seconds=1))  # the third update sweeps

    assert await rows(pools[0]) == 2, "706 is gone; 707 is still refilling; 708 is new"
    assert await here.admit(706, now + timedelta(seconds=1)) is Verdict.ALLOW
    assert await here.admit(707, now + timedelta(seconds=1)) is Verdict.ALLOW
    assert await here.admit(707, now + timedelta(seconds=1)) is Verdict.ALLOW
    assert await here.admit(707, now + timedelta(seconds=1)) is Verdict.IGNORE, "same streak"
