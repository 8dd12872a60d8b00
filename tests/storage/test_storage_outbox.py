"""Claims on the outbox: of several instances on one database, one sends each message."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.storage.engine import Engine
from bot.storage.outbox import Outbox
from tests.support.clock import FakeClock

LEASE = timedelta(minutes=2)
A, B = "host-a:11:1f2e", "host-b:12:3d4c"


async def queue(db: Engine, clock: FakeClock, count: int, due_in: timedelta = timedelta()) -> None:
    """`count` messages to as many chats, due `due_in` from now."""
    now = clock.now()
    outbox = Outbox(db)
    for n in range(count):
        await outbox.add(f"test:{n}", 1000 + n, "reply", {}, None, now + due_in, now)


async def test_two_instances_claiming_at_once_get_different_messages(
    db: Engine, clock: FakeClock
) -> None:
    await queue(db, clock, 5)
    outbox = Outbox(db)

    first, second = await asyncio.gather(
        outbox.claim_due(A, clock.now(), LEASE, 3), outbox.claim_due(B, clock.now(), LEASE, 3)
    )

    ids_a, ids_b = {r.id for r in first}, {r.id for r in second}
    assert not ids_a & ids_b, "no message is claimed by both"
    assert len(ids_a | ids_b) == 5, "between them they hold every message due"
    assert await outbox.claim_due("host-c:13:5b6a", clock.now(), LEASE, 10) == [], "all held"


async def test_messages_are_claimed_earliest_first_and_only_once_due(
    db: Engine, clock: FakeClock
) -> None:
    await queue(db, clock, 1, due_in=timedelta(minutes=5))
    outbox = Outbox(db)
    now = clock.now()
    await outbox.add("early", 7, "reply", {}, None, now - timedelta(minutes=1), now)
    await outbox.add("now", 8, "reply", {}, None, now, now)

    claimed = await outbox.claim_due(A, now, LEASE, 10)

    assert [r.key for r in claimed] == ["early", "now"]


async def test_a_claim_that_ran_out_goes_to_another_instance(db: Engine, clock: FakeClock) -> None:
    await queue(db, clock, 1)
    outbox = Outbox(db)
    [held] = await outbox.claim_due(A, clock.now(), LEASE, 10)

    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert await outbox.claim_due(B, clock.now(), LEASE, 10) == [], "A still holds it"
    clock.advance(seconds=1)
    [taken] = await outbox.claim_due(B, clock.now(), LEASE, 10)

    assert taken.id == held.id
    assert await outbox.extend_claims(A, [held.id], clock.now() + LEASE) == set(), "A lost it"


async def test_a_sent_message_is_never_claimed_again(db: Engine, clock: FakeClock) -> None:
    await queue(db, clock, 1)
    outbox = Outbox(db)
    [held] = await outbox.claim_due(A, clock.now(), LEASE, 10)
    await outbox.finish(held.id, "sent", clock.now(), None)

    clock.advance(hours=1)

    assert await outbox.claim_due(A, clock.now(), LEASE, 10) == []
    assert await outbox.claim_due(B, clock.now(), LEASE, 10) == []
    assert await outbox.next_due_at(B) is None


async def test_a_message_put_off_is_let_go_for_anyone_once_due_again(
    db: Engine, clock: FakeClock
) -> None:
    await queue(db, clock, 2)
    outbox = Outbox(db)
    first, second = await outbox.claim_due(A, clock.now(), LEASE, 10)
    later = clock.now() + timedelta(seconds=10)
    await outbox.retry_later(first.id, later, "server error")
    await outbox.postpone(second.id, later)

    clock.advance(seconds=10)
    taken = await outbox.claim_due(B, clock.now(), LEASE, 10)

    assert {r.id for r in taken} == {first.id, second.id}, "not held by A until its lease ends"


async def test_an_instance_claims_again_what_it_holds_but_left_unsent(
    db: Engine, clock: FakeClock
) -> None:
    await queue(db, clock, 1)
    outbox = Outbox(db)
    [held] = await outbox.claim_due(A, clock.now(), LEASE, 10)

    [again] = await outbox.claim_due(A, clock.now(), LEASE, 10)

    assert again.id == held.id


async def test_extending_claims_keeps_them_from_other_instances(
    db: Engine, clock: FakeClock
) -> None:
    await queue(db, clock, 2)
    outbox = Outbox(db)
    first, second = await outbox.claim_due(A, clock.now(), LEASE, 10)
    await outbox.finish(first.id, "sent", clock.now(), None)
    clock.advance(minutes=1)

    kept = await outbox.extend_claims(A, [first.id, second.id], clock.now() + LEASE)
    clock.advance(minutes=1, seconds=30)

    assert kept == {second.id}, "a sent message is no longer held"
    assert await outbox.claim_due(B, clock.now(), LEASE, 10) == []


async def test_the_next_wake_up_waits_for_another_instances_claim_to_run_out(
    db: Engine, clock: FakeClock
) -> None:
    await queue(db, clock, 1)
    outbox = Outbox(db)
    await outbox.claim_due(A, clock.now(), LEASE, 10)

    assert await outbox.next_due_at(B) == clock.now() + LEASE, "not at once: that would spin"
    assert await outbox.next_due_at(A) == clock.now()
