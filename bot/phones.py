"""Phone numbers as people type them, checked and kept in one form (E.164)."""

from __future__ import annotations

import phonenumbers

MAX_TYPED = 40
"""Longer text is not a phone number; it is not worth parsing."""


def typed_number(typed: str, region: str) -> str | None:
    """The number in E.164 (`+79161234567`), or None if it cannot be dialled.

    A number without a country code is read as one of `region` (ISO code, e.g. RU), so the
    Russian trunk prefix in `8 (916) 1234567` is understood.
    """
    if not typed.strip() or len(typed) > MAX_TYPED:
        return None
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_number(shared: str, region: str) -> str:
    """A number shared with Telegram's contact button, in E.164 when it can be read.

    Telegram sends it in international form, often without the `+`; Telegram has checked it,
    so a number the library does not know is kept as sent rather than lost.
    """
    international = shared if shared.startswith("+") else f"+{shared}"
    return typed_number(international, region) or shared


def readable(stored: str) -> str:
    """A stored number as people write it (`+7 916 123-45-67`), to check at a glance."""
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
