"""Ticket codes, the customer's right to cancel, and what may be rated."""

from __future__ import annotations

import re

import pytest

from bot.tickets import (
    Status,
    can_be_rated,
    can_customer_cancel,
    is_ticket_code,
    new_ticket_code,
)

CODE_PATTERN = re.compile(r"^SR-[0-9A-Z]{6}$")


def test_a_new_ticket_code_looks_like_sr_and_six_digits_or_capitals() -> None:
    for _ in range(50):
        code = new_ticket_code()
        assert CODE_PATTERN.fullmatch(code), code
        assert is_ticket_code(code)


def test_a_thousand_new_codes_are_practically_unique() -> None:
    codes = {new_ticket_code() for _ in range(1000)}

    # 36**6 possible codes: a single collision in 1000 has odds of about 1 in 4000.
    assert len(codes) >= 999


@pytest.mark.parametrize(
    "text",
    ["SR-abc123", "SR-12345", "SR-1234567", "XX-123456", "sr-123456", "SR-12 456", "", "SR-"],
)
def test_is_ticket_code_rejects_what_the_pattern_rejects(text: str) -> None:
    assert not CODE_PATTERN.fullmatch(text)
    assert not is_ticket_code(text)


def test_is_ticket_code_accepts_a_hand_typed_code_of_the_right_shape() -> None:
    assert is_ticket_code("SR-0A9Z7K")


def test_a_customer_may_cancel_only_until_the_device_is_dropped_off() -> None:
    assert can_customer_cancel(Status.BOOKED)
    assert not any(can_customer_cancel(status) for status in Status if status is not Status.BOOKED)


def test_only_a_device_that_was_picked_up_may_be_rated() -> None:
    assert [status for status in Status if can_be_rated(status)] == [Status.PICKED_UP]
