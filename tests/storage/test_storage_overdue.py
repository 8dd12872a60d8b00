"""Tickets stuck in one status for longer than its limit, found per workshop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import Lang
from bot.messages import text
from bot.overdue import DEFAULT_LIMITS_DAYS, OverdueTicket, overdue, overdue_lines
from bot.storage.database import Database
from bot.storage.tickets import NewTicket, Tickets
from bot.storage.unit_of_work import Storage
from bot.tickets import Status

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
NAMES = {"MSK-CENTER": "Tverskaya Workshop", "SPB-NEVSKY": "Nevsky Workshop"}


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def stuck(db: Database, code: str, workshop: str, status: Status, since: datetime) -> None:
    """A ticket that entered `status` at `since` and has not moved since."""
    tickets = Tickets(db)
    ticket_id = await tickets.insert(
        NewTicket(
            code=code,
            customer_id=None,
            workshop_code=workshop,
            category="tv",
            slot_start=None,
            status=Status.BOOKED,
            phone=None,
            case_id=None,
            description=None,
        ),
        ago(60),
    )
    await tickets.set_status(ticket_id, status, since)


@pytest.fixture
async def network_at_work(db: Database) -> Database:
    await stuck(db, "SR-RECV15", "MSK-CENTER", Status.RECEIVED, ago(1.5))  # half a day late
    await stuck(db, "SR-DIAG30", "MSK-CENTER", Status.DIAGNOSING, ago(3))  # exactly on time
    await stuck(db, "SR-PART09", "MSK-CENTER", Status.WAITING_PARTS, ago(9))  # on time
    await stuck(db, "SR-REPA08", "MSK-CENTER", Status.REPAIRING, ago(8))  # three days late
    await stuck(db, "SR-REDY10", "SPB-NEVSKY", Status.READY, ago(10))  # three days late
    await stuck(db, "SR-BOOK30", "SPB-NEVSKY", Status.BOOKED, ago(30))  # no limit
    await stuck(db, "SR-PICK50", "SPB-NEVSKY", Status.PICKED_UP, ago(50))  # final
    await stuck(db, "SR-DIAG3M", "KZN-CENTER", Status.DIAGNOSING, ago(3) - timedelta(minutes=36))
    return db


async def test_default_limits_find_tickets_past_their_status_limit_grouped_by_workshop(
    network_at_work: Database,
) -> None:
    grouped = await overdue(Storage(network_at_work), NOW, DEFAULT_LIMITS_DAYS)

    assert grouped == {
        "KZN-CENTER": [
            OverdueTicket("SR-DIAG3M", Status.DIAGNOSING, ago(3) - timedelta(minutes=36), 0.025)
        ],
        "MSK-CENTER": [
            OverdueTicket("SR-REPA08", Status.REPAIRING, ago(8), 3.0),
            OverdueTicket("SR-RECV15", Status.RECEIVED, ago(1.5), 0.5),
        ],
        "SPB-NEVSKY": [OverdueTicket("SR-REDY10", Status.READY, ago(10), 3.0)],
    }


async def test_the_default_limits_are_the_agreed_days_per_status() -> None:
    assert DEFAULT_LIMITS_DAYS == {
        Status.RECEIVED: 1,
        Status.DIAGNOSING: 3,
        Status.WAITING_PARTS: 10,
        Status.REPAIRING: 5,
        Status.READY: 7,
    }


async def test_other_limits_are_respected_per_status(network_at_work: Database) -> None:
    grouped = await overdue(Storage(network_at_work), NOW, {"booked": 20, "waiting_parts": 8})

    assert grouped == {
        "MSK-CENTER": [OverdueTicket("SR-PART09", Status.WAITING_PARTS, ago(9), 1.0)],
        "SPB-NEVSKY": [OverdueTicket("SR-BOOK30", Status.BOOKED, ago(30), 10.0)],
    }


async def test_one_workshop_sees_only_its_own_overdue_tickets(network_at_work: Database) -> None:
    storage = Storage(network_at_work)
    grouped = await overdue(storage, NOW, DEFAULT_LIMITS_DAYS, workshop_code="SPB-NEVSKY")

    assert list(grouped) == ["SPB-NEVSKY"]
    assert [ticket.code for ticket in grouped["SPB-NEVSKY"]] == ["SR-REDY10"]


async def test_a_workshop_with_nothing_overdue_gets_an_empty_result(
    network_at_work: Database,
) -> None:
    assert await overdue(Storage(network_at_work), NOW, DEFAULT_LIMITS_DAYS, "SPB-LIGOVSKY") == {}
    assert await overdue(Storage(network_at_work), NOW, {}) == {}


async def test_overdue_lines_give_the_total_each_workshop_and_its_tickets(
    network_at_work: Database,
) -> None:
    grouped = await overdue(Storage(network_at_work), NOW, DEFAULT_LIMITS_DAYS)

    assert overdue_lines(grouped, Lang.EN, NAMES) == [
        "Overdue tickets: 4",
        "KZN-CENTER: 1",
        "SR-DIAG3M: being diagnosed, 0.1 days over the limit",
        "Tverskaya Workshop: 2",
        "SR-REPA08: being repaired, 3.0 days over the limit",
        "SR-RECV15: received by the workshop, 0.5 days over the limit",
        "Nevsky Workshop: 1",
        "SR-REDY10: ready for pickup, 3.0 days over the limit",
    ]
    assert overdue_lines(grouped, Lang.RU, NAMES)[-1] == (
        "SR-REDY10: готова к выдаче, сверх нормы на 3,0 дн."
    )


def test_nothing_overdue_is_one_line_saying_so_in_each_language() -> None:
    for lang in Lang:
        assert overdue_lines({}, lang, NAMES) == [text(lang, "overdue_none")]
