"""Broadcast texts per language as stored, including a broadcast written before there were two."""

from __future__ import annotations

from bot.i18n import Lang, pick
from bot.storage.broadcasts import Broadcasts
from bot.storage.customers import Customers
from bot.storage.database import Database, stamp
from tests.support.clock import FakeClock


async def test_a_broadcast_from_before_the_russian_text_goes_to_everyone_in_its_one_text(
    db: Database, clock: FakeClock
) -> None:
    broadcast_id = await db.insert(
        "INSERT INTO broadcasts (created_by, body, segment, status, created_at, report_chat_id)"
        " VALUES (9000, 'Closed on Monday', 'all', 'running', ?, 9000)",
        (stamp(clock.now()),),
    )
    record = await Broadcasts(db).get(broadcast_id)
    assert record is not None and record.texts == {Lang.EN: "Closed on Monday"}
    assert pick(record.texts, Lang.RU) == "Closed on Monday"


async def test_a_russian_only_broadcast_reads_back_without_an_english_text(
    db: Database, clock: FakeClock
) -> None:
    broadcasts = Broadcasts(db)
    broadcast_id = await broadcasts.create(
        9000, {Lang.RU: "Закрыто"}, "all", None, None, 9000, clock.now()
    )
    record = await broadcasts.get(broadcast_id)
    assert record is not None and record.texts == {Lang.RU: "Закрыто"}

    await broadcasts.set_texts(broadcast_id, {Lang.RU: "Закрыто", Lang.EN: "Closed"})
    record = await broadcasts.get(broadcast_id)
    assert record is not None and record.texts == {Lang.EN: "Closed", Lang.RU: "Закрыто"}


async def test_with_nobody_to_leave_out_a_broadcast_still_reaches_every_customer(
    db: Database, clock: FakeClock
) -> None:
    for user_id in (1, 2):
        await Customers(db).remember(user_id, f"C{user_id}", None, None, "en", clock.now())
    broadcasts = Broadcasts(db)
    broadcast_id = await broadcasts.create(
        9000, {Lang.EN: "Closed"}, "all", None, None, 9000, clock.now()
    )

    assert await broadcasts.audience_languages("all", None, clock.now(), set()) == [
        (None, "en", 2)
    ]
    assert await broadcasts.fill_deliveries(broadcast_id, clock.now(), set()) == 2


async def test_a_recipient_is_pending_until_reached_or_cancelled_whoever_wrote_it(
    db: Database, clock: FakeClock
) -> None:
    for user_id in (1, 2, 3):
        await Customers(db).remember(user_id, f"C{user_id}", None, None, "en", clock.now())
    broadcasts = Broadcasts(db)
    broadcast_id = await broadcasts.create(
        9000, {Lang.EN: "Closed"}, "all", None, None, 9000, clock.now()
    )
    await broadcasts.fill_deliveries(broadcast_id, clock.now(), set())
    assert [await broadcasts.is_pending(broadcast_id, user) for user in (1, 2, 3)] == [True] * 3

    await broadcasts.mark(broadcast_id, 1, "sent", clock.now())
    await broadcasts.cancel_pending(broadcast_id, clock.now())

    assert [await broadcasts.is_pending(broadcast_id, user) for user in (1, 2, 3)] == [False] * 3
    assert not await broadcasts.is_pending(broadcast_id, 4), "never a recipient"
