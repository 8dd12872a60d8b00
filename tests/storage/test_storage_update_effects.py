"""What an update created is found again when the same update is handled again."""

from __future__ import annotations

import pytest

from bot.fault_reports import FaultReports
from bot.storage.customers import Customers
from bot.storage.database import Database
from bot.storage.unit_of_work import Storage
from tests.support.clock import FakeClock

CUSTOMER = 7
UPDATE = 1234


@pytest.fixture
async def reports(db: Database, clock: FakeClock) -> FaultReports:
    await Customers(db).remember(CUSTOMER, "Вера", None, None, "ru", clock.now())
    return FaultReports(Storage(db), clock)


async def cases(db: Database) -> int:
    row = await db.fetch_one("SELECT COUNT(*) AS n FROM cases")
    assert row is not None
    return int(row["n"])


async def test_the_same_update_handled_again_gets_the_case_it_opened(
    reports: FaultReports, db: Database, clock: FakeClock
) -> None:
    first = await reports.start(CUSTOMER, "phone", UPDATE)
    clock.advance(hours=23)

    assert await reports.start(CUSTOMER, "phone", UPDATE) == first
    assert await cases(db) == 1


async def test_an_update_id_seen_again_after_a_day_is_a_new_update(
    reports: FaultReports, db: Database, clock: FakeClock
) -> None:
    """Telegram drops unconfirmed updates after a day and may reuse ids after a quiet week."""
    first = await reports.start(CUSTOMER, "phone", UPDATE)
    clock.advance(hours=24, seconds=1)

    second = await reports.start(CUSTOMER, "phone", UPDATE)

    assert second != first
    assert await cases(db) == 2
    row = await db.fetch_one("SELECT COUNT(*) AS n FROM update_effects")
    assert row is not None and row["n"] == 1, "the expired record is gone"


async def test_work_not_asked_for_by_an_update_is_never_taken_for_a_replay(
    reports: FaultReports, db: Database
) -> None:
    await reports.start(CUSTOMER, "phone")
    await reports.start(CUSTOMER, "phone")

    assert await cases(db) == 2
