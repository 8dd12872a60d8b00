"""Head-office figures over a known month of fault reports, tickets, events and estimates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.statistics import NetworkStats, network_stats
from bot.storage.cases import Cases
from bot.storage.customers import Customers
from bot.storage.database import Database
from bot.storage.estimates import Estimates
from bot.storage.stats import StatsQueries
from bot.storage.tickets import NewTicket, Tickets
from bot.tickets import Status

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
ALICE, BORIS, STAFF = 1, 2, 900


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def ticket(
    db: Database, code: str, workshop: str, category: str, created: datetime, booked: bool = True
) -> int:
    """A booked ticket with its booking event, or a walk-in received over the counter."""
    tickets = Tickets(db)
    ticket_id = await tickets.insert(
        NewTicket(
            code=code,
            customer_id=ALICE,
            workshop_code=workshop,
            category=category,
            slot_start=created + timedelta(days=1) if booked else None,
            status=Status.BOOKED if booked else Status.RECEIVED,
            phone=None,
            case_id=None,
            description=None,
        ),
        created,
    )
    if booked:
        await tickets.add_event(ticket_id, created, ALICE, "customer", "booked", None, "booked")
    else:
        await tickets.add_event(ticket_id, created, STAFF, "staff", "walk_in", None, "received")
    return ticket_id


async def move(db: Database, ticket_id: int, target: Status, at: datetime) -> None:
    tickets = Tickets(db)
    current = await tickets.by_id(ticket_id)
    assert current is not None
    await tickets.set_status(ticket_id, target, at)
    await tickets.add_event(ticket_id, at, STAFF, "staff", "status", current.status, target)


async def estimate(
    db: Database, ticket_id: int, minor: int, created: datetime, answer: str | None = None
) -> int:
    estimates = Estimates(db)
    estimate_id = await estimates.add(ticket_id, minor, "RUB", None, STAFF, created)
    if answer is not None:
        assert await estimates.answer(estimate_id, answer, created + timedelta(hours=12))
    return estimate_id


@pytest.fixture
async def month(db: Database) -> Database:
    """Thirty days of a small network, plus one day of history just before them.

    Durations from received to ready: SR-000001 2.5 days, SR-000002 3 days (its second
    'ready' does not count), SR-000003 (walk-in) 1 day, and SR-000005, created before the
    window but made ready inside it, 2 days.
    """
    customers = Customers(db)
    await customers.remember(ALICE, "Alice", None, None, client_language="en", now=ago(60))
    await customers.remember(BORIS, "Борис", None, None, client_language="ru", now=ago(60))

    cases = Cases(db)
    first = await cases.open(ALICE, "washer", ago(30))  # exactly at the start: inside
    await cases.close(first, "self_resolved", [], ago(30))
    await cases.open(ALICE, "washer", ago(10))
    resolved = await cases.open(BORIS, "phone", ago(3))
    await cases.close(resolved, "self_resolved", [], ago(3))
    await cases.open(BORIS, "tv", ago(1))
    old = await cases.open(BORIS, "tv", ago(31))
    await cases.close(old, "self_resolved", [], ago(31))

    one = await ticket(db, "SR-000001", "MSK-CENTER", "washer", ago(10))
    await move(db, one, Status.RECEIVED, ago(8))
    await move(db, one, Status.DIAGNOSING, ago(7))
    await move(db, one, Status.READY, ago(5.5))
    await estimate(db, one, 150000, ago(7), "approved")

    two = await ticket(db, "SR-000002", "MSK-CENTER", "phone", ago(5))
    await move(db, two, Status.RECEIVED, ago(4))
    await move(db, two, Status.READY, ago(1))
    await move(db, two, Status.REPAIRING, ago(0.8))
    await move(db, two, Status.READY, ago(0.5))
    await estimate(db, two, 100000, ago(3))  # superseded by the next one, never answered
    await estimate(db, two, 120000, ago(2), "declined")

    three = await ticket(db, "SR-000003", "SPB-NEVSKY", "tv", ago(6), booked=False)
    await move(db, three, Status.READY, ago(5))
    await move(db, three, Status.PICKED_UP, ago(4))
    await estimate(db, three, 50000, ago(5.9), "approved")

    four = await ticket(db, "SR-000004", "SPB-LIGOVSKY", "washer", ago(3))
    await move(db, four, Status.NO_SHOW, ago(1))

    five = await ticket(db, "SR-000005", "MSK-CENTER", "washer", ago(31))
    await move(db, five, Status.RECEIVED, ago(31))
    await move(db, five, Status.READY, ago(29))
    await estimate(db, five, 90000, ago(31), "approved")

    six = await ticket(db, "SR-000006", "KZN-CENTER", "phone", ago(2))
    await move(db, six, Status.CANCELLED, ago(1.5))
    await estimate(db, six, 70000, ago(1.9))  # still pending
    return db


async def test_every_figure_of_a_known_month_is_counted_exactly(month: Database) -> None:
    stats = await network_stats(month, NOW, 30)

    assert stats == NetworkStats(
        days=30,
        since=ago(30),
        until=NOW,
        reports_started=4,
        self_resolved=2,
        bookings=4,
        no_shows=1,
        per_status={"ready": 2, "picked_up": 1, "no_show": 1, "cancelled": 1},
        per_workshop={"MSK-CENTER": 2, "SPB-NEVSKY": 1, "SPB-LIGOVSKY": 1, "KZN-CENTER": 1},
        median_days_to_ready=2.25,
        estimates_answered=3,
        estimates_approved=2,
    )
    assert stats.self_resolved_share == 0.5
    assert stats.approval_rate == pytest.approx(2 / 3)


async def test_durations_to_ready_count_the_first_ready_after_the_first_received(
    month: Database,
) -> None:
    durations = await StatsQueries(month).days_to_ready(ago(30), NOW)

    assert sorted(durations) == [1.0, 2.0, 2.5, 3.0]


async def test_a_ticket_created_31_days_ago_is_outside_a_30_day_window_but_inside_31_days(
    month: Database,
) -> None:
    thirty = await network_stats(month, NOW, 30)
    thirty_one = await network_stats(month, NOW, 31)

    assert thirty.per_workshop["MSK-CENTER"] == 2
    assert thirty_one.per_workshop["MSK-CENTER"] == 3
    assert thirty_one.per_status["ready"] == 3
    assert thirty_one.bookings == thirty.bookings + 1
    assert (thirty_one.reports_started, thirty_one.self_resolved) == (5, 3)
    assert (thirty_one.estimates_answered, thirty_one.estimates_approved) == (4, 3)


async def test_both_ends_of_the_period_are_included(month: Database) -> None:
    stats = await network_stats(month, ago(3), 7)

    # The start, ago(10), and the end, ago(3) ("now" for this report), are both inside.
    assert stats.reports_started == 2
    assert stats.self_resolved == 1
    assert stats.per_workshop == {"MSK-CENTER": 2, "SPB-LIGOVSKY": 1, "SPB-NEVSKY": 1}


async def test_an_empty_database_has_zero_counts_and_no_shares_or_median(db: Database) -> None:
    stats = await network_stats(db, NOW, 30)

    assert (stats.reports_started, stats.self_resolved, stats.bookings, stats.no_shows) == (
        0,
        0,
        0,
        0,
    )
    assert stats.per_status == {}
    assert stats.per_workshop == {}
    assert stats.median_days_to_ready is None
    assert (stats.estimates_answered, stats.estimates_approved) == (0, 0)
    assert stats.self_resolved_share is None
    assert stats.approval_rate is None


async def test_a_period_of_no_days_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="empty"):
        await network_stats(db, NOW, 0)
