"""Booking a drop-off: free slots, the capacity and per-customer limits, and cancelling.

Every check that decides whether a booking may be made runs inside the same write
transaction as the insert, so two customers racing for the last place cannot both win.
Each change notes the Telegram update that asked for it (`origin`), so the same update
handled again after a crash finds the earlier result instead of booking or moving twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.fault_notes import Attachment
from bot.fault_reports import Outcome, Step
from bot.notifications import Kind, tell_customer, tell_workshop
from bot.reminders import DROPOFF_KINDS, dropoff_schedule
from bot.slots import BOOKING_HORIZON_DAYS, bookable_days, free_slots, horizon, is_bookable
from bot.storage.tickets import NewTicket, TicketRecord
from bot.storage.unit_of_work import Storage, UnitOfWork
from bot.tickets import (
    MAX_ACTIVE_BOOKINGS,
    SLOT_FREEING_STATUSES,
    Status,
    can_customer_cancel,
    new_ticket_code,
)
from bot.warranty import PurchaseAge
from bot.workshops import Network

CUSTOMER = "customer"
BOOKING = "booking"
"""What a booking update made, for `UpdateEffects`."""
MY_BOOKINGS_LIMIT = 10


class Refusal(StrEnum):
    SLOT_FULL = "slot_full"
    SLOT_GONE = "slot_gone"
    TOO_MANY_BOOKINGS = "too_many_bookings"
    NOT_SERVED = "not_served"


@dataclass(frozen=True)
class BookingRequest:
    customer_id: int
    workshop_code: str
    category: str
    slot_start: datetime
    phone: str | None
    case_id: int | None
    path: list[Step]
    description: str | None = None
    """The fault in the customer's own words; photos and videos in `attachments`."""
    attachments: tuple[Attachment, ...] = ()
    purchase_age: PurchaseAge | None = None
    """When the product was bought, as the customer answered: its warranty is judged by it."""


class CancelResult(StrEnum):
    CANCELLED = "cancelled"
    ALREADY_CANCELLED = "already_cancelled"
    NOT_FOUND = "not_found"
    TOO_LATE = "too_late"


