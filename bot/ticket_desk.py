"""What staff and head office do with tickets: look them up, move them along, estimate.

Every method takes the acting `Principal` and checks its rights itself, so no caller can
forget to. A ticket someone may not see is reported exactly like one that does not exist.
Methods that change something take the Telegram update that asked for it (`origin`): the
same update handled again returns what it did the first time and changes nothing more.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from bot.clock import Clock
from bot.fault_notes import MAX_ATTACHMENTS, Attachment
from bot.money import from_minor, to_minor
from bot.notifications import Kind, tell, tell_customer, tell_workshop
from bot.reminders import DROPOFF_KINDS, ESTIMATE_AFTER, FEEDBACK_AFTER, pickup_schedule
from bot.roles import Principal
from bot.status_rules import OPEN_STATUSES, may_move, next_statuses
from bot.stock import release_reserved
from bot.storage.estimates import EstimateRecord
from bot.storage.tickets import EventRecord, NewTicket, TicketRecord
from bot.storage.unit_of_work import Storage, UnitOfWork
from bot.storage.warranty import WarrantyRecord
from bot.ticket_search import MAX_RESULTS, SearchTerms
from bot.tickets import (
    FINAL_STATUSES,
    Status,
    can_be_rated,
    is_ticket_code,
    new_ticket_code,
    normalize_code,
)
from bot.warranty import CAUSE_STATUSES, Cause
from bot.workshops import Network

JOBS_PAGE_SIZE = 10
LOW_RATING = 2
COMMENT_WINDOW = timedelta(days=1)
"""How long after rating a customer's next plain message is taken as the rating's comment."""
MAX_ETA_DAYS = 365


class Outcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    FORBIDDEN_MOVE = "forbidden_move"
    UNCHANGED = "unchanged"
    BAD_DATE = "bad_date"
    CLOSED = "closed"
    ALLOWED = "allowed"
    """The checks passed and nothing changed yet: what a preview or a confirmation asks."""
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class Moved:
    outcome: Outcome
    ticket: TicketRecord | None = None
    allowed: tuple[Status, ...] = ()


@dataclass(frozen=True)
class JobsPage:
    tickets: list[TicketRecord]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class WalkIn:
    ticket: TicketRecord
    claim_token: str


class TicketDesk:
    def __init__(self, storage: Storage, network: Network, clock: Clock, currency: str) -> None:
        self._storage = storage
        self._network = network
        self._clock = clock
        self.currency = currency

    async def find(self, who: Principal, code: str) -> TicketRecord | None:
        if not is_ticket_code(normalize_code(code)):
            return None
        ticket = await self._storage.tickets.by_code(normalize_code(code))
        return ticket if ticket and who.may_handle(ticket) else None

    async def history(self, ticket: TicketRecord) -> list[EventRecord]:
        return await self._storage.tickets.events(ticket.id)

    async def attachments(self, ticket: TicketRecord) -> list[Attachment]:
        """The customer's photos and video of the fault, in the order they sent them."""
        return await self._storage.attachments.of_ticket(ticket.id)

    async def latest_estimate(self, ticket: TicketRecord) -> EstimateRecord | None:
        return await self._storage.estimates.latest(ticket.id)

    async def estimates(self, ticket: TicketRecord) -> list[EstimateRecord]:
        return await self._storage.estimates.of_ticket(ticket.id)

    async def check_move(self, who: Principal, code: str, target: Status) -> Moved:
        """Whether `move` would do it now: asked before staff confirm a move that hurts."""
        ticket = await self._storage.tickets.by_code(normalize_code(code))
        return refused_move(who, ticket, target) or Moved(Outcome.ALLOWED, ticket)

    async def move(
        self,
        who: Principal,
        code: str,
        target: Status,
        note: str | None,
        origin: int | None = None,
    ) -> Moved:
        """Change a status along the allowed transitions, and tell the customer."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            tickets = uow.tickets
            effects = uow.effects
            if earlier := await effects.ticket(origin, "status", now):
                return Moved(Outcome.DONE, earlier)
            ticket = await tickets.by_code(normalize_code(code))
            if refused := refused_move(who, ticket, target):
                return refused
            assert ticket is not None
            current = Status(ticket.status)
            await tickets.set_status(ticket.id, target, now)
            event_id = await tickets.add_event(
                ticket.id,
                now,
                who.user_id,
                who.role,
                "status",
                from_status=current,
                to_status=target,
                note=note,
            )
            moved = await tickets.by_code(ticket.code)
            assert moved is not None
            await tell_customer(
                uow, moved, Kind.STATUS, str(event_id), now, status=target.value, note=note
            )
            await follow_up(uow, moved, current, target, now)
            if target in FINAL_STATUSES:
                await release_reserved(uow, moved, who.user_id, now)
            await effects.record(origin, "status", moved.id, now)
        return Moved(Outcome.DONE, moved)

    async def set_eta(
        self, who: Principal, code: str, eta: date, origin: int | None = None
    ) -> Moved:
        now = self._clock.now()
        zone = self._network.zone
        async with self._storage.unit() as uow:
            tickets = uow.tickets
            effects = uow.effects
            if earlier := await effects.ticket(origin, "eta", now):
                return Moved(Outcome.DONE, earlier)
            ticket = await tickets.by_code(normalize_code(code))
            if ticket is None or not who.may_handle(ticket):
                return Moved(Outcome.NOT_FOUND)
            if Status(ticket.status) not in OPEN_STATUSES:
                return Moved(Outcome.CLOSED, ticket)
            today = now.astimezone(zone(ticket.workshop_code)).date()
            if not today <= eta <= today + timedelta(days=MAX_ETA_DAYS):
                return Moved(Outcome.BAD_DATE, ticket)
            await tickets.set_eta(ticket.id, eta, now)
            event_id = await tickets.add_event(
                ticket.id, now, who.user_id, who.role, "eta", note=eta.isoformat()
            )
            updated = await tickets.by_code(ticket.code)
            assert updated is not None
            await tell_customer(uow, updated, Kind.ETA, str(event_id), now, eta=eta.isoformat())
            await effects.record(origin, "eta", updated.id, now)
        return Moved(Outcome.DONE, updated)

    async def check_quote(self, who: Principal, code: str) -> Moved:
        """Whether `quote` would send an estimate now: asked before the preview."""
        ticket = await self._storage.tickets.by_code(normalize_code(code))
        return refused_quote(who, ticket) or Moved(Outcome.ALLOWED, ticket)

    async def quote(
        self,
        who: Principal,
        code: str,
        amount: Decimal,
        comment: str | None,
        origin: int | None = None,
    ) -> Moved:
        """Record an estimate and ask the customer to approve or decline it."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            tickets = uow.tickets
            effects = uow.effects
            if earlier := await effects.ticket(origin, "quote", now):
                return Moved(Outcome.DONE, earlier)
            ticket = await tickets.by_code(normalize_code(code))
            if refused := refused_quote(who, ticket):
                return refused
            assert ticket is not None
            if (await uow.warranties.of_ticket(ticket.id)).confirmed:
                await self._free_estimate(uow, who, ticket, comment, now)
                await effects.record(origin, "quote", ticket.id, now)
                return Moved(Outcome.DONE, ticket)
            estimate_id = await uow.estimates.add(
                ticket.id, to_minor(amount), self.currency, comment, who.user_id, now
            )
            await tickets.add_event(
                ticket.id,
                now,
                who.user_id,
                who.role,
                "estimate",
                note=f"{amount} {self.currency}" + (f": {comment}" if comment else ""),
            )
            await tell_customer(
                uow,
                ticket,
                Kind.ESTIMATE,
                str(estimate_id),
                now,
                estimate_id=estimate_id,
                amount=str(amount),
                currency=self.currency,
                comment=comment,
            )
            await tell_customer(
                uow,
                ticket,
                Kind.ESTIMATE_REMINDER,
                str(estimate_id),
                now,
                due_at=now + ESTIMATE_AFTER,
                estimate_id=estimate_id,
                amount=str(amount),
                currency=self.currency,
            )
            await effects.record(origin, "quote", ticket.id, now)
        return Moved(Outcome.DONE, ticket)

    async def _free_estimate(
        self,
        uow: UnitOfWork,
        who: Principal,
        ticket: TicketRecord,
        comment: str | None,
        now: datetime,
    ) -> None:
        """A confirmed warranty repair has no price to approve: the customer is told it is
        free, and any paid estimate still waiting for an answer is withdrawn."""
        await uow.estimates.supersede_pending(ticket.id, now)
        event_id = await uow.tickets.add_event(
            ticket.id, now, who.user_id, who.role, "estimate_warranty", note=comment
        )
        await tell_customer(
            uow, ticket, Kind.ESTIMATE, f"warranty:{event_id}", now, warranty=True, comment=comment
        )

    async def warranty(self, ticket: TicketRecord) -> WarrantyRecord:
        """What the customer said about the purchase, and staff's confirmation and cause."""
        return await self._storage.warranties.of_ticket(ticket.id)

    async def confirm_warranty(
        self,
        who: Principal,
        code: str,
        covered: bool,
        reason: str | None,
        origin: int | None = None,
    ) -> Moved:
        """Staff's word, after the receipt or the serial, on whether the repair is covered;
        it may be changed while the ticket is open, and the customer is told each time."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            tickets = uow.tickets
            effects = uow.effects
            if earlier := await effects.ticket(origin, "warranty", now):
                return Moved(Outcome.DONE, earlier)
            ticket = await tickets.by_code(normalize_code(code))
            if refused := refused_quote(who, ticket):
                return refused
            assert ticket is not None
            await uow.warranties.confirm(ticket.id, covered, reason, who.user_id, now)
            answer = "yes" if covered else "no"
            event_id = await tickets.add_event(
                ticket.id,
                now,
                who.user_id,
                who.role,
                "warranty",
                note=f"{answer}: {reason}" if reason else answer,
            )
            await tell_customer(
                uow, ticket, Kind.WARRANTY, str(event_id), now, covered=covered, reason=reason
            )
            await effects.record(origin, "warranty", ticket.id, now)
        return Moved(Outcome.DONE, ticket)

    async def record_cause(
        self, who: Principal, code: str, cause: Cause, origin: int | None = None
    ) -> Moved:
        """Why the product broke, from diagnosis until pickup; the latest answer counts."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            tickets = uow.tickets
            effects = uow.effects
            if earlier := await effects.ticket(origin, "cause", now):
                return Moved(Outcome.DONE, earlier)
            ticket = await tickets.by_code(normalize_code(code))
            if ticket is None or not who.may_handle(ticket):
                return Moved(Outcome.NOT_FOUND)
            if Status(ticket.status) not in CAUSE_STATUSES:
                return Moved(Outcome.CLOSED, ticket)
            await uow.warranties.set_cause(ticket.id, cause, who.user_id, now)
            await tickets.add_event(ticket.id, now, who.user_id, who.role, "cause", note=cause)
            await effects.record(origin, "cause", ticket.id, now)
        return Moved(Outcome.DONE, ticket)

    async def answer_estimate(
        self, customer_id: int, estimate_id: int, approved: bool, origin: int | None = None
    ) -> tuple[Outcome, TicketRecord | None, EstimateRecord | None]:
        """The customer's answer, recorded once while the ticket is open, and passed on to the
        workshop."""
        now = self._clock.now()
        answer = "approved" if approved else "declined"
        async with self._storage.unit() as uow:
            estimates = uow.estimates
            estimate = await estimates.get(estimate_id)
            tickets = uow.tickets
            ticket = await tickets.by_id(estimate.ticket_id) if estimate else None
            if estimate is None or ticket is None or ticket.customer_id != customer_id:
                return Outcome.NOT_FOUND, None, None
            effects = uow.effects
            if await effects.recall(origin, "estimate_answer", now) is not None:
                return Outcome.DONE, ticket, estimate
            if Status(ticket.status) not in OPEN_STATUSES:
                return Outcome.CLOSED, ticket, estimate
            if estimate.answer == "superseded":
                return Outcome.SUPERSEDED, ticket, estimate
            if not await estimates.answer(estimate_id, answer, now):
                return Outcome.UNCHANGED, ticket, estimate
            event_id = await tickets.add_event(
                ticket.id,
                now,
                customer_id,
                "customer",
                f"estimate_{answer}",
                note=f"{from_minor(estimate.amount_minor)} {estimate.currency}",
            )
            await tell_workshop(
                uow,
                ticket,
                Kind.ESTIMATE_ANSWER,
                str(event_id),
                now,
                answer=answer,
                amount_minor=estimate.amount_minor,
                currency=estimate.currency,
            )
            await effects.record(origin, "estimate_answer", estimate_id, now)
        return Outcome.DONE, ticket, estimate

    async def rate(
        self,
        customer_id: int,
        code: str,
        stars: int,
        head_office: Iterable[int],
        origin: int | None = None,
    ) -> bool:
        """Record a rating of the customer's own picked-up ticket once; a low one alerts head
        office in the same transaction."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            tickets = uow.tickets
            ticket = await tickets.by_code(normalize_code(code))
            if (
                ticket is None
                or ticket.customer_id != customer_id
                or not can_be_rated(Status(ticket.status))
            ):
                return False
            effects = uow.effects
            if await effects.recall(origin, "rating", now) is not None:
                return True
            if not await uow.feedback.rate(ticket.id, customer_id, stars, now):
                return False
            await tickets.add_event(
                ticket.id, now, customer_id, "customer", "rated", note=str(stars)
            )
            if stars <= LOW_RATING:
                await tell(
                    uow, head_office, ticket, Kind.FEEDBACK_ALERT, "rating", now, rating=stars
                )
            await effects.record(origin, "rating", ticket.id, now)
        return True

    async def remember_feedback_prompt(self, code: str, message_id: int) -> None:
        ticket = await self._storage.tickets.by_code(normalize_code(code))
        if ticket is not None:
            await self._storage.feedback.set_prompt(ticket.id, message_id)

    async def comment_feedback(
        self,
        customer_id: int,
        prompt_message_id: int | None,
        comment: str,
        head_office: Iterable[int],
        origin: int | None = None,
    ) -> bool:
        """A comment on a rating; head office hears it too when the rating was low.

        A reply to our thanks for the rating is its comment; any other message is the
        comment on the customer's latest rating within `COMMENT_WINDOW`, if not given yet:
        people rarely use Telegram's reply gesture.
        """
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            if await effects.recall(origin, "feedback_comment", now) is not None:
                return True
            feedback = uow.feedback
            ticket_id = (
                await feedback.comment_on_prompt(customer_id, prompt_message_id, comment)
                if prompt_message_id is not None
                else None
            )
            if ticket_id is None:
                ticket_id = await feedback.comment_on_latest(
                    customer_id, now - COMMENT_WINDOW, comment
                )
            tickets = uow.tickets
            ticket = await tickets.by_id(ticket_id) if ticket_id is not None else None
            if ticket is None:
                return False
            await tickets.add_event(
                ticket.id, now, customer_id, "customer", "comment", note=comment
            )
            rating = await feedback.rating(ticket.id)
            if rating is not None and rating <= LOW_RATING:
                await tell(
                    uow,
                    head_office,
                    ticket,
                    Kind.FEEDBACK_ALERT,
                    "comment",
                    now,
                    rating=rating,
                    comment=comment,
                )
            await effects.record(origin, "feedback_comment", ticket.id, now)
        return True

    async def walk_in(
        self, who: Principal, category: str, description: str | None, origin: int | None = None
    ) -> WalkIn:
        """A ticket for someone who came in without the bot, and a link to claim it."""
        assert who.workshop_code is not None
        now = self._clock.now()
        token = secrets.token_urlsafe(18)
        async with self._storage.unit() as uow:
            tickets = uow.tickets
            effects = uow.effects
            if earlier := await effects.ticket(origin, "walk_in", now):
                earlier_token = await uow.claims.token_of(earlier.id)
                assert earlier_token is not None
                return WalkIn(earlier, earlier_token)
            code = new_ticket_code()
            while await tickets.code_taken(code):
                code = new_ticket_code()
            ticket_id = await tickets.insert(
                NewTicket(
                    code=code,
                    customer_id=None,
                    workshop_code=who.workshop_code,
                    category=category,
                    slot_start=None,
                    status=Status.RECEIVED,
                    phone=None,
                    case_id=None,
                    description=description,
                ),
                now,
            )
            await tickets.add_event(
                ticket_id,
                now,
                who.user_id,
                who.role,
                "walk_in",
                to_status=Status.RECEIVED,
                note=description,
            )
            await uow.claims.add(token, ticket_id, now)
            await effects.record(origin, "walk_in", ticket_id, now)
            ticket = await tickets.by_code(code)
        assert ticket is not None
        return WalkIn(ticket, token)

    async def claim(
        self, user_id: int, token: str, origin: int | None = None
    ) -> TicketRecord | None:
        """Bind a walk-in ticket to the customer who opened its link; a link works once."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            if earlier := await effects.ticket(origin, "claim", now):
                return earlier
            ticket_id = await uow.claims.use(token, user_id, now)
            tickets = uow.tickets
            ticket = await tickets.by_id(ticket_id) if ticket_id is not None else None
            if ticket is None or ticket.customer_id is not None:
                return None
            await tickets.bind_customer(ticket.id, user_id, now)
            await tickets.add_event(ticket.id, now, user_id, "customer", "claimed")
            await effects.record(origin, "claim", ticket.id, now)
            return await tickets.by_id(ticket.id)

    async def describe(
        self,
        customer_id: int,
        code: str,
        words: str | None,
        attachments: Sequence[Attachment],
        origin: int | None = None,
    ) -> TicketRecord | None:
        """The customer's own account of their ticket's fault (a walk-in's, once claimed),
        added to what the workshop noted; None for a ticket that is not theirs."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            if earlier := await effects.ticket(origin, "described", now):
                return earlier
            tickets = uow.tickets
            ticket = await tickets.by_code(normalize_code(code))
            if ticket is None or ticket.customer_id != customer_id:
                return None
            if words:
                joined = f"{ticket.description}\n{words}" if ticket.description else words
                await tickets.set_description(ticket.id, joined, now)
            stored = uow.attachments
            room = MAX_ATTACHMENTS - len(await stored.of_ticket(ticket.id))
            await stored.add(ticket.id, list(attachments)[: max(room, 0)], now)
            await tickets.add_event(
                ticket.id, now, customer_id, "customer", "described", note=words
            )
            await effects.record(origin, "described", ticket.id, now)
            return await tickets.by_id(ticket.id)

    async def jobs(
        self, who: Principal, workshop_code: str | None, status: Status | None, page: int
    ) -> JobsPage:
        """Open tickets, oldest first: staff see their workshop, head office any or all."""
        scope = who.workshop_code if who.is_staff else workshop_code
        statuses = [status] if status is not None else list(OPEN_STATUSES)
        tickets = self._storage.tickets
        total = await tickets.count_of_workshop(scope, statuses)
        pages = max(1, -(-total // JOBS_PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        found = await tickets.of_workshop(scope, statuses, JOBS_PAGE_SIZE, page * JOBS_PAGE_SIZE)
        return JobsPage(found, page, pages, total)

    async def search(self, who: Principal, terms: SearchTerms) -> list[TicketRecord]:
        """Tickets of the caller's scope matching any reading of what they typed: the code
        first, then the newest by phone or by words."""
        scope = who.workshop_code if who.is_staff else None
        # Phone and words scan every ticket in scope: aside, so customers are not held up.
        tickets = self._storage.aside.tickets
        found: dict[int, TicketRecord] = {}
        if terms.code and (ticket := await tickets.by_code(terms.code)):
            found[ticket.id] = ticket
        if terms.phone:
            for ticket in await tickets.with_phone(scope, terms.phone, MAX_RESULTS):
                found.setdefault(ticket.id, ticket)
        if terms.words:
            for ticket in await tickets.with_words(scope, terms.words, MAX_RESULTS):
                found.setdefault(ticket.id, ticket)
        return [ticket for ticket in found.values() if who.may_handle(ticket)][:MAX_RESULTS]

    async def today(self, who: Principal) -> list[TicketRecord]:
        """Drop-offs expected today at the staff member's workshop, by time."""
        assert who.workshop_code is not None
        zone = self._network.zone(who.workshop_code)
        today = self._clock.now().astimezone(zone).date()
        start = datetime.combine(today, datetime.min.time(), tzinfo=zone)
        return await self._storage.tickets.dropoffs(
            who.workshop_code, start, start + timedelta(days=1), [Status.BOOKED, Status.RECEIVED]
        )


