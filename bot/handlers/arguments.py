"""Numbers and times in command arguments, read the way people mean them."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo


def whole_number(value: str, low: int, high: int) -> int | None:
    """A number typed in ASCII digits within [low, high].

    `str.isdigit()` also accepts "²" and "١٢", which `int()` then refuses or misreads.
    """
    if not re.fullmatch(r"[0-9]{1,18}", value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def local_time(day: str, clock_time: str, zone: ZoneInfo) -> datetime | None:
    """`YYYY-MM-DD` and `HH:MM` as a wall-clock time in `zone`.

    `datetime.fromisoformat` alone also reads week dates, seconds and UTC offsets, which
    the usage does not promise.
    """
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day) or not re.fullmatch(
        r"[0-9]{2}:[0-9]{2}", clock_time
    ):
        return None
    try:
        return datetime.fromisoformat(f"{day} {clock_time}").replace(tzinfo=zone)
    except ValueError:
        return None
