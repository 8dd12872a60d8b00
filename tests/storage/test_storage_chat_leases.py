"""Chat leases: one holder per chat at a time, taken over once it runs out, let go only when
none of the chat's updates waits; and the updates nobody holds. On PostgreSQL only: chats
are leased only where several instances share one database (SQLite's inbox is in a file of
its own, apart from the leases)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.storage.chat_leases import ChatLeases
from bot.storage.engine import Engine
from bot.storage.inbox import InboxStore
from tests.support.clock import FakeClock

TTL = timedelta(seconds=10)
ANNA, BORIS = 3101, 3102


pytestmark = pytest.mark.postgresql


async def stored(db: Engine, clock: FakeClock, chats: dict[int, int]) -> None:
    """Updates (id: chat) received now, none handled."""
    await InboxStore(db).store([(i, "{}") for i in chats], clock.now(), chats=chats)


async def test_a_chat_has_one_holder_until_its_lease_runs_out(
    db: Engine, clock: FakeClock
) -> None:
    leases = ChatLeases(db)
    assert await leases.take(ANNA, "a", clock.now(), TTL)
    assert not await leases.take(ANNA, "b", clock.now(), TTL)
    assert await leases.take(BORIS, "b", clock.now(), TTL), "another chat is free"
    assert await leases.take(ANNA, "a", clock.now(), TTL), "the holder takes it again"

    clock.advance(seconds=9)
    assert await leases.renew(ANNA, "a", clock.now(), TTL)
    clock.advance(seconds=9)
    assert not await leases.take(ANNA, "b", clock.now(), TTL), "renewed: still a's"
    clock.advance(seconds=1)
    assert await leases.take(ANNA, "b", clock.now(), TTL), "a stopped renewing: b takes over"
    assert not await leases.renew(ANNA, "a", clock.now(), TTL)


async def test_of_two_instances_taking_a_free_chat_at_once_one_gets_it(
    db: Engine, clock: FakeClock
) -> None:
    leases = ChatLeases(db)
    taken = await asyncio.gather(
        *(leases.take(ANNA, holder, clock.now(), TTL) for holder in ("a", "b", "c"))
    )
    assert sorted(taken) == [False, False, True]


async def test_pending_gives_a_chats_unhandled_updates_up_to_one_in_order(
    db: Engine, clock: FakeClock
) -> None:
    await stored(db, clock, {11: ANNA, 12: BORIS, 13: ANNA, 14: ANNA})
    await InboxStore(db).mark([11], clock.now())
    leases = ChatLeases(db)

    assert [u.update_id for u in await leases.pending(ANNA, 13)] == [13]
    assert [u.update_id for u in await leases.pending(ANNA)] == [13, 14]
    assert [(u.update_id, u.raw, u.chat_id) for u in await leases.pending(BORIS, 20)] == [
        (12, "{}", BORIS)
    ]


async def test_pending_up_to_an_update_stored_without_its_chat_includes_that_update(
    db: Engine, clock: FakeClock
) -> None:
    """Rows stored before chats were recorded (an upgrade with updates in hand) have none."""
    await stored(db, clock, {15: ANNA})
    await InboxStore(db).store([(16, "{}")], clock.now())

    assert [u.update_id for u in await ChatLeases(db).pending(ANNA, 16)] == [15, 16]


async def test_finish_marks_the_updates_and_keeps_the_chat_while_another_waits(
    db: Engine, clock: FakeClock
) -> None:
    await stored(db, clock, {21: ANNA, 22: ANNA})
    leases = ChatLeases(db)
    assert await leases.take(ANNA, "a", clock.now(), TTL)

    assert not await leases.finish([21], ANNA, "a", clock.now(), {21: "BadRequest: gone"})
    assert not await leases.take(ANNA, "b", clock.now(), TTL), "22 waits: still a's"
    assert [u.update_id for u in await leases.pending(ANNA)] == [22]

    assert await leases.finish([22], ANNA, "a", clock.now())
    assert await leases.take(ANNA, "b", clock.now(), TTL), "nothing waits: let go"
    rows = await db.fetch_all("SELECT update_id, failure FROM inbox ORDER BY update_id")
    assert [(r["update_id"], r["failure"]) for r in rows] == [(21, "BadRequest: gone"), (22, None)]


async def test_finish_by_a_holder_that_lost_the_chat_leaves_the_new_holders_lease(
    db: Engine, clock: FakeClock
) -> None:
    await stored(db, clock, {31: ANNA})
    leases = ChatLeases(db)
    assert await leases.take(ANNA, "a", clock.now(), TTL)
    clock.advance(seconds=11)
    assert await leases.take(ANNA, "b", clock.now(), TTL)

    assert not await leases.finish([31], ANNA, "a", clock.now()), "not a's to let go"
    assert not await leases.take(ANNA, "c", clock.now(), TTL), "still b's"
    assert await leases.pending(ANNA) == [], "the update is recorded all the same"


async def test_unheld_are_the_unhandled_updates_of_chats_nobody_holds_now(
    db: Engine, clock: FakeClock
) -> None:
    await stored(db, clock, {41: ANNA, 42: BORIS, 43: 3103})
    leases = ChatLeases(db)
    assert await leases.take(BORIS, "a", clock.now(), TTL)

    unheld = await leases.unheld(clock.now())
    assert [(u.update.update_id, u.update.chat_id, u.lapsed) for u in unheld] == [
        (41, ANNA, False),
        (43, 3103, False),
    ]
    clock.advance(seconds=10)
    unheld = await leases.unheld(clock.now())
    assert [(u.update.update_id, u.lapsed) for u in unheld] == [
        (41, False),
        (42, True),
        (43, False),
    ], "a stopped renewing Boris's chat"
