"""Amounts staff type into /quote."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.money import from_minor, parse_amount, to_minor


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1500", "1500.00"), ("1500.5", "1500.50"), ("1 500,50", "1500.50"), ("0.01", "0.01")],
)
def test_amounts_are_read_as_exact_decimals(typed: str, amount: str) -> None:
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    "typed", ["abc", "-5", "0", "1.234", "1e2", "1_000", "NaN", "Infinity", "1e9", ""]
)
def test_what_is_not_a_plain_amount_is_refused(typed: str) -> None:
    assert parse_amount(typed) is None


def test_minor_units_round_trip_without_floats() -> None:
    assert from_minor(to_minor(Decimal("1500.50"))) == Decimal("1500.50")
