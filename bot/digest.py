"""The morning digest: overdue tickets for head office, and each workshop's own for its staff.

Planned by the repeating tick; each recipient's digest has a key naming the day, so however
often the tick runs, or the bot restarts, a digest is queued once a day at most. Nothing is
queued when there is nothing to report. Unanswered customers' questions, parts below their
minimum and parts requests waiting too long are reported too: all of them to head office, a
workshop's own to its staff.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.notifications import Kind
from bot.overdue import overdue
from bot.parts import HQ
from bot.reminders import DIGEST_AT
from bot.stock import StockDesk
from bot.storage.unit_of_work import Storage
from bot.workshops import Network


async def plan_digests(
    storage: Storage,
    network: Network,
    head_office: Iterable[int],
    limits: Mapping[str, int],
    zone: ZoneInfo,
    now: datetime,
    stock: StockDesk,
) -> None:
    grouped = await overdue(storage, now, limits)
    waiting = await storage.threads.waiting()
    parts = await stock.alerts(None, now)
    outbox = storage.outbox
    if (grouped or waiting or parts) and (due := _due_today(now, zone)) is not None:
        for user_id in head_office:
            await outbox.add(
                f"{Kind.DIGEST}:all:{due.date()}:{user_id}",
                user_id,
                Kind.DIGEST,
                {"workshop": None},
                None,
                due,
                now,
            )
    roles = storage.roles
    asked = {thread.workshop_code for thread in waiting if thread.workshop_code}
    short = {level.location for level in parts.low if level.location != HQ}
    short |= {request.workshop_code for request in parts.late}
    for code in sorted(set(grouped) | asked | short):
        if code not in network.workshops:
            continue
        due = _due_today(now, network.zone(code))
        if due is None:
            continue
        for user_id in await roles.staff_of(code):
            await outbox.add(
                f"{Kind.DIGEST}:{code}:{due.date()}:{user_id}",
                user_id,
                Kind.DIGEST,
                {"workshop": code},
                None,
                due,
                now,
            )


def _due_today(now: datetime, zone: ZoneInfo) -> datetime | None:
    """Today's 09:00 in `zone`, once it has come; None before it."""
    local = now.astimezone(zone)
    if local.time() < DIGEST_AT:
        return None
    return datetime.combine(local.date(), DIGEST_AT, tzinfo=zone)
