"""Amounts of money: exact decimals in the network's currency, stored in minor units."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_AMOUNT = Decimal("100000000")


def parse_amount(text: str) -> Decimal | None:
    """`1500`, `1500.50`, `1 500,50`: what staff type; None unless a positive amount in cents."""
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,2})?", cleaned):
        # Decimal would also take "1e2", "1_000" and "NaN"; staff mean none of them.
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT:
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def to_minor(amount: Decimal) -> int:
    return int(amount * 100)


def from_minor(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(Decimal("0.01"))
