"""Fault reports: opening a case, closing it once, and what is kept of the walk."""

from __future__ import annotations

import pytest

from bot.fault_reports import FaultReports, Outcome, Step
from bot.storage.cases import Cases
from bot.storage.customers import Customers
from bot.storage.database import Database
from bot.storage.unit_of_work import Storage
from tests.support.clock import FakeClock

CUSTOMER = 7
PATH: list[Step] = [
    {"node": "ph_start", "answer": "ph_charge_port"},
    {"fix": "ph_charge_port", "helped": "yes"},
]


@pytest.fixture
async def reports(db: Database, clock: FakeClock) -> FaultReports:
    await Customers(db).remember(CUSTOMER, "Вера", "Иванова", "vera", "ru", clock.now())
    return FaultReports(Storage(db), clock)


async def test_a_new_report_is_an_open_case_started_now(
    reports: FaultReports, db: Database
) -> None:
    case_id = await reports.start(CUSTOMER, "phone")

    row = await db.fetch_one("SELECT * FROM cases WHERE id = ?", (case_id,))
    assert row is not None
    assert (row["customer_id"], row["category"], row["outcome"]) == (CUSTOMER, "phone", "open")
    assert row["started_at"] == "2026-11-26T06:00:00+00:00"
    assert row["closed_at"] is None


async def test_closing_a_report_as_self_resolved_keeps_the_outcome_path_and_time(
    reports: FaultReports, db: Database, clock: FakeClock
) -> None:
    case_id = await reports.start(CUSTOMER, "phone")
    clock.advance(minutes=2)

    assert await reports.close(case_id, Outcome.SELF_RESOLVED, PATH) is True

    row = await db.fetch_one("SELECT outcome, closed_at FROM cases WHERE id = ?", (case_id,))
    assert row is not None
    assert (row["outcome"], row["closed_at"]) == ("self_resolved", "2026-11-26T06:02:00+00:00")
    assert await Cases(db).path(case_id) == PATH


async def test_closing_a_report_twice_is_refused_and_keeps_the_first_outcome(
    reports: FaultReports, db: Database, clock: FakeClock
) -> None:
    case_id = await reports.start(CUSTOMER, "phone")
    assert await reports.close(case_id, Outcome.SELF_RESOLVED, PATH) is True
    clock.advance(minutes=5)

    assert await reports.close(case_id, Outcome.ABANDONED, []) is False

    row = await db.fetch_one("SELECT outcome, closed_at FROM cases WHERE id = ?", (case_id,))
    assert row is not None
    assert (row["outcome"], row["closed_at"]) == ("self_resolved", "2026-11-26T06:00:00+00:00")
    assert await Cases(db).path(case_id) == PATH


async def test_closing_a_report_that_does_not_exist_is_refused(reports: FaultReports) -> None:
    assert await reports.close(12345, Outcome.ABANDONED, []) is False


async def test_two_reports_of_one_customer_are_separate_cases(reports: FaultReports) -> None:
    first = await reports.start(CUSTOMER, "phone")
    second = await reports.start(CUSTOMER, "laptop")

    assert first != second
    assert await reports.close(first, Outcome.ABANDONED, []) is True
    assert await reports.close(second, Outcome.SELF_RESOLVED, PATH) is True
