"""When scheduled messages fall due, and whether one that fell due is still worth sending.

Each rule is written here once, per kind of message:

| kind | due | still sent when |
| --- | --- | --- |
| dropoff_evening | 18:00 local the evening before the slot | booked, slot still ahead |
| dropoff_soon | 2 hours before the slot | booked, slot still ahead |
| no_show_check (staff) | 2 hours after the slot | still booked |
| pickup_reminder | 2 and 5 days after `ready` | still ready |
| estimate_reminder | 2 days after the estimate | estimate still unanswered |
| feedback | 1 hour after `picked_up` | picked up, not rated, within 3 days |
| digest (staff, head office) | 09:00 local | the same day |
| everything else | at once | always: they report facts |

A message that is no longer worth sending is marked skipped, not sent late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.notifications import Kind
from bot.tickets import Status

EVENING_BEFORE = time(18, 0)
SOON_BEFORE = timedelta(hours=2)
NO_SHOW_AFTER = timedelta(hours=2)
PICKUP_AFTER = (timedelta(days=2), timedelta(days=5))
ESTIMATE_AFTER = timedelta(days=2)
FEEDBACK_AFTER = timedelta(hours=1)
FEEDBACK_VALID = timedelta(days=3)
DIGEST_AT = time(9, 0)
DIGEST_VALID = timedelta(hours=12)

CUSTOMER_KINDS = frozenset(
    {
        Kind.STATUS,
        Kind.ETA,
        Kind.ESTIMATE,
        Kind.WARRANTY,
        Kind.DROPOFF_EVENING,
        Kind.DROPOFF_SOON,
        Kind.PICKUP_REMINDER,
        Kind.ESTIMATE_REMINDER,
        Kind.FEEDBACK,
        Kind.PART_AWAITED,
        Kind.PART_ON_WAY,
        Kind.PART_ARRIVED,
    }
)
"""Messages to customers, which respect quiet hours; staff and head office get theirs at once."""

DROPOFF_KINDS = (Kind.DROPOFF_EVENING, Kind.DROPOFF_SOON, Kind.NO_SHOW_CHECK)


def dropoff_schedule(
    slot_start: datetime, zone: ZoneInfo, now: datetime
) -> list[tuple[Kind, datetime]]:
    """The reminders of a booking, leaving out those whose time has already passed."""
    day_before = slot_start.astimezone(zone).date() - timedelta(days=1)
    evening = datetime.combine(day_before, EVENING_BEFORE, tzinfo=zone).astimezone(now.tzinfo)
    planned = [
        (Kind.DROPOFF_EVENING, evening),
        (Kind.DROPOFF_SOON, slot_start - SOON_BEFORE),
    ]
    due = [(kind, at) for kind, at in planned if now < at < slot_start]
    return [*due, (Kind.NO_SHOW_CHECK, slot_start + NO_SHOW_AFTER)]


def pickup_schedule(ready_at: datetime) -> list[datetime]:
    return [ready_at + after for after in PICKUP_AFTER]


@dataclass(frozen=True)
class Facts:
    """What a delivery decision needs to know about the ticket behind a message."""

    status: Status | None
    slot_start: datetime | None
    estimate_pending: bool
    rated: bool


def still_meaningful(kind: str, due_at: datetime, facts: Facts, now: datetime) -> bool:
    if kind in (Kind.DROPOFF_EVENING, Kind.DROPOFF_SOON):
        return (
            facts.status is Status.BOOKED
            and facts.slot_start is not None
            and now < facts.slot_start
        )
    if kind == Kind.NO_SHOW_CHECK:
        return facts.status is Status.BOOKED
    if kind == Kind.PICKUP_REMINDER:
        return facts.status is Status.READY
    if kind == Kind.ESTIMATE_REMINDER:
        return facts.estimate_pending
    if kind == Kind.FEEDBACK:
        return (
            facts.status is Status.PICKED_UP and not facts.rated and now < due_at + FEEDBACK_VALID
        )
    if kind == Kind.DIGEST:
        return now < due_at + DIGEST_VALID
    return True
