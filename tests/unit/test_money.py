"""Amounts staff type into /quote."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.money import Quoted, from_minor, parse_amount, split_amount, to_minor


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1500", "1500.00"),
        ("1500.5", "1500.50"),
        ("1 500,50", "1500.50"),
        ("0.01", "0.01"),
        ("12500", "12500.00"),
        ("12 500", "12500.00"),
        ("12 500,50", "12500.50"),
        ("12500.50", "12500.50"),
        ("12 500 ₽", "12500.00"),
        ("12 500₽", "12500.00"),
        ("12 500 руб", "12500.00"),
        ("12 500 руб.", "12500.00"),
        ("12 500 RUB", "12500.00"),
        ("12\u00a0500,50", "12500.50"),
        ("12\u202f500", "12500.00"),
        ("1 500 000", "1500000.00"),
    ],
)
def test_amounts_are_read_as_people_write_them(typed: str, amount: str) -> None:
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    "typed",
    [
        "abc",
        "-5",
        "0",
        "1.234",
        "1e2",
        "1_000",
        "NaN",
        "Infinity",
        "1e9",
        "",
        "12,500",
        "12.500",
        "1 2 3",
        "1500 000",
        "12,500.50",
        "100000000",
        "12500руб",
    ],
)
def test_what_is_not_a_clear_amount_is_refused(typed: str) -> None:
    assert parse_amount(typed) is None


@pytest.mark.parametrize(
    ("typed", "amount", "rest"),
    [
        ("12 500,50 Screen", "12500.50", "Screen"),
        ("12 500 ₽ new screen and glue", "12500.00", "new screen and glue"),
        ("12500 руб 2 screens", "12500.00", "2 screens"),
        ("990", "990.00", ""),
    ],
)
def test_the_amount_comes_first_and_the_rest_is_the_comment(
    typed: str, amount: str, rest: str
) -> None:
    assert split_amount(typed) == Quoted(Decimal(amount), rest)


def test_a_number_right_after_the_amount_makes_it_ambiguous() -> None:
    assert split_amount("12 5000 screen") is None
    assert split_amount("12500 2 screens") is None


def test_the_networks_own_currency_code_is_understood() -> None:
    assert split_amount("99,90 eur glass", "EUR") == Quoted(Decimal("99.90"), "glass")


def test_minor_units_round_trip_without_floats() -> None:
    assert from_minor(to_minor(Decimal("1500.50"))) == Decimal("1500.50")
