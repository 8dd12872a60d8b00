"""Which status a ticket may move to next: the repair process, written down once."""

from __future__ import annotations

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
