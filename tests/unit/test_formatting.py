"""Money, numbers and dates in each reader's locale."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.handlers.formatting import (
    day_label,
    km,
    long_day,
    money,
    next_opening,
    opening_hours,
    when,
)
from bot.i18n import Lang
from bot.workshops import OpeningHours

MOSCOW = ZoneInfo("Europe/Moscow")
THURSDAY = date(2026, 11, 26)
WEEKDAYS_ONLY = {
    day: OpeningHours.parse("09:00-18:00") for day in ("mon", "tue", "wed", "thu", "fri")
}


@pytest.mark.parametrize(
    ("lang", "amount", "written"),
    [
        (Lang.RU, "12500.50", "12\u00a0500,50\u00a0₽"),
        (Lang.EN, "12500.50", "RUB\u00a012,500.50"),
        (Lang.RU, "12500", "12\u00a0500\u00a0₽"),
        (Lang.EN, "12500.00", "RUB\u00a012,500"),
        (Lang.EN, "0.5", "RUB\u00a00.50"),
    ],
)
def test_money_is_written_the_way_the_reader_writes_it(
    lang: Lang, amount: str, written: str
) -> None:
    assert money(lang, Decimal(amount), "RUB") == written


def test_another_currency_keeps_its_own_symbol() -> None:
    assert money(Lang.EN, Decimal("990"), "EUR") == "€990"
    assert money(Lang.RU, Decimal("990"), "EUR") == "990\u00a0€"


def test_day_buttons_say_today_and_tomorrow_and_name_the_weekday_after() -> None:
    days = [date(2026, 11, day) for day in (26, 27, 28)]

    assert [day_label(Lang.EN, day, THURSDAY) for day in days] == [
        "Today",
        "Tomorrow",
        "Sat 28 Nov",
    ]
    assert [day_label(Lang.RU, day, THURSDAY) for day in days] == [
        "Сегодня",
        "Завтра",
        "Сб, 28 нояб.",
    ]


def test_a_moment_is_shown_in_the_workshops_local_time_with_its_weekday() -> None:
    moment = datetime(2026, 11, 27, 11, 0, tzinfo=ZoneInfo("UTC"))

    assert when(Lang.EN, moment, MOSCOW) == "Fri 27 Nov, 14:00"
    assert when(Lang.RU, moment, MOSCOW) == "Пт, 27 нояб., 14:00"


def test_an_expected_ready_date_is_written_in_full() -> None:
    assert long_day(Lang.EN, date(2026, 11, 30)) == "Monday, 30 November"
    assert long_day(Lang.RU, date(2026, 11, 30)) == "понедельник, 30 ноября"


def test_distances_use_the_readers_decimal_mark() -> None:
    assert (km(Lang.EN, 3.456), km(Lang.RU, 3.456)) == ("3.5", "3,5")
    assert km(Lang.RU, 3712.4) == "3712"


@pytest.mark.parametrize(
    ("moment", "en", "ru"),
    [
        (datetime(2026, 11, 26, 7, 0), "today 09:00-18:00", "сегодня 09:00-18:00"),
        (datetime(2026, 11, 26, 17, 59), "today 09:00-18:00", "сегодня 09:00-18:00"),
        (datetime(2026, 11, 26, 18, 0), "tomorrow 09:00-18:00", "завтра 09:00-18:00"),
        (datetime(2026, 11, 29, 12, 0), "tomorrow 09:00-18:00", "завтра 09:00-18:00"),
    ],
)
def test_pickup_hours_are_todays_until_closing_then_tomorrows(
    moment: datetime, en: str, ru: str
) -> None:
    now = moment.replace(tzinfo=MOSCOW)

    assert next_opening(Lang.EN, WEEKDAYS_ONLY, now, MOSCOW) == en
    assert next_opening(Lang.RU, WEEKDAYS_ONLY, now, MOSCOW) == ru


def test_a_workshop_closed_today_and_tomorrow_gives_its_week_instead() -> None:
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=MOSCOW)

    assert next_opening(Lang.EN, WEEKDAYS_ONLY, saturday, MOSCOW) is None
    assert opening_hours(Lang.RU, {"mon": OpeningHours.parse("09:00-11:00")}) == "Пн 09:00-11:00"
