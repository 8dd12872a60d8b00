"""Head-office broadcasts: who receives one, and the life of a broadcast.

draft (previewed) -> scheduled (a time was given) -> running -> done, or cancelled at any
point before done. Recipients are written down when a broadcast starts, one row each, so a
restart resumes it and nobody gets a second copy. The command that wrote a draft and the tap
that confirmed it, handled again after a crash, find what they did the first time.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import Lang, preferred
from bot.message_length import MAX_TEXT
from bot.quiet_hours import QuietHours
from bot.storage.broadcasts import BroadcastRecord, Tally
from bot.storage.unit_of_work import Storage

MAX_BODY = MAX_TEXT
"""A broadcast goes out as one message, counted as Telegram counts: longer is refused, not cut."""
RECENT = 10
MAX_LEAD = timedelta(days=365)
"""How far ahead a broadcast may be scheduled: anything later is a typo, and near the year
9999 the quiet-hours arithmetic would overflow."""


SEPARATOR = re.compile(r"^[ \t]*---[ \t]*$", re.MULTILINE)
"""A line of three dashes between the English and the Russian text of one command."""
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LETTER = re.compile(r"[^\W\d_]")

Texts = dict[Lang, str]
"""A broadcast's text per language, at least one; a reader without their own gets the other
(`bot.i18n.pick`)."""


def written_in(body: str) -> Lang:
    """Russian when at least three letters in ten are Cyrillic, so that brand names such as
    "iPhone Pro" do not make a Russian text English."""
    letters = len(_LETTER.findall(body))
    return Lang.RU if letters and len(_CYRILLIC.findall(body)) * 10 >= letters * 3 else Lang.EN


def split_texts(typed: str) -> Texts | None:
    """The texts of a command: one, or two around a `---` line, English first unless the
    first is Russian and the second is not. None for more than two, or none."""
    parts = [part.strip() for part in SEPARATOR.split(typed)]
    given = [part for part in parts if part]
    if len(parts) > 2 or not given:
        return None
    if len(given) == 1:
        return {written_in(given[0]): given[0]}
    first, second = given
    if written_in(first) is Lang.RU and written_in(second) is Lang.EN:
        return {Lang.EN: second, Lang.RU: first}
    return {Lang.EN: first, Lang.RU: second}


def missing(texts: Texts) -> Lang | None:
    """The language a broadcast has no text in; its readers get the other one."""
    return next((lang for lang in Lang if lang not in texts), None)


def wants_text(record: BroadcastRecord, chat_id: int, lang: Lang) -> bool:
    """Whether a broadcast may still get its text in `lang`, from the chat it was previewed in."""
    return (
        record.status == "draft" and record.report_chat_id == chat_id and lang not in record.texts
    )


class Segment(StrEnum):
    ALL = "all"
    WORKSHOP = "workshop"
    CATEGORY = "category"


@dataclass(frozen=True)
class Draft:
    broadcast_id: int
    readers: Counter[Lang]
    """Who would receive it now, by the language they read."""
    texts: Texts
    scheduled_at: datetime | None

    @property
    def audience(self) -> int:
        return self.readers.total()


class BroadcastDesk:
    def __init__(
        self, storage: Storage, clock: Clock, quiet: QuietHours | None, zone: ZoneInfo
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._quiet = quiet
        self._zone = zone

    def schedulable(self, moment: datetime) -> bool:
        """Whether a broadcast may be scheduled for `moment`: in the future, within a year."""
        now = self._clock.now()
        return now < moment <= now + MAX_LEAD

    async def prepare(
        self,
        by: int,
        texts: Texts,
        segment: Segment,
        value: str | None,
        scheduled_at: datetime | None,
        report_chat_id: int,
        exclude: set[int],
        origin: int | None = None,
    ) -> Draft:
        """Write a draft and count who would receive it now, for the preview."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            earlier = await effects.recall(origin, "broadcast", now)
            if earlier is not None:
                broadcast_id = int(earlier)
            else:
                broadcast_id = await uow.broadcasts.create(
                    by, texts, segment, value, scheduled_at, report_chat_id, now
                )
                await effects.record(origin, "broadcast", broadcast_id, now)
        return await self._draft(broadcast_id, exclude)

    async def add_text(
        self,
        broadcast_id: int,
        chat_id: int,
        lang: Lang,
        body: str,
        exclude: set[int],
        origin: int | None = None,
    ) -> Draft | None:
        """Give a draft its text in `lang`; None once it is no longer a draft, or has one, or
        from another chat than the one it was previewed in."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            broadcasts = uow.broadcasts
            effects = uow.effects
            if await effects.recall(origin, "broadcast_text", now) is None:
                record = await broadcasts.get(broadcast_id)
                if record is None or not wants_text(record, chat_id, lang):
                    return None
                await broadcasts.set_texts(broadcast_id, {**record.texts, lang: body})
                await effects.record(origin, "broadcast_text", broadcast_id, now)
        return await self._draft(broadcast_id, exclude)

    async def wants(self, broadcast_id: int, chat_id: int, lang: Lang) -> bool:
        record = await self._storage.broadcasts.get(broadcast_id)
        return record is not None and wants_text(record, chat_id, lang)

    async def _draft(self, broadcast_id: int, exclude: set[int]) -> Draft:
        broadcasts = self._storage.broadcasts
        record = await broadcasts.get(broadcast_id)
        assert record is not None
        groups = await self._storage.aside.broadcasts.audience_languages(
            record.segment, record.segment_value, self._clock.now(), exclude
        )
        readers: Counter[Lang] = Counter()
        for chosen, client_language, count in groups:
            readers[preferred(chosen, client_language)] += count
        return Draft(broadcast_id, readers, record.texts, record.scheduled_at)

    async def confirm(
        self, broadcast_id: int, chat_id: int, exclude: set[int], origin: int | None = None
    ) -> BroadcastRecord | None:
        """Start the draft now, or schedule it; None if it is no longer a draft, or if
        `chat_id` is not the chat it was previewed in (the only place its buttons are)."""
        now = self._clock.now()
        async with self._storage.aside.unit() as uow:
            broadcasts = uow.broadcasts
            effects = uow.effects
            if await effects.recall(origin, "broadcast_confirm", now) is not None:
                return await broadcasts.get(broadcast_id)
            record = await broadcasts.get(broadcast_id)
            if record is None or record.status != "draft" or record.report_chat_id != chat_id:
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
            await effects.record(origin, "broadcast_confirm", broadcast_id, now)
            return await broadcasts.get(broadcast_id)

    async def discard(self, broadcast_id: int, chat_id: int, origin: int | None = None) -> bool:
        """Drop a draft, from the chat it was previewed in."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            if await effects.recall(origin, "broadcast_discard", now) is not None:
                return True
            broadcasts = uow.broadcasts
            record = await broadcasts.get(broadcast_id)
            if record is None or record.report_chat_id != chat_id:
                return False
            if not await broadcasts.set_status(broadcast_id, "cancelled", ("draft",), now):
                return False
            await effects.record(origin, "broadcast_discard", broadcast_id, now)
        return True

    async def start_due(self, exclude: set[int]) -> list[int]:
        """Scheduled broadcasts whose time has come: recipients fixed now, status running."""
        now = self._clock.now()
        started = []
        for record in await self._storage.broadcasts.with_status(("scheduled",)):
            if record.scheduled_at is None or record.scheduled_at > now:
                continue
            async with self._storage.aside.unit() as uow:
                broadcasts = uow.broadcasts
                if await broadcasts.set_status(record.id, "running", ("scheduled",), now):
                    await broadcasts.fill_deliveries(record.id, now, exclude)
                    started.append(record.id)
        return started

    async def cancel(self, broadcast_id: int, origin: int | None = None) -> bool:
        """Stop a scheduled or running broadcast; what was sent stays sent."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            broadcasts = uow.broadcasts
            effects = uow.effects
            if await effects.recall(origin, "broadcast_cancel", now) is not None:
                return True
            if not await broadcasts.set_status(
                broadcast_id, "cancelled", ("scheduled", "running"), now
            ):
                return False
            await broadcasts.cancel_pending(broadcast_id, now)
            await effects.record(origin, "broadcast_cancel", broadcast_id, now)
        return True

    async def finish(self, broadcast_id: int) -> bool:
        return await self._storage.broadcasts.set_status(
            broadcast_id, "done", ("running",), self._clock.now()
        )

    async def running(self) -> list[BroadcastRecord]:
        return await self._storage.broadcasts.with_status(("running",))

    async def get(self, broadcast_id: int) -> BroadcastRecord | None:
        return await self._storage.broadcasts.get(broadcast_id)

    async def recent(self) -> list[tuple[BroadcastRecord, Tally]]:
        broadcasts = self._storage.broadcasts
        return [
            (record, await broadcasts.tally(record.id))
            for record in await broadcasts.recent(RECENT)
        ]

    async def tally(self, broadcast_id: int) -> Tally:
        return await self._storage.broadcasts.tally(broadcast_id)
