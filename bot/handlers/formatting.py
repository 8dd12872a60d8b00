"""Dates, times and distances the way each language writes them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import Lang
from bot.messages import CATALOGUE


def day_label(lang: Lang, day: date) -> str:
    """`Thu 26.11`: short enough for a button, unambiguous within two weeks."""
    weekday = CATALOGUE["weekdays"][lang].split()[day.weekday()]
    return f"{weekday} {day:%d.%m}"


def when(lang: Lang, moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{day_label(lang, local.date())}, {local:%H:%M}"


def km(lang: Lang, distance: float) -> str:
    value = f"{distance:.1f}" if distance < 100 else f"{distance:.0f}"
    return value.replace(".", ",") if lang is Lang.RU else value
