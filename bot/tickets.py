"""Repair tickets: their codes, their statuses and the rules every booking obeys."""

from __future__ import annotations

import secrets
import string
from enum import StrEnum

CODE_PREFIX = "SR-"
CODE_ALPHABET = string.digits + string.ascii_uppercase
CODE_LENGTH = 6
MAX_ACTIVE_BOOKINGS = 3


class Status(StrEnum):
    BOOKED = "booked"
    RECEIVED = "received"
    DIAGNOSING = "diagnosing"
    WAITING_PARTS = "waiting_parts"
    REPAIRING = "repairing"
    READY = "ready"
    PICKED_UP = "picked_up"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


FINAL_STATUSES = frozenset({Status.PICKED_UP, Status.CANCELLED, Status.NO_SHOW})
"""A ticket in one of these needs nothing more from anyone."""

SLOT_FREEING_STATUSES = frozenset({Status.CANCELLED})
"""Only a cancelled booking gives its place in the slot back."""


def new_ticket_code() -> str:
    """Random, so codes reveal nothing about volume and cannot be guessed in sequence."""
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def is_ticket_code(text: str) -> bool:
    body = text.removeprefix(CODE_PREFIX)
    return (
        text.startswith(CODE_PREFIX)
        and len(body) == CODE_LENGTH
        and all(char in CODE_ALPHABET for char in body)
    )


def normalize_code(text: str) -> str:
    """Staff type codes as they read them: `sr-7k2q9d`, `7K2Q9D` and `SR-7K2Q9D` are one."""
    code = text.strip().upper()
    return code if code.startswith(CODE_PREFIX) else CODE_PREFIX + code


def can_be_rated(status: Status) -> bool:
    """Feedback is about a finished repair: only a device that was picked up is rated."""
    return status is Status.PICKED_UP


def can_customer_cancel(status: Status) -> bool:
    """A customer may cancel until the device has been dropped off."""
    return status is Status.BOOKED
