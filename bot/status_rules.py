"""Which status a ticket may move to next: the repair process, written down once."""

from __future__ import annotations

from enum import StrEnum

from bot.tickets import FINAL_STATUSES, Status

TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.BOOKED: (Status.RECEIVED, Status.CANCELLED, Status.NO_SHOW),
    Status.RECEIVED: (Status.DIAGNOSING, Status.CANCELLED),
    Status.DIAGNOSING: (Status.WAITING_PARTS, Status.REPAIRING, Status.READY, Status.CANCELLED),
    Status.WAITING_PARTS: (Status.REPAIRING, Status.CANCELLED),
    Status.REPAIRING: (Status.READY, Status.CANCELLED),
    Status.READY: (Status.PICKED_UP, Status.CANCELLED),
    Status.PICKED_UP: (),
    Status.CANCELLED: (),
    Status.NO_SHOW: (),
}
"""Any open status may also be cancelled; a final status is final."""

OPEN_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s not in FINAL_STATUSES)


def next_statuses(status: Status) -> tuple[Status, ...]:
    return TRANSITIONS[status]


def may_move(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[current]


class CancelReason(StrEnum):
    """Why a workshop cancels a ticket; `OTHER` is typed by the staff member."""

    CUSTOMER_ASKED = "customer_asked"
    CANNOT_REPAIR = "cannot_repair"
    NO_PARTS = "no_parts"
    OTHER = "other"


GUARDED: frozenset[Status] = frozenset({Status.CANCELLED, Status.NO_SHOW})
"""Moves that end a customer's repair: staff confirm them before they happen."""


def needs_reason(target: Status) -> bool:
    """A cancelled customer is told why."""
    return target is Status.CANCELLED


def needs_confirmation(target: Status) -> bool:
    return target in GUARDED
