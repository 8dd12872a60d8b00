"""Flood control's buckets in PostgreSQL: one allowance per person, however many instances
(here: connection pools of their own) judge their updates at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

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


@pytest.fixture
def guards(
    pools: tuple[PostgresDatabase, PostgresDatabase],
) -> tuple[SharedFloodGuard, SharedFloodGuard]:
    return (
        SharedFloodGuard(FloodBuckets(pools[0]), BURST, RATE),
        SharedFloodGuard(FloodBuckets(pools[1]), BURST, RATE),
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
    first = BucketRow(4.0, now, False, None, 0)
    second = BucketRow(3.0, now, False, None, 0)

    created = await store.swap(704, None, first, now)
    assert created is not None and created.current is None
    moved = await store.swap(704, created.version, second, now)
    assert moved is not None and moved.current is None

    stale = await store.swap(704, created.version, BucketRow(0.0, now, True, None, 0), now)
    assert stale == Swap(moved.version, second)
    again = await store.swap(704, None, first, now)
    assert again is not None and again.current == second, "a newcomer's row exists already"
    assert await store.swap(705, "gone", first, now) is None, "no row to write over or show"
    assert await rows(pools[0]) == 1


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
