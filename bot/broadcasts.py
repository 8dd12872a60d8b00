"""Head-office broadcasts: who receives one, and the life of a broadcast.

draft (previewed) -> scheduled (a time was given) -> running -> done, or cancelled at any
point before done. Recipients are written down when a broadcast starts, one row each, so a
restart resumes it and nobody gets a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.message_length import MAX_TEXT
from bot.quiet_hours import QuietHours
from bot.storage.broadcasts import BroadcastRecord, Broadcasts, Tally
from bot.storage.database import Database

MAX_BODY = MAX_TEXT
"""A broadcast goes out as one message, counted as Telegram counts: longer is refused, not cut."""
RECENT = 10


class Segment(StrEnum):
    ALL = "all"
    WORKSHOP = "workshop"
    CATEGORY = "category"


@dataclass(frozen=True)
class Draft:
    broadcast_id: int
    audience: int


class BroadcastDesk:
    def __init__(
        self, db: Database, clock: Clock, quiet: QuietHours | None, zone: ZoneInfo
    ) -> None:
        self._db = db
        self._clock = clock
        self._quiet = quiet
        self._zone = zone

    async def prepare(
        self,
        by: int,
        body: str,
        segment: Segment,
        value: str | None,
        scheduled_at: datetime | None,
        report_chat_id: int,
        exclude: set[int],
    ) -> Draft:
        """Write a draft and count who would receive it now, for the preview."""
        now = self._clock.now()
        broadcasts = Broadcasts(self._db)
        broadcast_id = await broadcasts.create(
            by, body, segment, value, scheduled_at, report_chat_id, now
        )
        return Draft(broadcast_id, await broadcasts.audience_size(segment, value, now, exclude))

    async def confirm(self, broadcast_id: int, exclude: set[int]) -> BroadcastRecord | None:
        """Start the draft now, or schedule it; None if it is no longer a draft."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            broadcasts = Broadcasts(tx)
            record = await broadcasts.get(broadcast_id)
            if record is None or record.status != "draft":
                return None
            start = record.scheduled_at or now
            if self._quiet is not None:
                # Customers are not messaged at night: a broadcast waits for the morning.
                start = self._quiet.next_allowed(start, self._zone)
            if start > now:
                await broadcasts.schedule(broadcast_id, start)
            else:
                await broadcasts.set_status(broadcast_id, "running", ("draft",), now)
                await broadcasts.fill_deliveries(broadcast_id, now, exclude)
            return await broadcasts.get(broadcast_id)

    async def discard(self, broadcast_id: int) -> bool:
        return await Broadcasts(self._db).set_status(
            broadcast_id, "cancelled", ("draft",), self._clock.now()
        )

    async def start_due(self, exclude: set[int]) -> list[int]:
        """Scheduled broadcasts whose time has come: recipients fixed now, status running."""
        now = self._clock.now()
        started = []
        for record in await Broadcasts(self._db).with_status(("scheduled",)):
            if record.scheduled_at is None or record.scheduled_at > now:
                continue
            async with self._db.transaction() as tx:
                broadcasts = Broadcasts(tx)
                if await broadcasts.set_status(record.id, "running", ("scheduled",), now):
                    await broadcasts.fill_deliveries(record.id, now, exclude)
                    started.append(record.id)
        return started

    async def cancel(self, broadcast_id: int) -> bool:
        """Stop a scheduled or running broadcast; what was sent stays sent."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            broadcasts = Broadcasts(tx)
            if not await broadcasts.set_status(
                broadcast_id, "cancelled", ("scheduled", "running"), now
            ):
                return False
            await broadcasts.cancel_pending(broadcast_id, now)
        return True

    async def finish(self, broadcast_id: int) -> bool:
        return await Broadcasts(self._db).set_status(
            broadcast_id, "done", ("running",), self._clock.now()
        )

    async def running(self) -> list[BroadcastRecord]:
        return await Broadcasts(self._db).with_status(("running",))

    async def get(self, broadcast_id: int) -> BroadcastRecord | None:
        return await Broadcasts(self._db).get(broadcast_id)

    async def recent(self) -> list[tuple[BroadcastRecord, Tally]]:
        broadcasts = Broadcasts(self._db)
        return [
            (record, await broadcasts.tally(record.id))
            for record in await broadcasts.recent(RECENT)
        ]

    async def tally(self, broadcast_id: int) -> Tally:
        return await Broadcasts(self._db).tally(broadcast_id)