def refused_move(who: Principal, ticket: TicketRecord | None, target: Status) -> Moved | None:
    """Why `who` may not move `ticket` to `target` now, or None if they may."""
    if ticket is None or not who.may_handle(ticket):
        return Moved(Outcome.NOT_FOUND)
    current = Status(ticket.status)
    if not may_move(current, target):
        return Moved(Outcome.FORBIDDEN_MOVE, ticket, next_statuses(current))
    return None


def refused_quote(who: Principal, ticket: TicketRecord | None) -> Moved | None:
    """Why `who` may not estimate `ticket` now, or None if they may."""
    if ticket is None or not who.may_handle(ticket):
        return Moved(Outcome.NOT_FOUND)
    if Status(ticket.status) not in OPEN_STATUSES:
        return Moved(Outcome.CLOSED, ticket)
    return None


async def follow_up(
    uow: UnitOfWork, ticket: TicketRecord, before: Status, after: Status, now: datetime
) -> None:
    """What a status change schedules, and what it makes pointless."""
    if before is Status.BOOKED:
        await uow.outbox.skip_for_ticket(ticket.id, DROPOFF_KINDS, now, f"now {after}")
    if after is Status.READY:
        for number, due_at in enumerate(pickup_schedule(now), start=1):
            await tell_customer(
                uow, ticket, Kind.PICKUP_REMINDER, f"{ticket.id}:{number}", now, due_at=due_at
            )
    if after is Status.PICKED_UP:
        await tell_customer(
            uow, ticket, Kind.FEEDBACK, str(ticket.id), now, due_at=now + FEEDBACK_AFTER
        )
