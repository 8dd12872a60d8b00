"""Drop-off slots: when a workshop takes devices in, and which slots still have room."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.workshops import WEEKDAYS, Workshop

BOOKING_HORIZON_DAYS = 14


def slots_of_day(workshop: Workshop, zone: ZoneInfo, day: date) -> list[datetime]:
    """Slot starts (UTC) on a local calendar day; a slot must end by closing time."""
    hours = workshop.hours.get(WEEKDAYS[day.weekday()])
    if hours is None:
        return []
    step = timedelta(minutes=workshop.slot_minutes)
    start = datetime.combine(day, hours.opens, tzinfo=zone)
    closes = datetime.combine(day, hours.closes, tzinfo=zone)
    starts = []
    while start + step <= closes:
        starts.append(start.astimezone(UTC))
        start += step
    return starts


def free_slots(
    workshop: Workshop,
    zone: ZoneInfo,
    day: date,
    now: datetime,
    taken: Mapping[datetime, int],
) -> list[datetime]:
    """Future slots of `day` with fewer drop-offs than the workshop's capacity."""
    return [
        start
        for start in slots_of_day(workshop, zone, day)
        if start > now and taken.get(start, 0) < workshop.slot_capacity
    ]


def horizon(zone: ZoneInfo, now: datetime) -> list[date]:
    """The local days a booking may fall on: today and the next 13."""
    today = now.astimezone(zone).date()
    return [today + timedelta(days=offset) for offset in range(BOOKING_HORIZON_DAYS)]


def bookable_days(
    workshop: Workshop, zone: ZoneInfo, now: datetime, taken: Mapping[datetime, int]
) -> list[date]:
    return [day for day in horizon(zone, now) if free_slots(workshop, zone, day, now, taken)]


def is_bookable(workshop: Workshop, zone: ZoneInfo, start: datetime, now: datetime) -> bool:
    """Whether `start` is a real future slot of this workshop inside the booking horizon."""
    local_day = start.astimezone(zone).date()
    return local_day in horizon(zone, now) and start in free_slots(
        workshop, zone, local_day, now, {}
    )
