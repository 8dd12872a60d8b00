"""PostgreSQL's own side: migrations at start-up, refusals in one line, exactness across pools."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.booking import BookingRequest, Bookings, Refusal
from bot.config import Settings
from bot.storage.customers import Customers
from bot.storage.engine import open_database
from bot.storage.migrations_pg import MIGRATIONS
from bot.storage.postgres import DatabaseServerError, PostgresDatabase, numbered
from bot.storage.tickets import TicketRecord
from bot.storage.unit_of_work import Storage
from bot.tickets import MAX_ACTIVE_BOOKINGS
from bot.workshops import Network
from tests.support.clock import FakeClock
from tests.support.postgres import fresh_schema

SINGLE = "SPB-LIGOVSKY"
"""One drop-off per 60-minute slot."""
SINGLE_SLOT = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
FRIDAY = date(2026, 11, 27)


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with fresh_schema() as schema_url:
        yield schema_url


async def run_sql(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def test_placeholders_are_numbered_except_inside_quotes() -> None:
    assert numbered("SELECT '?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?)") == (
        "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $3)"
    )


def test_an_empty_database_url_means_sqlite_and_a_wrong_one_is_refused_without_its_secret() -> None:
    assert Settings(_env_file=None, bot_token="1:T", database_url="").database_url is None  # type: ignore[call-arg]

    with pytest.raises(ValueError, match="is not like postgresql://") as refused:
        Settings(_env_file=None, bot_token="1:T", database_url="mysql://u:hunter2@h/db")  # type: ignore[call-arg]
    assert "hunter2" not in str(refused.value)


async def test_an_unreachable_server_is_one_line_naming_host_and_database_not_the_password() -> (
    None
):
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token="1:T",
        database_url="postgresql://bot:hunter2@127.0.0.1:9/shop",
    )

    with pytest.raises(DatabaseServerError) as refused:
        await open_database(settings)

    message = str(refused.value)
    assert message.startswith("database 127.0.0.1:9/shop cannot be reached (")
    assert "hunter2" not in message and "\n" not in message


@pytest.mark.postgresql
async def test_a_wrong_password_is_refused_without_repeating_it(url: str) -> None:
    parts = urlsplit(url)
    wrong = urlunsplit(parts._replace(netloc=f"nobody:hunter2@{parts.hostname}:{parts.port}"))

    with pytest.raises(DatabaseServerError) as refused:
        await PostgresDatabase.open(wrong)

    assert "hunter2" not in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.postgresql
async def test_two_instances_starting_at_once_on_an_empty_database_apply_the_schema_once(
    url: str,
) -> None:
    first, second = await asyncio.gather(PostgresDatabase.open(url), PostgresDatabase.open(url))
    try:
        rows = await first.fetch_all("SELECT version FROM schema_version ORDER BY version")
        assert [row["version"] for row in rows] == list(range(1, len(MIGRATIONS) + 1))
        await Customers(second).remember(1, "Anna", None, None, "en", SINGLE_SLOT)
        assert await Customers(first).name(1) == "Anna"
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgresql
async def test_opening_again_keeps_the_data_and_applies_nothing_twice(url: str) -> None:
    first = await PostgresDatabase.open(url)
    await Customers(first).remember(1, "Anna", None, None, "en", SINGLE_SLOT)
    await first.close()

    again = await PostgresDatabase.open(url)
    try:
        assert await Customers(again).name(1) == "Anna"
        row = await again.fetch_one("SELECT COUNT(*) AS n FROM schema_version")
        assert row is not None and row["n"] == len(MIGRATIONS)
    finally:
        await again.close()


@pytest.mark.postgresql
async def test_a_database_from_a_newer_version_of_the_bot_is_refused_in_one_line(
    url: str,
) -> None:
    database = await PostgresDatabase.open(url)
    await database.close()
    newer = len(MIGRATIONS) + 1
    await run_sql(url, f"INSERT INTO schema_version VALUES ({newer}, '2027-01-01T00:00:00+00:00')")

    with pytest.raises(DatabaseServerError) as refused:
        await PostgresDatabase.open(url)

    assert str(refused.value).endswith(
        f"was written by a newer version of the bot (schema {newer}, "
        f"this version knows {len(MIGRATIONS)})"
    )


@pytest.mark.postgresql
async def test_a_database_holding_another_applications_tables_is_left_alone(url: str) -> None:
    await run_sql(url, "CREATE TABLE invoices (id BIGINT PRIMARY KEY, total NUMERIC)")

    with pytest.raises(DatabaseServerError, match=r"another application's tables \(invoices\)"):
        await PostgresDatabase.open(url)

    await run_sql(url, "SELECT id, total FROM invoices")


def booking(customer_id: int, slot_start: datetime = SINGLE_SLOT) -> BookingRequest:
    return BookingRequest(
        customer_id=customer_id,
        workshop_code=SINGLE,
        category="washer",
        slot_start=slot_start,
        phone=None,
        case_id=None,
        path=[],
    )


@pytest.fixture
async def two_instances(
    url: str, network: Network, clock: FakeClock
) -> AsyncIterator[tuple[PostgresDatabase, list[Bookings]]]:
    """Two pools, as two bot processes have, and customers 1 to 10: only the database can
    keep them exact."""
    first, second = await PostgresDatabase.open(url), await PostgresDatabase.open(url)
    try:
        for user_id in range(1, 11):
            await Customers(first).remember(user_id, f"C{user_id}", None, None, "en", clock.now())
        yield second, [Bookings(Storage(pool), network, clock) for pool in (first, second)]
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgresql
async def test_two_instances_racing_for_the_last_place_book_it_exactly_once(
    two_instances: tuple[PostgresDatabase, list[Bookings]],
) -> None:
    second, instances = two_instances

    results = await asyncio.gather(
        *(instances[user_id % 2].book(booking(user_id)) for user_id in range(1, 11))
    )

    assert sum(isinstance(result, TicketRecord) for result in results) == 1
    assert results.count(Refusal.SLOT_FULL) == 9
    row = await second.fetch_one(
        "SELECT COUNT(*) AS n FROM tickets WHERE workshop_code = ?", (SINGLE,)
    )
    assert row is not None and row["n"] == 1
    assert SINGLE_SLOT not in await instances[0].free_slots(SINGLE, FRIDAY)


@pytest.mark.postgresql
async def test_one_customer_booking_six_slots_at_once_on_two_instances_gets_three(
    two_instances: tuple[PostgresDatabase, list[Bookings]],
) -> None:
    second, instances = two_instances
    slots = [SINGLE_SLOT + timedelta(hours=hour) for hour in range(6)]

    results = await asyncio.gather(
        *(instances[n % 2].book(booking(1, slot)) for n, slot in enumerate(slots))
    )

    assert sum(isinstance(result, TicketRecord) for result in results) == MAX_ACTIVE_BOOKINGS
    assert results.count(Refusal.TOO_MANY_BOOKINGS) == len(slots) - MAX_ACTIVE_BOOKINGS
    row = await second.fetch_one("SELECT COUNT(*) AS n FROM tickets WHERE customer_id = 1")
    assert row is not None and row["n"] == MAX_ACTIVE_BOOKINGS
