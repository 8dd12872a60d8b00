"""Times typed into command arguments."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.handlers.arguments import local_time

MOSCOW = ZoneInfo("Europe/Moscow")


def test_a_date_and_a_clock_time_are_a_wall_clock_time_in_the_zone() -> None:
    assert local_time("2026-12-01", "09:30", MOSCOW) == datetime(2026, 12, 1, 9, 30, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    ("day", "clock_time"),
    [
        ("2026-12-01", "25:00"),
        ("2026-02-30", "10:00"),
        ("2026-12-01", "10"),
        ("2026-12-01", "10:00:00"),
        ("2026-12-01", "10:00+05:00"),
        ("20261201", "10:00"),
        ("2026-W49-1", "10:00"),
        ("99999-01-01", "10:00"),
        ("0000-01-01", "10:00"),
        ("tomorrow", "10:00"),
    ],
)
def test_anything_but_yyyy_mm_dd_and_hh_mm_is_refused(day: str, clock_time: str) -> None:
    assert local_time(day, clock_time, MOSCOW) is None
