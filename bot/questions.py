"""Customers' questions and the answers of a person: who may ask about what, who answers, and
when an unanswered question goes up to head office.

The bot is the only channel: nobody learns anybody else's Telegram id or username. Each
customer has one thread per ticket (and one for questions about no ticket); a question about
an open ticket is answered by that ticket's workshop, anything else by head office. A
workshop's question still unanswered after `QUESTION_SLA_MINUTES` of its opening hours is
escalated to head office. Like `TicketDesk`, every method that writes takes the update that
asked for it (`origin`), so the same update handled again sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.notifications import Kind
from bot.roles import Principal
from bot.status_rules import OPEN_STATUSES
from bot.storage.database import stamp
from bot.storage.questions import MessageRecord, ThreadRecord
from bot.storage.tickets import TicketRecord
from bot.storage.unit_of_work import Storage, UnitOfWork
from bot.tickets import Status, is_ticket_code
from bot.workshops import WEEKDAYS, Network, OpeningHours

MAX_QUESTION = 1000
"""Characters of one question or answer: a person's message, not a document."""

SEARCH_DAYS = 15
"""How far ahead the SLA looks for opening hours; a workshop closed that long has none."""


class Outcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Posted:
    outcome: Outcome
    thread: ThreadRecord | None = None

    @property
    def to_head_office(self) -> bool:
        return self.thread is not None and self.thread.workshop_code is None


def answerer(ticket: TicketRecord | None) -> str | None:
    """The workshop that answers questions about this ticket; None for head office.

    A cancelled, missed or collected ticket is no longer the workshop's business, so
    questions about it (a warranty, a refund) go to head office, which can hand them over.
    """
    if ticket is None or Status(ticket.status) not in OPEN_STATUSES:
        return None
    return ticket.workshop_code


def may_answer(who: Principal, thread: ThreadRecord) -> bool:
    """Head office answers any thread; staff only those their workshop holds."""
    if who.is_head_office:
        return True
    return who.is_staff and thread.workshop_code is not None and (
        who.workshop_code == thread.workshop_code
    )


def answer_due(
    since: datetime, hours: dict[str, OpeningHours], zone: ZoneInfo, minutes: int
) -> datetime:
    """When `minutes` of opening hours will have passed since `since`: nights and closed days
    do not count, so a question asked at 20:00 is due at 10:00 for a workshop opening at 09:00."""
    left = timedelta(minutes=minutes)
    local = since.astimezone(zone)
    day: date = local.date()
    for _ in range(SEARCH_DAYS):
        today = hours.get(WEEKDAYS[day.weekday()])
        if today is not None:
            opens = datetime.combine(day, today.opens, tzinfo=zone)
            closes = datetime.combine(day, today.closes, tzinfo=zone)
            start = max(opens, local)
            if start < closes:
                if start + left <= closes:
                    return (start + left).astimezone(since.tzinfo)
                left -= closes - start
        day += timedelta(days=1)
    return since + timedelta(minutes=minutes)


def still_late(thread: ThreadRecord | None, since: str) -> bool:
    """An escalation queued for the wait that began at `since` is sent only if that very wait
    is still going on: an answer, or a hand-over that restarts the clock, makes it moot."""
    return (
        thread is not None
        and thread.waiting_since is not None
        and stamp(thread.waiting_since) == since
    )


