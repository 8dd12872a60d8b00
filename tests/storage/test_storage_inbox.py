"""The inbox: a batch of handled updates is marked at once, with its failures."""

from __future__ import annotations

from bot.storage.database import stamp
from bot.storage.engine import InboxEngine
from bot.storage.inbox import InboxStore
from tests.support.clock import FakeClock


async def test_a_batch_marked_handled_keeps_each_failure_on_its_own_update(
    inbox_db: InboxEngine, clock: FakeClock
) -> None:
    inbox = InboxStore(inbox_db)
    await inbox.store([(1, "{}"), (2, "{}"), (3, "{}"), (4, "{}")], clock.now())

    await inbox.mark([1, 2, 3], clock.now(), {2: "BadRequest: Chat not found"})

    rows = await inbox_db.fetch_all("SELECT update_id, handled_at, failure FROM inbox ORDER BY 1")
    assert [(r["update_id"], r["handled_at"], r["failure"]) for r in rows] == [
        (1, stamp(clock.now()), None),
        (2, stamp(clock.now()), "BadRequest: Chat not found"),
        (3, stamp(clock.now()), None),
        (4, None, None),
    ]
    assert [row["update_id"] for row in await inbox.unhandled()] == [4]
