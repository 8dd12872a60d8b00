"""Drop-off slots: opening hours, capacity, the booking horizon and time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.slots import BOOKING_HORIZON_DAYS, bookable_days, free_slots, is_bookable, slots_of_day
from bot.workshops import Workshop

MOSCOW = ZoneInfo("Europe/Moscow")
NOVOSIBIRSK = ZoneInfo("Asia/Novosibirsk")
THURSDAY = date(2026, 11, 26)
FRIDAY = date(2026, 11, 27)
SUNDAY = date(2026, 11, 29)
THURSDAY_9_MSK = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def make_workshop(**changes: Any) -> Workshop:
    data: dict[str, Any] = {
        "code": "TST",
        "name": "Test",
        "city": "Moscow",
        "address": "Somewhere 1",
        "lat": 55.75,
        "lon": 37.61,
        "phone": "+7 000",
        "categories": ["phone"],
        "hours": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "09:00-11:00"),
        "slot_minutes": 45,
        "slot_capacity": 2,
    }
    data.update(changes)
    return Workshop(**data)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def test_slots_start_at_opening_and_the_last_one_ends_by_closing() -> None:
    workshop = make_workshop()  # 09:00-11:00 local, 45-minute slots

    starts = slots_of_day(workshop, MOSCOW, THURSDAY)

    # 09:00 and 09:45 Moscow; a 10:30 slot would end at 11:15, after closing.
    assert starts == [utc(THURSDAY, 6, 0), utc(THURSDAY, 6, 45)]
    assert all(start.tzinfo is not None and start.utcoffset() == timedelta(0) for start in starts)


def test_slots_fill_the_day_exactly_when_the_length_divides_the_hours() -> None:
    workshop = make_workshop(slot_minutes=30)

    starts = slots_of_day(workshop, MOSCOW, THURSDAY)

    assert len(starts) == 4
    assert starts[-1] + timedelta(minutes=30) == utc(THURSDAY, 8, 0)  # 11:00 Moscow


def test_a_closed_day_has_no_slots() -> None:
    assert slots_of_day(make_workshop(), MOSCOW, SUNDAY) == []


def test_a_novosibirsk_workshop_starts_its_slots_seven_hours_ahead_of_utc() -> None:
    workshop = make_workshop(timezone="Asia/Novosibirsk", slot_minutes=60)

    starts = slots_of_day(workshop, NOVOSIBIRSK, FRIDAY)

    assert starts == [utc(FRIDAY, 2), utc(FRIDAY, 3)]  # 09:00 and 10:00 local


def test_free_slots_leave_out_slots_that_have_already_started() -> None:
    workshop = make_workshop()
    now = utc(THURSDAY, 6, 10)  # 09:10 Moscow: the 09:00 slot has begun

    assert free_slots(workshop, MOSCOW, THURSDAY, now, {}) == [utc(THURSDAY, 6, 45)]


def test_free_slots_leave_out_a_slot_starting_exactly_now() -> None:
    workshop = make_workshop()

    assert free_slots(workshop, MOSCOW, THURSDAY, utc(THURSDAY, 6, 45), {}) == []


def test_free_slots_leave_out_full_slots_but_keep_partly_filled_ones() -> None:
    workshop = make_workshop(slot_minutes=30)  # capacity 2
    taken = {utc(FRIDAY, 6, 0): 2, utc(FRIDAY, 6, 30): 1}

    found = free_slots(workshop, MOSCOW, FRIDAY, THURSDAY_9_MSK, taken)

    assert found == [utc(FRIDAY, 6, 30), utc(FRIDAY, 7, 0), utc(FRIDAY, 7, 30)]


def test_bookable_days_cover_today_and_the_next_thirteen_days_at_most() -> None:
    workshop = make_workshop(hours=dict.fromkeys(EVERY_DAY, "09:00-18:00"))

    days = bookable_days(workshop, MOSCOW, utc(THURSDAY, 5, 0), {})

    assert BOOKING_HORIZON_DAYS == 14
    assert days == [THURSDAY + timedelta(days=offset) for offset in range(14)]


def test_bookable_days_skip_today_once_its_last_slot_has_started() -> None:
    workshop = make_workshop(hours=dict.fromkeys(EVERY_DAY, "09:00-11:00"))

    days = bookable_days(workshop, MOSCOW, utc(THURSDAY, 7, 0), {})  # 10:00 Moscow

    assert days[0] == FRIDAY
    assert len(days) == 13


def test_bookable_days_skip_closed_days() -> None:
    workshop = make_workshop(hours={"mon": "09:00-18:00"})

    days = bookable_days(workshop, MOSCOW, THURSDAY_9_MSK, {})

    assert days == [date(2026, 11, 30), date(2026, 12, 7)]


def test_bookable_days_skip_a_fully_booked_day() -> None:
    workshop = make_workshop()  # weekdays 09:00-11:00, two 45-minute slots, capacity 2
    taken = {start: 2 for start in slots_of_day(workshop, MOSCOW, FRIDAY)}

    days = bookable_days(workshop, MOSCOW, THURSDAY_9_MSK, taken)

    assert FRIDAY not in days
    assert THURSDAY in days
    assert date(2026, 11, 30) in days


def test_bookable_days_start_from_the_local_date_of_the_workshop() -> None:
    workshop = make_workshop(hours=dict.fromkeys(EVERY_DAY, "09:00-18:00"))
    now = utc(THURSDAY, 18, 0)  # already Friday 01:00 in Novosibirsk

    days = bookable_days(workshop, NOVOSIBIRSK, now, {})

    assert days[0] == FRIDAY
    assert days[-1] == FRIDAY + timedelta(days=13)


def test_is_bookable_accepts_a_future_slot_inside_the_horizon() -> None:
    workshop = make_workshop()
    last_day = THURSDAY + timedelta(days=13)  # a Wednesday

    assert is_bookable(workshop, MOSCOW, utc(FRIDAY, 6, 45), THURSDAY_9_MSK)
    assert is_bookable(workshop, MOSCOW, utc(last_day, 6, 0), THURSDAY_9_MSK)


def test_is_bookable_rejects_a_time_that_is_not_a_slot_start() -> None:
    workshop = make_workshop()

    assert not is_bookable(workshop, MOSCOW, utc(FRIDAY, 6, 10), THURSDAY_9_MSK)
    assert not is_bookable(workshop, MOSCOW, utc(SUNDAY, 6, 0), THURSDAY_9_MSK)


def test_is_bookable_rejects_a_slot_beyond_fourteen_days() -> None:
    workshop = make_workshop()
    day_15 = THURSDAY + timedelta(days=14)  # a Thursday, open, but outside the horizon

    assert slots_of_day(workshop, MOSCOW, day_15)
    assert not is_bookable(workshop, MOSCOW, utc(day_15, 6, 0), THURSDAY_9_MSK)


def test_is_bookable_rejects_a_slot_in_the_past() -> None:
    workshop = make_workshop()

    assert not is_bookable(workshop, MOSCOW, utc(THURSDAY, 6, 0), utc(THURSDAY, 6, 30))
