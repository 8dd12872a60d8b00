"""The question desk against a real SQLite file: routing, rights, the SLA and replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.notifications import Kind
from bot.questions import Outcome, QuestionDesk
from bot.roles import Principal, Role
from bot.storage.customers import Customers
from bot.storage.database import Database
from bot.storage.outbox import Outbox
from bot.storage.questions import Threads
from bot.storage.roles import Roles
from bot.storage.tickets import NewTicket, Tickets
from bot.storage.unit_of_work import Storage
from bot.tickets import Status
from bot.workshops import Network
from tests.support.clock import FakeClock

ANNA = 1001
BORIS = 1002
MECHANIC = 7001
STRANGER = 7002
HEAD_OFFICE = 9000


@pytest.fixture
async def desk(db: Database, network: Network, clock: FakeClock) -> QuestionDesk:
    roles = Roles(db)
    await roles.set_staff(MECHANIC, "MSK-CENTER", HEAD_OFFICE, clock.now())
    await roles.set_staff(STRANGER, "SPB-NEVSKY", HEAD_OFFICE, clock.now())
    return QuestionDesk(Storage(db), network, clock, sla_minutes=60)


async def ticket(db: Database, code: str, status: Status, now: datetime) -> None:
    await Customers(db).remember(ANNA, "Anna", None, None, "en", now)
    await Tickets(db).insert(
        NewTicket(
            code=code,
            customer_id=ANNA,
            workshop_code="MSK-CENTER",
            category="tv",
            slot_start=None,
            status=status,
            phone=None,
            case_id=None,
            description=None,
        ),
        now,
    )


async def queued(db: Database, chat_id: int) -> list[tuple[str, datetime]]:
    return [(record.kind, record.due_at) for record in await Outbox(db).of_chat(chat_id)]


async def test_a_question_about_an_open_ticket_goes_to_its_staff_with_an_escalation_due(
    db: Database, desk: QuestionDesk, clock: FakeClock
) -> None:
    await ticket(db, "SR-AAAAAA", Status.BOOKED, clock.now())

    posted = await desk.ask(ANNA, "SR-AAAAAA", "Hello?", None, [HEAD_OFFICE], origin=1)

    assert posted.outcome is Outcome.DONE and not posted.to_head_office
    assert await queued(db, MECHANIC) == [(Kind.QUESTION, clock.now())]
    assert await queued(db, STRANGER) == []
    # Asked at 09:00 in Moscow, the workshop open: due at 10:00.
    due = clock.now() + timedelta(hours=1)
    assert await queued(db, HEAD_OFFICE) == [(Kind.QUESTION_LATE, due)]


async def test_someone_elses_ticket_is_not_found_and_nothing_is_queued(
    db: Database, desk: QuestionDesk, clock: FakeClock
) -> None:
    await ticket(db, "SR-AAAAAA", Status.BOOKED, clock.now())

    posted = await desk.ask(BORIS, "SR-AAAAAA", "Whose is this?", None, [HEAD_OFFICE])

    assert posted.outcome is Outcome.NOT_FOUND
    assert await queued(db, MECHANIC) == []


async def test_only_the_workshops_staff_head_office_and_the_customer_write_in_a_thread(
    db: Database, desk: QuestionDesk, clock: FakeClock
) -> None:
    await ticket(db, "SR-AAAAAA", Status.REPAIRING, clock.now())
    posted = await desk.ask(ANNA, "SR-AAAAAA", "Hello?", None, [HEAD_OFFICE])
    assert posted.thread is not None
    thread = posted.thread.id

    intruders = (Principal(STRANGER, Role.STAFF, "SPB-NEVSKY"), Principal(BORIS, Role.CUSTOMER))
    for intruder in intruders:
        refused = await desk.post(intruder, thread, "Hi", None, [HEAD_OFFICE])
        assert refused.outcome is Outcome.NOT_FOUND
        assert await desk.thread_for(intruder, thread) is None

    mechanic = Principal(MECHANIC, Role.STAFF, "MSK-CENTER")
    answer = await desk.post(mechanic, thread, "Yes", None, [])
    assert answer.outcome is Outcome.DONE
    assert await desk.waiting() == []
    assert await queued(db, ANNA) == [(Kind.ANSWER, clock.now())]


async def test_a_question_about_a_closed_ticket_goes_to_head_office(
    db: Database, desk: QuestionDesk, clock: FakeClock
) -> None:
    await ticket(db, "SR-AAAAAA", Status.PICKED_UP, clock.now())

    posted = await desk.ask(ANNA, "SR-AAAAAA", "Warranty?", None, [HEAD_OFFICE])

    assert posted.to_head_office
    assert await queued(db, HEAD_OFFICE) == [(Kind.QUESTION, clock.now())]
    assert await queued(db, MECHANIC) == []


async def test_the_same_update_handled_again_asks_once(
    db: Database, desk: QuestionDesk, clock: FakeClock
) -> None:
    first = await desk.ask(ANNA, None, "Hello?", None, [HEAD_OFFICE], origin=7)
    again = await desk.ask(ANNA, None, "Hello?", None, [HEAD_OFFICE], origin=7)

    assert first.thread == again.thread
    assert await queued(db, HEAD_OFFICE) == [(Kind.QUESTION, clock.now())]
    assert first.thread is not None
    assert len(await Threads(db).messages(first.thread.id)) == 1


async def test_waiting_threads_are_listed_oldest_first_and_per_workshop(
    db: Database, desk: QuestionDesk, clock: FakeClock
) -> None:
    await ticket(db, "SR-AAAAAA", Status.BOOKED, clock.now())
    await desk.ask(BORIS, None, "First", None, [HEAD_OFFICE])
    clock.advance(minutes=5)
    await desk.ask(ANNA, "SR-AAAAAA", "Second", None, [HEAD_OFFICE])

    assert [t.customer_id for t in await desk.waiting()] == [BORIS, ANNA]
    assert [t.customer_id for t in await desk.waiting("MSK-CENTER")] == [ANNA]
    assert (await desk.waiting())[0].waiting_since == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
