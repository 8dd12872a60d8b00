"""Numbers in command arguments, read the way people mean them."""

from __future__ import annotations

import re


def whole_number(value: str, low: int, high: int) -> int | None:
    """A number typed in ASCII digits within [low, high].

    `str.isdigit()` also accepts "²" and "١٢", which `int()` then refuses or misreads.
    """
    if not re.fullmatch(r"[0-9]{1,18}", value):
        return None
    number = int(value)
    return number if low <= number <= high else None