class QuestionDesk:
    def __init__(
        self, storage: Storage, network: Network, clock: Clock, sla_minutes: int
    ) -> None:
        self._storage = storage
        self._network = network
        self._clock = clock
        self._sla_minutes = sla_minutes

    async def ask(
        self,
        customer_id: int,
        code: str | None,
        body: str,
        photo: str | None,
        head_office: Iterable[int],
        origin: int | None = None,
    ) -> Posted:
        """A customer's question, about one of their own tickets or about none."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            threads = uow.threads
            if (earlier := await effects.recall(origin, "question", now)) is not None:
                return Posted(Outcome.DONE, await threads.get(int(earlier)))
            ticket = None
            if code is not None:
                ticket = await uow.tickets.by_code(code) if is_ticket_code(code) else None
                if ticket is None or ticket.customer_id != customer_id:
                    return Posted(Outcome.NOT_FOUND)
            thread = await threads.of_customer(customer_id, ticket.id if ticket else None)
            if thread is None:
                thread_id = await threads.open(
                    customer_id, ticket.id if ticket else None, answerer(ticket), now
                )
                thread = await threads.get(thread_id)
                assert thread is not None
            thread = await self._from_customer(uow, thread, ticket, body, photo, head_office, now)
            await effects.record(origin, "question", thread.id, now)
        return Posted(Outcome.DONE, thread)

    async def post(
        self,
        who: Principal,
        thread_id: int,
        body: str,
        photo: str | None,
        head_office: Iterable[int],
        origin: int | None = None,
    ) -> Posted:
        """The next message of a thread: the customer's follow-up, or an answer to them."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            threads = uow.threads
            if (earlier := await effects.recall(origin, "question_post", now)) is not None:
                return Posted(Outcome.DONE, await threads.get(int(earlier)))
            thread = await threads.get(thread_id)
            if thread is None:
                return Posted(Outcome.NOT_FOUND)
            if thread.customer_id == who.user_id:
                ticket = await uow.tickets.by_id(thread.ticket_id) if thread.ticket_id else None
                thread = await self._from_customer(
                    uow, thread, ticket, body, photo, head_office, now
                )
            elif may_answer(who, thread):
                signed = who.workshop_code if who.is_staff else None
                message_id = await threads.add_message(
                    thread.id, who.user_id, who.role, signed, body, photo, now
                )
                await threads.wait_from(thread.id, None)
                await _queue(uow, Kind.ANSWER, [thread.customer_id], thread, message_id, now)
            else:
                return Posted(Outcome.NOT_FOUND)
            await effects.record(origin, "question_post", thread.id, now)
        return Posted(Outcome.DONE, thread)

    async def _from_customer(
        self,
        uow: UnitOfWork,
        thread: ThreadRecord,
        ticket: TicketRecord | None,
        body: str,
        photo: str | None,
        head_office: Iterable[int],
        now: datetime,
    ) -> ThreadRecord:
        """Record the customer's message and pass it on to whoever answers now."""
        threads = uow.threads
        workshop = answerer(ticket)
        if workshop != thread.workshop_code:
            await threads.route(thread.id, workshop)
        message_id = await threads.add_message(
            thread.id, thread.customer_id, "customer", None, body, photo, now
        )
        if thread.waiting_since is None:
            await threads.wait_from(thread.id, now)
        current = await threads.get(thread.id)
        assert current is not None
        await self._pass_on(uow, current, message_id, str(message_id), head_office, now)
        return current

    async def _pass_on(
        self,
        uow: UnitOfWork,
        thread: ThreadRecord,
        message_id: int,
        cause: str,
        head_office: Iterable[int],
        now: datetime,
    ) -> None:
        """Queue the question to its answerers and, for a workshop, its escalation."""
        chiefs = list(head_office)
        staff = await uow.roles.staff_of(thread.workshop_code) if thread.workshop_code else []
        # A workshop with nobody on the bot yet cannot answer: head office does.
        await _queue(uow, Kind.QUESTION, staff or chiefs, thread, message_id, now, cause)
        if staff and thread.waiting_since is not None and thread.workshop_code is not None:
            due = answer_due(
                thread.waiting_since,
                self._network.workshops[thread.workshop_code].hours,
                self._network.zone(thread.workshop_code),
                self._sla_minutes,
            )
            await _queue(
                uow,
                Kind.QUESTION_LATE,
                chiefs,
                thread,
                message_id,
                now,
                f"{cause}:{stamp(thread.waiting_since)}",
                due_at=due,
                since=stamp(thread.waiting_since),
            )

    async def hand_over(
        self, who: Principal, thread_id: int, head_office: Iterable[int], origin: int | None = None
    ) -> ThreadRecord | None:
        """Head office gives a ticket's question to the ticket's workshop; its clock restarts."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            threads = uow.threads
            if (earlier := await effects.recall(origin, "question_hand_over", now)) is not None:
                return await threads.get(int(earlier))
            thread = await threads.get(thread_id)
            ticket = (
                await uow.tickets.by_id(thread.ticket_id) if thread and thread.ticket_id else None
            )
            if not who.is_head_office or thread is None or ticket is None:
                return None
            question = await threads.last_question(thread.id)
            if question is None or ticket.workshop_code not in self._network.workshops:
                return None
            await threads.route(thread.id, ticket.workshop_code)
            await threads.wait_from(thread.id, now)
            current = await threads.get(thread.id)
            assert current is not None
            await self._pass_on(
                uow, current, question.id, f"handed:{stamp(now)}", head_office, now
            )
            await effects.record(origin, "question_hand_over", thread.id, now)
        return current

    async def thread_for(self, who: Principal, thread_id: int) -> ThreadRecord | None:
        """A thread this person may write in; anyone else's is reported as not found."""
        thread = await self._storage.threads.get(thread_id)
        if thread is None or (thread.customer_id != who.user_id and not may_answer(who, thread)):
            return None
        return thread

    async def thread_of_reply(self, chat_id: int, message_id: int) -> int | None:
        """The thread whose bot message this chat answered with Telegram's reply."""
        return await self._storage.threads.delivered_in(chat_id, message_id)

    async def delivered(self, chat_id: int, message_ids: list[int], thread_id: int) -> None:
        await self._storage.threads.delivered(chat_id, message_ids, thread_id)

    async def waiting(self, workshop_code: str | None = None) -> list[ThreadRecord]:
        return await self._storage.threads.waiting(workshop_code)

    async def message(self, message_id: int) -> MessageRecord | None:
        return await self._storage.threads.message(message_id)

    async def thread(self, thread_id: int) -> ThreadRecord | None:
        return await self._storage.threads.get(thread_id)

    async def last_question(self, thread_id: int) -> MessageRecord | None:
        return await self._storage.threads.last_question(thread_id)

    async def of_ticket(self, ticket: TicketRecord) -> list[MessageRecord]:
        """Every question and answer about a ticket, in order: part of its history."""
        threads = self._storage.threads
        messages = [
            message
            for thread in await threads.of_ticket(ticket.id)
            for message in await threads.messages(thread.id)
        ]
        return sorted(messages, key=lambda message: message.id)


async def _queue(
    uow: UnitOfWork,
    kind: Kind,
    recipients: Iterable[int],
    thread: ThreadRecord,
    message_id: int,
    now: datetime,
    cause: str | None = None,
    due_at: datetime | None = None,
    **params: str,
) -> None:
    outbox = uow.outbox
    for chat_id in recipients:
        await outbox.add(
            key=f"{kind}:{cause or message_id}:{chat_id}",
            chat_id=chat_id,
            kind=kind,
            params={"thread": thread.id, "message": message_id, **params},
            ticket_id=thread.ticket_id,
            due_at=due_at or now,
            now=now,
        )
