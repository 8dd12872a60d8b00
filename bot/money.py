"""Amounts of money: exact decimals in the network's currency, stored in minor units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_AMOUNT = Decimal("100000000")

GROUP_SPACES = " \u00a0\u202f"
"""What people and Babel put between groups of thousands: a space, a no-break space, or a
narrow no-break space."""

CURRENCY_WORDS: dict[str, tuple[str, ...]] = {
    "RUB": ("₽", "руб", "руб.", "р", "р.", "rub", "rur"),
}
"""How people write a currency after an amount, besides its code."""

_AMOUNT = re.compile(
    rf"(?P<whole>[0-9]{{1,3}}(?:[{GROUP_SPACES}][0-9]{{3}})+|[0-9]+)"
    r"(?:[.,](?P<cents>[0-9]{1,2}))?"
)


@dataclass(frozen=True)
class Quoted:
    """An amount as typed at the start of a line, and the words after it."""

    amount: Decimal
    rest: str


def split_amount(typed: str, currency: str = "RUB") -> Quoted | None:
    """`12 500,50 ₽ new screen` -> 12500.50 and `new screen`; None when the amount is not
    clear: `12,500` and `12.500` read as thousands to some and as cents to others, and a
    number right after the amount (`1 2 3`) may be part of it."""
    # The sign of the rouble is written right after the number as often as after a space.
    stripped = typed.replace("₽", " ₽").strip()
    found = _AMOUNT.match(stripped)
    if found is None:
        return None
    rest = stripped[found.end() :]
    if rest and not rest[0].isspace():
        # `12,500`, `12.500`, `1e2`, `1_000`, `12500руб`: separators or letters we do not read.
        return None
    words = rest.split()
    accepted = {currency.lower(), *CURRENCY_WORDS.get(currency.upper(), ())}
    if words and words[0].lower() in accepted:
        words = words[1:]
    elif words and words[0][0].isdigit():
        return None
    amount = _checked(found["whole"], found["cents"])
    if amount is None:
        return None
    return Quoted(amount, " ".join(words))


def parse_amount(typed: str, currency: str = "RUB") -> Decimal | None:
    """A whole text that is one amount (`12 500`, `1500.50`, `12 500 ₽`), or None."""
    quoted = split_amount(typed, currency)
    return quoted.amount if quoted is not None and not quoted.rest else None


def _checked(whole: str, cents: str | None) -> Decimal | None:
    digits = "".join(ch for ch in whole if ch.isdigit())
    try:
        amount = Decimal(f"{digits}.{cents or '0'}")
    except InvalidOperation:
        return None
    if amount <= 0 or amount >= MAX_AMOUNT:
        return None
    return amount.quantize(Decimal("0.01"))


def to_minor(amount: Decimal) -> int:
    return int(amount * 100)


def from_minor(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(Decimal("0.01"))
