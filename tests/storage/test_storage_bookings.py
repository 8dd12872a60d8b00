"""Booking drop-offs against a real database: capacity, limits, races and cancelling."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.booking import BookingRequest, Bookings, CancelResult, Refusal
from bot.fault_notes import Attachment, MediaKind
from bot.fault_reports import Outcome, Step
from bot.storage.attachments import Attachments
from bot.storage.cases import Cases
from bot.storage.customers import Customers
from bot.storage.database import Database
from bot.storage.tickets import TicketRecord, Tickets
from bot.storage.unit_of_work import Storage
from bot.tickets import MAX_ACTIVE_BOOKINGS, Status, is_ticket_code
from bot.workshops import Network
from tests.support.clock import FakeClock
from tests.support.postgres import REFUSED_BY_DATABASE

CUSTOMERS = range(1, 13)
ALICE, BOB = 1, 2
FRIDAY = date(2026, 11, 27)
# SPB-LIGOVSKY: weekdays 09:00-18:00 Moscow time, 60-minute slots, one drop-off per slot.
SINGLE = "SPB-LIGOVSKY"
SINGLE_SLOT = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 10:00 Moscow
# MSK-CENTER: 30-minute slots, three drop-offs per slot.
TRIPLE = "MSK-CENTER"
TRIPLE_SLOT = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)  # Friday 10:30 Moscow


@pytest.fixture
async def bookings(db: Database, network: Network, clock: FakeClock) -> Bookings:
    customers = Customers(db)
    for user_id in CUSTOMERS:
        await customers.remember(user_id, f"Customer {user_id}", None, None, "en", clock.now())
    return Bookings(Storage(db), network, clock)


def request(
    customer_id: int = ALICE,
    workshop_code: str = SINGLE,
    slot_start: datetime = SINGLE_SLOT,
    category: str = "washer",
    case_id: int | None = None,
    path: list[Step] | None = None,
) -> BookingRequest:
    return BookingRequest(
        customer_id=customer_id,
        workshop_code=workshop_code,
        category=category,
        slot_start=slot_start,
        phone="+7 900 000 00 00",
        case_id=case_id,
        path=path or [],
    )


def booked(result: TicketRecord | Refusal) -> TicketRecord:
    assert isinstance(result, TicketRecord), result
    return result


async def test_booking_a_free_slot_gives_a_booked_ticket_with_an_sr_code(
    bookings: Bookings, clock: FakeClock
) -> None:
    ticket = booked(await bookings.book(request()))

    assert is_ticket_code(ticket.code)
    assert ticket.status == Status.BOOKED
    assert (ticket.customer_id, ticket.workshop_code, ticket.category) == (ALICE, SINGLE, "washer")
    assert ticket.slot_start == SINGLE_SLOT
    assert ticket.phone == "+7 900 000 00 00"
    assert ticket.created_at == clock.now()
    assert await bookings.of_customer(ALICE) == [ticket]
    assert await bookings.active_bookings(ALICE) == 1


async def test_a_slot_takes_as_many_bookings_as_its_capacity_and_refuses_the_next(
    bookings: Bookings, network: Network
) -> None:
    capacity = network.workshops[TRIPLE].slot_capacity
    assert capacity == 3

    results = [
        await bookings.book(request(user_id, TRIPLE, TRIPLE_SLOT, "phone"))
        for user_id in range(1, capacity + 2)
    ]

    assert all(isinstance(result, TicketRecord) for result in results[:capacity])
    assert results[capacity] is Refusal.SLOT_FULL


async def test_a_partly_filled_slot_is_still_offered(bookings: Bookings) -> None:
    booked(await bookings.book(request(ALICE, TRIPLE, TRIPLE_SLOT, "phone")))

    assert TRIPLE_SLOT in await bookings.free_slots(TRIPLE, FRIDAY)


async def test_a_full_slot_is_no_longer_offered(bookings: Bookings) -> None:
    assert SINGLE_SLOT in await bookings.free_slots(SINGLE, FRIDAY)

    booked(await bookings.book(request()))

    assert SINGLE_SLOT not in await bookings.free_slots(SINGLE, FRIDAY)


async def test_ten_customers_racing_for_the_last_place_produce_exactly_one_ticket(
    bookings: Bookings, db: Database
) -> None:
    results = await asyncio.gather(
        *(bookings.book(request(customer_id=user_id)) for user_id in range(1, 11))
    )

    tickets = [result for result in results if isinstance(result, TicketRecord)]
    assert len(tickets) == 1
    assert [result for result in results if not isinstance(result, TicketRecord)] == [
        Refusal.SLOT_FULL
    ] * 9
    row = await db.fetch_one("SELECT COUNT(*) AS n FROM tickets WHERE workshop_code = ?", (SINGLE,))
    assert row is not None and row["n"] == 1


async def test_a_customer_with_three_active_bookings_cannot_book_a_fourth(
    bookings: Bookings,
) -> None:
    for hour in range(MAX_ACTIVE_BOOKINGS):
        booked(await bookings.book(request(slot_start=SINGLE_SLOT + timedelta(hours=hour))))

    result = await bookings.book(request(slot_start=SINGLE_SLOT + timedelta(hours=5)))

    assert MAX_ACTIVE_BOOKINGS == 3
    assert result is Refusal.TOO_MANY_BOOKINGS


async def test_cancelling_one_of_three_bookings_allows_another(bookings: Bookings) -> None:
    tickets = [
        booked(await bookings.book(request(slot_start=SINGLE_SLOT + timedelta(hours=hour))))
        for hour in range(MAX_ACTIVE_BOOKINGS)
    ]

    assert await bookings.cancel(ALICE, tickets[0].code) is CancelResult.CANCELLED

    booked(await bookings.book(request(slot_start=SINGLE_SLOT + timedelta(hours=5))))


async def test_a_slot_that_has_already_started_is_gone(bookings: Bookings) -> None:
    this_morning = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # 09:00 Moscow, now

    assert await bookings.book(request(slot_start=this_morning)) is Refusal.SLOT_GONE


async def test_a_time_that_is_not_a_slot_start_is_gone(bookings: Bookings) -> None:
    between = SINGLE_SLOT + timedelta(minutes=10)

    assert await bookings.book(request(slot_start=between)) is Refusal.SLOT_GONE


async def test_a_slot_beyond_the_booking_horizon_is_gone(bookings: Bookings) -> None:
    two_weeks_later = SINGLE_SLOT + timedelta(days=14)

    assert await bookings.book(request(slot_start=two_weeks_later)) is Refusal.SLOT_GONE


async def test_a_slot_that_was_free_is_gone_once_the_clock_passes_it(
    bookings: Bookings, clock: FakeClock
) -> None:
    clock.set(SINGLE_SLOT + timedelta(minutes=1))

    assert await bookings.book(request()) is Refusal.SLOT_GONE


async def test_a_category_the_workshop_does_not_repair_is_not_served(bookings: Bookings) -> None:
    assert await bookings.book(request(category="phone")) is Refusal.NOT_SERVED


async def test_an_unknown_workshop_is_not_served(bookings: Bookings) -> None:
    assert await bookings.book(request(workshop_code="NOWHERE")) is Refusal.NOT_SERVED


async def test_no_refusal_leaves_a_ticket_behind(bookings: Bookings, db: Database) -> None:
    await bookings.book(request(category="phone"))
    await bookings.book(request(slot_start=SINGLE_SLOT + timedelta(minutes=10)))

    assert await db.fetch_one("SELECT 1 FROM tickets") is None


async def test_cancelling_a_booking_frees_its_slot(bookings: Bookings) -> None:
    ticket = booked(await bookings.book(request()))
    assert SINGLE_SLOT not in await bookings.free_slots(SINGLE, FRIDAY)

    result = await bookings.cancel(ALICE, ticket.code)

    assert result is CancelResult.CANCELLED
    assert SINGLE_SLOT in await bookings.free_slots(SINGLE, FRIDAY)
    booked(await bookings.book(request(customer_id=BOB)))


async def test_cancelling_records_the_status_change(bookings: Bookings, db: Database) -> None:
    ticket = booked(await bookings.book(request()))

    await bookings.cancel(ALICE, ticket.code)

    after = await Tickets(db).by_code(ticket.code)
    assert after is not None and after.status == Status.CANCELLED
    event = await db.fetch_one(
        "SELECT * FROM ticket_events WHERE ticket_id = ? AND kind = 'status'", (ticket.id,)
    )
    assert event is not None
    assert (event["from_status"], event["to_status"]) == ("booked", "cancelled")
    assert event["actor_id"] == ALICE


async def test_someone_elses_ticket_cannot_be_cancelled_and_stays_booked(
    bookings: Bookings,
) -> None:
    ticket = booked(await bookings.book(request(customer_id=ALICE)))

    assert await bookings.cancel(BOB, ticket.code) is CancelResult.NOT_FOUND
    assert await bookings.ticket_of_customer(BOB, ticket.code) is None
    mine = await bookings.ticket_of_customer(ALICE, ticket.code)
    assert mine is not None and mine.status == Status.BOOKED


async def test_cancelling_an_unknown_code_is_not_found(bookings: Bookings) -> None:
    assert await bookings.cancel(ALICE, "SR-000000") is CancelResult.NOT_FOUND


async def test_cancelling_twice_says_already_cancelled(bookings: Bookings) -> None:
    ticket = booked(await bookings.book(request()))

    assert await bookings.cancel(ALICE, ticket.code) is CancelResult.CANCELLED
    assert await bookings.cancel(ALICE, ticket.code) is CancelResult.ALREADY_CANCELLED


async def test_a_dropped_off_device_is_too_late_to_cancel(
    bookings: Bookings, db: Database, clock: FakeClock
) -> None:
    ticket = booked(await bookings.book(request()))
    await Tickets(db).set_status(ticket.id, Status.RECEIVED, clock.now())

    assert await bookings.cancel(ALICE, ticket.code) is CancelResult.TOO_LATE


async def test_a_booking_records_a_booked_event_and_closes_its_case(
    bookings: Bookings, db: Database, clock: FakeClock
) -> None:
    cases = Cases(db)
    case_id = await cases.open(ALICE, "washer", clock.now())
    path: list[Step] = [
        {"node": "w_start", "answer": "w_drain"},
        {"fix": "w_drain", "helped": "no"},
    ]
    clock.advance(minutes=3)

    ticket = booked(await bookings.book(request(case_id=case_id, path=path)))

    assert ticket.case_id == case_id
    event = await db.fetch_one("SELECT * FROM ticket_events WHERE ticket_id = ?", (ticket.id,))
    assert event is not None
    assert (event["kind"], event["to_status"], event["actor_role"]) == (
        "booked",
        "booked",
        "customer",
    )
    case = await db.fetch_one("SELECT * FROM cases WHERE id = ?", (case_id,))
    assert case is not None
    assert case["outcome"] == Outcome.BOOKED.value
    assert case["closed_at"] == "2026-11-26T06:03:00+00:00"
    assert json.loads(case["path"]) == path
    assert await cases.path(case_id) == path


async def test_open_days_drop_a_day_once_every_slot_is_taken(
    bookings: Bookings, network: Network
) -> None:
    slots = await bookings.free_slots(SINGLE, FRIDAY)
    assert FRIDAY in await bookings.open_days(SINGLE)
    for index, start in enumerate(slots):
        customer = index // MAX_ACTIVE_BOOKINGS + 1
        booked(await bookings.book(request(customer_id=customer, slot_start=start)))

    assert await bookings.free_slots(SINGLE, FRIDAY) == []
    assert FRIDAY not in await bookings.open_days(SINGLE)
    assert len(slots) == 9  # 09:00-18:00 in 60-minute slots
    assert network.workshops[SINGLE].slot_capacity == 1


async def test_booking_for_an_unknown_customer_is_refused_by_the_database(
    bookings: Bookings, db: Database
) -> None:
    with pytest.raises(REFUSED_BY_DATABASE):
        await bookings.book(request(customer_id=999))

    assert await db.fetch_one("SELECT 1 FROM tickets") is None
    booked(await bookings.book(request(customer_id=ALICE)))


async def test_a_booking_keeps_the_customers_words_and_their_photos_and_video_in_order(
    bookings: Bookings, db: Database
) -> None:
    sent = (
        Attachment(kind=MediaKind.PHOTO, file_id="photo-1"),
        Attachment(kind=MediaKind.VIDEO, file_id="video-1"),
        Attachment(kind=MediaKind.PHOTO, file_id="photo-2"),
    )

    ticket = booked(
        await bookings.book(replace(request(), description="Bosch WAT28", attachments=sent))
    )

    assert ticket.description == "Bosch WAT28"
    assert await Attachments(db).of_ticket(ticket.id) == list(sent)
    later = SINGLE_SLOT + timedelta(hours=1)
    other = booked(await bookings.book(request(customer_id=BOB, slot_start=later)))
    assert await Attachments(db).of_ticket(other.id) == []