class Bookings:
    def __init__(self, storage: Storage, network: Network, clock: Clock) -> None:
        self._storage = storage
        self._network = network
        self._clock = clock

    async def _load(self, code: str) -> dict[datetime, int]:
        zone = self._network.zone(code)
        days = horizon(zone, self._clock.now())
        since = datetime.combine(days[0], datetime.min.time(), tzinfo=zone)
        return await self._storage.tickets.slot_load(
            code, since, since + timedelta(days=BOOKING_HORIZON_DAYS + 1), SLOT_FREEING_STATUSES
        )

    async def open_days(self, code: str) -> list[date]:
        workshop = self._network.workshops[code]
        return bookable_days(
            workshop, self._network.zone(code), self._clock.now(), await self._load(code)
        )

    def today(self, code: str) -> date:
        """The workshop's own date now, which day buttons call "Today"."""
        return self._clock.now().astimezone(self._network.zone(code)).date()

    def within_horizon(self, code: str, day: date) -> bool:
        """Whether bookings at this workshop may fall on `day` today; a day button from
        another week, or a forged one, may not even be shown."""
        return day in horizon(self._network.zone(code), self._clock.now())

    async def free_slots(self, code: str, day: date) -> list[datetime]:
        workshop = self._network.workshops[code]
        return free_slots(
            workshop, self._network.zone(code), day, self._clock.now(), await self._load(code)
        )

    async def active_bookings(self, customer_id: int) -> int:
        return await self._storage.tickets.count_of_customer(customer_id, [Status.BOOKED])

    async def booked_by(self, origin: int) -> TicketRecord | None:
        """The booking this update made, if it was handled before."""
        return await self._storage.effects.ticket(origin, BOOKING, self._clock.now())

    async def book(
        self, request: BookingRequest, origin: int | None = None
    ) -> TicketRecord | Refusal:
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            if earlier := await effects.ticket(origin, BOOKING, now):
                return earlier
            workshop = self._network.get(request.workshop_code)
            if workshop is None or request.category not in workshop.categories:
                return Refusal.NOT_SERVED
            if not is_bookable(
                workshop, self._network.zone(workshop.code), request.slot_start, now
            ):
                return Refusal.SLOT_GONE
            tickets = uow.tickets
            if (
                await tickets.count_of_customer(request.customer_id, [Status.BOOKED])
                >= MAX_ACTIVE_BOOKINGS
            ):
                return Refusal.TOO_MANY_BOOKINGS
            load = await tickets.slot_load(
                workshop.code,
                request.slot_start,
                request.slot_start + timedelta(seconds=1),
                SLOT_FREEING_STATUSES,
            )
            if load.get(request.slot_start, 0) >= workshop.slot_capacity:
                return Refusal.SLOT_FULL
            code = new_ticket_code()
            while await tickets.code_taken(code):
                code = new_ticket_code()
            ticket_id = await tickets.insert(
                NewTicket(
                    code=code,
                    customer_id=request.customer_id,
                    workshop_code=workshop.code,
                    category=request.category,
                    slot_start=request.slot_start,
                    status=Status.BOOKED,
                    phone=request.phone,
                    case_id=request.case_id,
                    description=request.description,
                ),
                now,
            )
            await uow.attachments.add(ticket_id, request.attachments, now)
            if request.purchase_age is not None:
                await uow.warranties.set_purchase_age(ticket_id, request.purchase_age)
            event_id = await tickets.add_event(
                ticket_id, now, request.customer_id, CUSTOMER, "booked", to_status=Status.BOOKED
            )
            if request.case_id is not None:
                await uow.cases.close(request.case_id, Outcome.BOOKED, request.path, now)
            ticket = await tickets.by_code(code)
            assert ticket is not None
            await tell_workshop(uow, ticket, Kind.NEW_BOOKING, str(event_id), now)
            await schedule_dropoff_reminders(uow, ticket, self._network.zone(workshop.code), now)
            await effects.record(origin, BOOKING, ticket.id, now)
        return ticket

    async def of_customer(self, customer_id: int) -> list[TicketRecord]:
        return await self._storage.tickets.of_customer(customer_id, MY_BOOKINGS_LIMIT)

    async def ticket_of_customer(self, customer_id: int, code: str) -> TicketRecord | None:
        """A customer's own ticket; someone else's is reported as not found."""
        ticket = await self._storage.tickets.by_code(code)
        return ticket if ticket and ticket.customer_id == customer_id else None

    async def cancel(self, customer_id: int, code: str, origin: int | None = None) -> CancelResult:
        now = self._clock.now()
        async with self._storage.unit() as uow:
            tickets = uow.tickets
            ticket = await tickets.by_code(code)
            if ticket is None or ticket.customer_id != customer_id:
                return CancelResult.NOT_FOUND
            effects = uow.effects
            if await effects.recall(origin, "cancel", now) is not None:
                return CancelResult.CANCELLED
            if ticket.status == Status.CANCELLED:
                return CancelResult.ALREADY_CANCELLED
            if not can_customer_cancel(Status(ticket.status)):
                return CancelResult.TOO_LATE
            await tickets.set_status(ticket.id, Status.CANCELLED, now)
            event_id = await tickets.add_event(
                ticket.id,
                now,
                customer_id,
                CUSTOMER,
                "status",
                from_status=ticket.status,
                to_status=Status.CANCELLED,
            )
            await tell_workshop(uow, ticket, Kind.BOOKING_CANCELLED, str(event_id), now)
            await uow.outbox.skip_for_ticket(ticket.id, DROPOFF_KINDS, now, "booking cancelled")
            await effects.record(origin, "cancel", ticket.id, now)
        return CancelResult.CANCELLED

    async def confirm_attendance(
        self, customer_id: int, ticket: TicketRecord, origin: int | None = None
    ) -> bool:
        """The customer said they will come: the workshop sees it in the history.

        Only for a booking whose drop-off time is still ahead; after it, whether they came is
        the workshop's to say.
        """
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            if await effects.recall(origin, "will_come", now) is not None:
                return True
            if (
                ticket.status != Status.BOOKED
                or ticket.slot_start is None
                or ticket.slot_start <= now
            ):
                return False
            await uow.tickets.add_event(ticket.id, now, customer_id, CUSTOMER, "will_come")
            await effects.record(origin, "will_come", ticket.id, now)
        return True

    async def reschedule(
        self, customer_id: int, code: str, start: datetime, origin: int | None = None
    ) -> TicketRecord | Refusal | CancelResult:
        """Move a booking to another free slot of the same workshop, reminders and all."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            if earlier := await effects.ticket(origin, "reschedule", now):
                return earlier
            tickets = uow.tickets
            ticket = await tickets.by_code(code)
            if ticket is None or ticket.customer_id != customer_id:
                return CancelResult.NOT_FOUND
            if not can_customer_cancel(Status(ticket.status)):
                return CancelResult.TOO_LATE
            workshop = self._network.get(ticket.workshop_code)
            if workshop is None:
                return Refusal.NOT_SERVED
            zone = self._network.zone(workshop.code)
            if not is_bookable(workshop, zone, start, now):
                return Refusal.SLOT_GONE
            load = await tickets.slot_load(
                workshop.code, start, start + timedelta(seconds=1), SLOT_FREEING_STATUSES
            )
            if start != ticket.slot_start and load.get(start, 0) >= workshop.slot_capacity:
                return Refusal.SLOT_FULL
            await tickets.move_slot(ticket.id, start, now)
            event_id = await tickets.add_event(
                ticket.id, now, customer_id, CUSTOMER, "rescheduled", note=start.isoformat()
            )
            await uow.outbox.skip_for_ticket(ticket.id, DROPOFF_KINDS, now, "rescheduled")
            moved = await tickets.by_id(ticket.id)
            assert moved is not None
            await schedule_dropoff_reminders(uow, moved, zone, now)
            await tell_workshop(uow, moved, Kind.RESCHEDULED, str(event_id), now)
            await effects.record(origin, "reschedule", moved.id, now)
        return moved


async def schedule_dropoff_reminders(
    uow: UnitOfWork, ticket: TicketRecord, zone: ZoneInfo, now: datetime
) -> None:
    """The customer's reminders before the slot and the workshop's no-show check after it."""
    assert ticket.slot_start is not None
    cause = f"{ticket.id}:{int(ticket.slot_start.timestamp())}"
    for kind, due_at in dropoff_schedule(ticket.slot_start, zone, now):
        tell = tell_workshop if kind is Kind.NO_SHOW_CHECK else tell_customer
        await tell(uow, ticket, kind, cause, now, due_at=due_at)
