"""Head-office figures over a known month of fault reports, tickets, events and estimates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.handlers.report_views import stats_lines
from bot.i18n import Lang
from bot.statistics import CauseShares, Figures, fix_stats, network_stats, scorecard
from bot.storage.cases import Cases
from bot.storage.customers import Customers
from bot.storage.database import Database
from bot.storage.estimates import Estimates
from bot.storage.feedback import Feedback
from bot.storage.questions import Threads
from bot.storage.stats import StatsQueries
from bot.storage.tickets import NewTicket, Tickets
from bot.storage.unit_of_work import Storage
from bot.storage.warranty import Warranties
from bot.tickets import Status
from bot.warranty import Cause
from bot.workshops import Network

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

    feedback = Feedback(db)
    await feedback.rate(one, ALICE, 5, ago(5))
    await feedback.rate(three, ALICE, 3, ago(3.5))
    await feedback.rate(five, ALICE, 4, ago(30.5))  # the month before
    return db


CURRENT = Figures(
    reports_started=4,
    self_resolved=2,
    bookings=4,
    walk_ins=1,
    drop_offs=2,
    no_shows=1,
    days_to_ready=[2.5, 3.0, 1.0, 2.0],
    estimates_answered=3,
    estimates_approved=2,
    ratings=[5, 3],
)
PREVIOUS = Figures(
    reports_started=1,
    self_resolved=1,
    bookings=1,
    walk_ins=0,
    drop_offs=1,
    no_shows=0,
    days_to_ready=[],
    estimates_answered=1,
    estimates_approved=1,
    ratings=[4],
)


async def test_every_figure_of_a_known_month_and_the_month_before_is_counted_exactly(
    month: Database,
) -> None:
    stats = await network_stats(Storage(month), NOW, 30)

    assert (stats.since, stats.until) == (ago(30), NOW)
    assert stats.current == CURRENT
    assert stats.previous == PREVIOUS
    assert stats.tickets_per_workshop == {
        "MSK-CENTER": 2,
        "SPB-NEVSKY": 1,
        "SPB-LIGOVSKY": 1,
        "KZN-CENTER": 1,
    }
    now = stats.current
    assert (now.self_resolved_share, now.finished, now.median_days_to_ready) == (0.5, 4, 2.25)
    assert now.no_show_rate == pytest.approx(1 / 3)
    assert now.approval_rate == pytest.approx(2 / 3)
    assert now.average_rating == 4.0


async def test_the_report_shows_each_known_figure_in_its_section_with_the_change(
    month: Database, network: Network
) -> None:
    stats = await network_stats(Storage(month), NOW, 30)
    names = {"MSK-CENTER": "Tverskaya", "SPB-NEVSKY": "Nevsky"}

    assert stats_lines(stats, Lang.EN, names, {}) == [
        "<b>Statistics for the last 30 days</b> (27.10.2026 – 26.11.2026)",
        "In brackets: the change against the 30 days before.",
        "",
        "<b>Demand</b>",
        "Fault reports: 4 (▲ 300%)",
        "Of them self-resolved, visits avoided: 2 (▲ 100%)",
        "Self-resolved rate: 50% (2 of 4) (▼ 50 pp)",
        "",
        "<b>Bookings and walk-ins</b>",
        "Bookings: 4 (▲ 300%)",
        "Walk-ins: 1 (▲ from 0)",
        "",
        "<b>Drop-offs and no-shows</b>",
        "Booked customers who came: 2 (▲ 100%)",
        "No-shows: 1 (▲ from 0)",
        "No-show rate: 33% (1 of 3) (▲ 33 pp)",
        "",
        "<b>Repairs</b>",
        "Repairs finished: 4 (▲ from 0)",
        "Median time from received to ready: 2.2 days",
        "Estimates approved: 67% (2 of 3) (▼ 33 pp)",
        "",
        "<b>Satisfaction</b>",
        "Average rating: 4.0 of 5 (= 0%)",
        "Ratings given: 2 (▲ 100%)",
        "",
        "<b>Workshops</b>",
        "Tverskaya: tickets 2 · median to ready 2.5 days · no-shows 0%"
        " · estimates approved 50% · rating 5.0 of 5",
        "Nevsky: tickets 1 · median to ready 1.0 days · no-shows —"
        " · estimates approved 100% · rating 3.0 of 5",
        "KZN-CENTER: tickets 1 · median to ready — · no-shows —"
        " · estimates approved — · rating —",
        "SPB-LIGOVSKY: tickets 1 · median to ready — · no-shows 100%"
        " · estimates approved — · rating —",
        "",
        "<b>Warranty and cause</b> (repairs finished)",
        "By category:",
        "phone: finished 1 · warranty 0% (0 of 1) · misuse 0% (0 of 1)",
        "tv: finished 1 · warranty 0% (0 of 1) · misuse 0% (0 of 1)",
        "washer: finished 2 · warranty 0% (0 of 2) · misuse 0% (0 of 2)",
        "By workshop:",
        "Tverskaya: finished 3 · warranty 0% (0 of 3) · misuse 0% (0 of 3)",
        "Nevsky: finished 1 · warranty 0% (0 of 1) · misuse 0% (0 of 1)",
    ]
    russian = stats_lines(stats, Lang.RU, names, {})
    assert "Медиана от приёма до готовности: 2,2 дн." in russian
    assert "Доля неявок: 33% (1 из 3) (▲ 33 п. п.)" in russian


async def test_a_falling_figure_shows_a_down_arrow_and_its_percentage(month: Database) -> None:
    # A month from now nothing has happened yet, against the four reports of this month.
    later = await network_stats(Storage(month), NOW + timedelta(days=30), 30)
    assert "Fault reports: 0 (▼ 100%)" in stats_lines(later, Lang.EN, {}, {})


async def test_durations_to_ready_count_the_first_ready_after_the_first_received(
    month: Database,
) -> None:
    durations = await StatsQueries(month).days_to_ready(ago(30), NOW)

    assert sorted(durations) == [
        ("MSK-CENTER", 2.0),
        ("MSK-CENTER", 2.5),
        ("MSK-CENTER", 3.0),
        ("SPB-NEVSKY", 1.0),
    ]


async def test_a_ticket_created_31_days_ago_is_outside_a_30_day_window_but_inside_31_days(
    month: Database,
) -> None:
    thirty = await network_stats(Storage(month), NOW, 30)
    thirty_one = await network_stats(Storage(month), NOW, 31)

    assert thirty.tickets_per_workshop["MSK-CENTER"] == 2
    assert thirty_one.tickets_per_workshop["MSK-CENTER"] == 3
    assert thirty_one.current.bookings == thirty.current.bookings + 1
    now = thirty_one.current
    assert (now.reports_started, now.self_resolved) == (5, 3)
    assert (now.estimates_answered, now.estimates_approved) == (4, 3)


async def test_both_ends_of_the_period_are_included(month: Database) -> None:
    stats = await network_stats(Storage(month), ago(3), 7)

    # The start, ago(10), and the end, ago(3) ("now" for this report), are both inside.
    assert stats.current.reports_started == 2
    assert stats.current.self_resolved == 1
    assert stats.tickets_per_workshop == {"MSK-CENTER": 2, "SPB-LIGOVSKY": 1, "SPB-NEVSKY": 1}


async def test_an_empty_database_has_zero_counts_and_no_shares_or_median(db: Database) -> None:
    stats = await network_stats(Storage(db), NOW, 30)

    assert stats.current == Figures(0, 0, 0, 0, 0, 0, [], 0, 0, [])
    assert stats.tickets_per_workshop == {}
    now = stats.current
    assert now.median_days_to_ready is None and now.average_rating is None
    assert now.self_resolved_share is None and now.approval_rate is None
    lines = stats_lines(stats, Lang.EN, {}, {})
    assert "Median time from received to ready: —" in lines
    assert not any("%" in line for line in lines if "rate" in line), "no fake 0%"


async def test_a_period_of_no_days_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="empty"):
        await network_stats(Storage(db), NOW, 0)


async def test_a_scorecard_counts_one_workshop_and_what_is_overdue_there_now(
    month: Database, network: Network
) -> None:
    card = await scorecard(Storage(month), network, NOW, 30, "MSK-CENTER", {"ready": 1}, 60)

    assert card.tickets == 2
    assert card.current.median_days_to_ready == 2.5
    assert (card.current.drop_offs, card.current.no_shows) == (2, 0)
    assert (card.current.estimates_answered, card.current.estimates_approved) == (2, 1)
    assert card.current.ratings == [5]
    assert card.overdue_now == 2, "SR-000001 and SR-000005 wait for pickup for days"
    assert card.current.reports_started == 0, "a fault report belongs to no workshop"


async def test_questions_answered_within_the_opening_hours_sla_are_counted(
    db: Database, network: Network
) -> None:
    threads = Threads(db)
    # Thursday 26 November, Moscow (UTC+3): 09:00 local is 06:00 UTC, the workshop opens then.
    thursday = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    fast = await threads.open(ALICE, None, "MSK-CENTER", thursday)
    await threads.add_message(fast, ALICE, "customer", None, "q", None, thursday)
    await threads.add_message(fast, ALICE, "customer", None, "q2", None, thursday)
    await threads.add_message(
        fast, STAFF, "staff", "MSK-CENTER", "a", None, thursday + timedelta(minutes=30)
    )
    slow = await threads.open(BORIS, None, "MSK-CENTER", thursday)
    await threads.add_message(slow, BORIS, "customer", None, "q", None, thursday)
    await threads.add_message(
        slow, STAFF, "staff", "MSK-CENTER", "a", None, thursday + timedelta(minutes=90)
    )
    await threads.add_message(
        slow, BORIS, "customer", None, "again", None, thursday + timedelta(hours=2)
    )
    other = await threads.open(BORIS, None, "SPB-NEVSKY", thursday)
    await threads.add_message(other, BORIS, "customer", None, "q", None, thursday)

    at = thursday + timedelta(hours=3)
    card = await scorecard(Storage(db), network, at, 30, "MSK-CENTER", {}, 60)

    assert (card.questions, card.answered_in_time) == (3, 1)
    assert card.in_time_share == pytest.approx(1 / 3)


async def test_fix_outcomes_count_each_fix_shown_and_how_often_it_helped(db: Database) -> None:
    customers = Customers(db)
    await customers.remember(ALICE, "Alice", None, None, client_language="en", now=ago(60))
    await customers.remember(BORIS, "Boris", None, None, client_language="ru", now=ago(60))
    cases = Cases(db)
    for helped in ("y", "n", "n"):
        case = await cases.open(ALICE, "washer", ago(2))
        path = [{"node": "w_start", "answer": "Won't drain"}, {"fix": "w_drain", "helped": helped}]
        if helped == "n":
            path.append({"fix": "w_filter", "helped": "y"})
        await cases.close(case, "self_resolved", path, ago(1))
    phone = await cases.open(BORIS, "phone", ago(2))
    await cases.close(phone, "abandoned", [{"fix": "ph_restart", "helped": "n"}], ago(1))
    left = await cases.open(BORIS, "phone", ago(1))  # still open, the fix never answered
    await cases.fix_shown(left, "ph_restart", ago(1))
    await cases.fix_shown(left, "ph_restart", ago(0.5))  # went back to it: still once
    await cases.fix_shown(phone, "ph_restart", ago(2))  # also in the path: once

    every = await fix_stats(Storage(db))
    assert [(f.fix, f.category, f.shown, f.solved) for f in every] == [
        ("w_drain", "washer", 3, 1),
        ("ph_restart", "phone", 2, 0),
        ("w_filter", "washer", 2, 2),
    ]
    assert [f.fix for f in await fix_stats(Storage(db), "phone")] == ["ph_restart"]


async def test_warranty_and_misuse_are_shares_of_the_repairs_finished_per_category_and_workshop(
    month: Database,
) -> None:
    tickets, warranties = Tickets(month), Warranties(month)

    async def id_of(code: str) -> int:
        found = await tickets.by_code(code)
        assert found is not None
        return found.id

    washer, phone = await id_of("SR-000001"), await id_of("SR-000002")
    await warranties.confirm(washer, True, "receipt", STAFF, ago(6))
    await warranties.set_cause(washer, Cause.DEFECT, STAFF, ago(5.5))
    await warranties.set_cause(phone, Cause.WEAR, STAFF, ago(0.5))
    await warranties.set_cause(await id_of("SR-000005"), Cause.MISUSE, STAFF, ago(1))
    await warranties.set_cause(await id_of("SR-000003"), Cause.MISUSE, STAFF, ago(5))
    no_show = await id_of("SR-000004")
    await warranties.confirm(no_show, True, None, STAFF, ago(2))
    await warranties.set_cause(no_show, Cause.MISUSE, STAFF, ago(2))

    stats = await network_stats(Storage(month), NOW, 30)

    assert stats.causes.by_category == {
        "phone": CauseShares(finished=1, warranty=0, misuse=0),
        "tv": CauseShares(finished=1, warranty=0, misuse=1),
        "washer": CauseShares(finished=2, warranty=1, misuse=1),
    }, "a ticket never made ready counts nowhere"
    assert stats.causes.by_workshop == {
        "MSK-CENTER": CauseShares(finished=3, warranty=1, misuse=1),
        "SPB-NEVSKY": CauseShares(finished=1, warranty=0, misuse=1),
    }
    lines = stats_lines(stats, Lang.EN, {"MSK-CENTER": "Tverskaya"}, {"washer": "Washer"})
    assert lines[lines.index("<b>Warranty and cause</b> (repairs finished)") :] == [
        "<b>Warranty and cause</b> (repairs finished)",
        "By category:",
        "Washer: finished 2 · warranty 50% (1 of 2) · misuse 50% (1 of 2)",
        "phone: finished 1 · warranty 0% (0 of 1) · misuse 0% (0 of 1)",
        "tv: finished 1 · warranty 0% (0 of 1) · misuse 100% (1 of 1)",
        "By workshop:",
        "Tverskaya: finished 3 · warranty 33% (1 of 3) · misuse 33% (1 of 3)",
        "SPB-NEVSKY: finished 1 · warranty 0% (0 of 1) · misuse 100% (1 of 1)",
    ]


async def test_a_period_without_finished_repairs_says_so_under_warranty_and_cause(
    month: Database,
) -> None:
    later = await network_stats(Storage(month), NOW + timedelta(days=30), 30)

    assert stats_lines(later, Lang.EN, {}, {})[-2:] == [
        "<b>Warranty and cause</b> (repairs finished)",
        "No repair was finished in this period.",
    ]
