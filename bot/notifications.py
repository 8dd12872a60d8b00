"""Who hears about what happened to a ticket.

Nothing is sent from here: each message is written to the outbox inside the caller's
transaction, so the change and the promise to tell people about it commit together.
The key names the cause, so the same cause never queues the same message twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.storage.tickets import TicketRecord
from bot.storage.unit_of_work import UnitOfWork


class Kind(StrEnum):
    STATUS = "status"
    ETA = "eta"
    ESTIMATE = "estimate"
    ESTIMATE_ANSWER = "estimate_answer"
    WARRANTY = "warranty"
    """Staff's word on whether the repair is covered by warranty, to the customer."""
    NEW_BOOKING = "new_booking"
    BOOKING_CANCELLED = "booking_cancelled"
    RESCHEDULED = "rescheduled"
    DROPOFF_EVENING = "dropoff_evening"
    DROPOFF_SOON = "dropoff_soon"
    NO_SHOW_CHECK = "no_show_check"
    PICKUP_REMINDER = "pickup_reminder"
    ESTIMATE_REMINDER = "estimate_reminder"
    FEEDBACK = "feedback"
    FEEDBACK_ALERT = "feedback_alert"
    DIGEST = "digest"
    QUESTION = "question"
    """A customer's question, to the workshop's staff or head office."""
    ANSWER = "answer"
    """An answer to the customer: they asked, so it goes at once, even in quiet hours."""
    QUESTION_LATE = "question_late"
    """A workshop's question unanswered in time, to head office."""
    PART_AWAITED = "part_awaited"
    """To the customer: the repair waits for a part head office is asked for."""
    PART_ON_WAY = "part_on_way"
    """To the customer: head office sent the part, expected on a date (or soon)."""
    PART_ARRIVED = "part_arrived"
    """To the customer: the part is at the workshop and the repair goes on."""
    PART_REQUESTED = "part_requested"
    """To head office: a workshop asks for a part it lacks."""
    PART_SHIPPED = "part_shipped"
    """To the workshop: head office sent the part it asked for."""
    REPLY = "reply"
    """An answer Telegram told us to make later (429 in that chat): its method and request."""


async def tell(
    uow: UnitOfWork,
    recipients: Iterable[int],
    ticket: TicketRecord,
    kind: Kind,
    cause: str,
    now: datetime,
    due_at: datetime | None = None,
    **params: Any,
) -> None:
    """Queue one message per recipient, keyed by kind, cause, ticket and recipient."""
    outbox = uow.outbox
    for chat_id in recipients:
        await outbox.add(
            key=f"{kind}:{cause}:{ticket.id}:{chat_id}",
            chat_id=chat_id,
            kind=kind,
            params={"code": ticket.code, **params},
            ticket_id=ticket.id,
            due_at=due_at or now,
            now=now,
        )


async def tell_customer(
    uow: UnitOfWork,
    ticket: TicketRecord,
    kind: Kind,
    cause: str,
    now: datetime,
    due_at: datetime | None = None,
    **params: Any,
) -> None:
    """Queue a message to the ticket's customer; a walk-in nobody claimed yet hears nothing."""
    customers = [] if ticket.customer_id is None else [ticket.customer_id]
    await tell(uow, customers, ticket, kind, cause, now, due_at, **params)


async def tell_workshop(
    uow: UnitOfWork,
    ticket: TicketRecord,
    kind: Kind,
    cause: str,
    now: datetime,
    due_at: datetime | None = None,
    **params: Any,
) -> None:
    """Queue a message to every staff member of the ticket's workshop."""
    staff = await uow.roles.staff_of(ticket.workshop_code)
    await tell(uow, staff, ticket, kind, cause, now, due_at, **params)
