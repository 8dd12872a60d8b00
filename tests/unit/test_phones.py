"""Phone numbers as people type them, read in the network's country."""

from __future__ import annotations

import pytest

from bot.phones import contact_number, readable, typed_number


@pytest.mark.parametrize("typed", ["+7 916 123-45-67", "8 (916) 1234567", "89161234567"])
def test_a_russian_mobile_number_typed_in_any_usual_form_is_stored_in_e164(typed: str) -> None:
    assert typed_number(typed, "RU") == "+79161234567"


def test_a_number_with_its_own_country_code_keeps_that_country() -> None:
    assert typed_number("+44 20 7946 0958", "RU") == "+442079460958"


@pytest.mark.parametrize(
    "typed", ["12345", "+7 916 123", "8 916 123 45 67 89 00", "call me", "", "+" + "9" * 200]
)
def test_a_number_that_cannot_be_dialled_is_refused(typed: str) -> None:
    assert typed_number(typed, "RU") is None


def test_a_number_without_a_country_code_is_read_in_the_default_region() -> None:
    assert typed_number("030 1234567", "DE") == "+49301234567"


@pytest.mark.parametrize("shared", ["79161234567", "+79161234567"])
def test_a_shared_contact_is_stored_in_e164_whether_or_not_telegram_gave_a_plus(
    shared: str,
) -> None:
    assert contact_number(shared, "RU") == "+79161234567"


def test_a_shared_contact_telegram_vouches_for_is_kept_even_if_unknown_to_the_library() -> None:
    assert contact_number("8888", "RU") == "8888"


def test_a_stored_number_is_shown_grouped_as_people_write_it() -> None:
    assert readable("+79161234567") == "+7 916 123-45-67"


def test_a_stored_number_the_library_cannot_read_is_shown_as_stored() -> None:
    assert readable("8888") == "8888"
