"""Money, numbers, dates and times the way each language writes them, through Babel.

The one place that turns values into words: customers and staff see an amount, a day or an
expected-ready date written the same way everywhere, in the reader's own locale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, get_day_names
from babel.numbers import format_currency, format_decimal, format_percent

from bot.i18n import Lang
from bot.messages import label
from bot.workshops import WEEKDAYS, OpeningHours

LOCALES = {Lang.EN: Locale.parse("en_GB"), Lang.RU: Locale.parse("ru")}
"""British English: day before month and a 24-hour clock, like the rest of the network."""

_CODE_BESIDE_DIGIT = re.compile(r"^([A-Z]{3})(?=[0-9])")


def money(lang: Lang, amount: Decimal, currency: str) -> str:
    """`12 500,50 ₽` / `RUB 12,500.50`; a whole amount without its zero kopecks."""
    locale = LOCALES[lang]
    pattern = locale.currency_formats["standard"].pattern
    if amount == amount.to_integral_value():
        pattern = pattern.replace(".00", "")
    written = format_currency(amount, currency, pattern, locale=locale, currency_digits=False)
    # CLDR separates a currency code from the digits; Babel leaves that to the caller.
    return _CODE_BESIDE_DIGIT.sub("\\1\u00a0", written)


def number(lang: Lang, value: float | Decimal, pattern: str = "#,##0.##") -> str:
    return format_decimal(value, pattern, locale=LOCALES[lang])


def percent(lang: Lang, share: float) -> str:
    """`33%` / `33 %`: a share as a whole percentage."""
    return format_percent(share, "#,##0%", locale=LOCALES[lang])


def km(lang: Lang, distance: float) -> str:
    return number(lang, distance, "0.0" if distance < 100 else "0")


def day_label(lang: Lang, day: date, today: date) -> str:
    """`Today`, `Tomorrow`, else `Sat 28 Nov`: short enough for a button."""
    if day == today:
        return label(lang, "today")
    if day == today + timedelta(days=1):
        return label(lang, "tomorrow")
    return short_day(lang, day)


def short_day(lang: Lang, day: date) -> str:
    """`Fri 27 Nov` / `Пт, 27 нояб.`: the weekday and date, unambiguous within months."""
    written = format_skeleton("MMMEd", day, locale=LOCALES[lang])
    return written[:1].upper() + written[1:]


def long_day(lang: Lang, day: date) -> str:
    """`Monday, 30 November`: a date people plan around, such as when a repair is ready.

    Without the year, which such a date (at most a year ahead) does not need, and whose
    Russian "г." would end a sentence with two full stops.
    """
    return format_date(day, "EEEE, d MMMM", locale=LOCALES[lang])


def when(lang: Lang, moment: datetime, zone: ZoneInfo) -> str:
    """`Fri 27 Nov, 14:00` in the workshop's local time."""
    local = moment.astimezone(zone)
    return f"{short_day(lang, local.date())}, {local:%H:%M}"


def weekday_names(lang: Lang) -> list[str]:
    """Monday first, abbreviated, capitalised: `Mon` / `Пн`."""
    names = get_day_names("abbreviated", locale=LOCALES[lang])
    return [names[index][:1].upper() + names[index][1:] for index in range(7)]


def opening_hours(lang: Lang, hours: Mapping[str, OpeningHours]) -> str:
    """The whole week: `Mon 09:00-18:00, Tue 09:00-18:00`."""
    names = weekday_names(lang)
    return ", ".join(
        f"{names[WEEKDAYS.index(day)]} {hours[day]}" for day in WEEKDAYS if day in hours
    )


def next_opening(
    lang: Lang, hours: Mapping[str, OpeningHours], now: datetime, zone: ZoneInfo
) -> str | None:
    """`today 09:00-18:00` while the workshop is still to close today, else `tomorrow …`;
    None when it is closed both days."""
    local = now.astimezone(zone)
    today = hours.get(WEEKDAYS[local.weekday()])
    if today is not None and local.time() < today.closes:
        return label(lang, "open_today", hours=str(today))
    tomorrow = hours.get(WEEKDAYS[(local.weekday() + 1) % 7])
    if tomorrow is not None:
        return label(lang, "open_tomorrow", hours=str(tomorrow))
    return None
