"""Opening the database: pragmas, schema version, tables, and opening it again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage.customers import Customers
from bot.storage.database import Database, InboxDatabase, inbox_path, stamp, unstamp
from bot.storage.engine import Engine
from bot.storage.migrations import MIGRATIONS
from bot.storage.migrations_pg import MIGRATIONS as MIGRATIONS_PG
from bot.storage.postgres import PostgresDatabase
from tests.support.postgres import REFUSED_BY_DATABASE, fresh_schema

TABLES = {"customers", "cases", "tickets", "ticket_events", "conversations", "user_data"}
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


async def pragma(db: Database, name: str) -> object:
    row = await db.fetch_one(f"PRAGMA {name}")
    assert row is not None
    return row[0]


async def database_file(db: Database) -> str:
    row = await db.fetch_one("PRAGMA database_list")
    assert row is not None
    return row["file"]


@pytest.mark.sqlite_only("about the SQLite file's settings")
async def test_a_new_database_file_uses_wal_and_enforces_foreign_keys(
    db: Database, db_path: Path
) -> None:
    assert await database_file(db) == str(db_path)
    assert await pragma(db, "journal_mode") == "wal"
    assert await pragma(db, "foreign_keys") == 1


async def test_a_new_database_is_at_the_latest_schema_version(db: Engine) -> None:
    if db.dialect.name == "sqlite":
        assert await pragma(db, "user_version") == len(MIGRATIONS)
    else:
        row = await db.fetch_one("SELECT MAX(version) AS v FROM schema_version")
        assert row is not None and row["v"] == len(MIGRATIONS_PG)


async def test_a_new_database_has_every_table(db: Engine) -> None:
    if db.dialect.name == "sqlite":
        rows = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = await db.fetch_all(
            "SELECT table_name AS name FROM information_schema.tables"
            " WHERE table_schema = current_schema()"
        )

    assert {row["name"] for row in rows} >= TABLES


async def test_opening_an_existing_database_again_keeps_its_data_and_version(
    db_path: Path,
) -> None:
    first = await Database.open(db_path)
    await Customers(first).remember(1, "Anna", None, None, "en", NOW)
    await first.close()

    again = await Database.open(db_path)
    try:
        assert await pragma(again, "user_version") == len(MIGRATIONS)
        row = await again.fetch_one("SELECT first_name FROM customers WHERE user_id = 1")
        assert row is not None and row["first_name"] == "Anna"
    finally:
        await again.close()


async def test_a_database_in_a_missing_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "bot.sqlite3"

    database = await Database.open(path)
    try:
        assert await database_file(database) == str(path)
        assert await pragma(database, "user_version") == len(MIGRATIONS)
    finally:
        await database.close()


async def test_a_row_pointing_at_a_missing_customer_is_refused(db: Engine) -> None:
    with pytest.raises(REFUSED_BY_DATABASE):
        await db.insert(
            "INSERT INTO cases (customer_id, category, started_at) VALUES (?, ?, ?)",
            (404, "phone", stamp(NOW)),
        )


async def test_a_failed_transaction_leaves_nothing_behind(db: Database) -> None:
    async def remember_then_fail() -> None:
        async with db.transaction() as tx:
            await Customers(tx).remember(2, "Boris", None, None, "en", NOW)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await remember_then_fail()

    assert await db.fetch_one("SELECT 1 FROM customers WHERE user_id = 2") is None


def test_stamps_are_utc_text_that_reads_back_as_the_same_moment() -> None:
    moscow_morning = datetime.fromisoformat("2026-11-26T09:00:00+03:00")

    assert stamp(moscow_morning) == "2026-11-26T06:00:00+00:00"
    assert unstamp(stamp(moscow_morning)) == moscow_morning


def test_a_naive_datetime_is_refused_for_storage() -> None:
    with pytest.raises(ValueError, match="naive"):
        stamp(datetime(2026, 11, 26, 9, 0))


@pytest.mark.postgresql
async def test_both_engines_have_the_same_tables_and_columns(db_path: Path) -> None:
    """A migration added for one engine only would break the other at the first query.

    SQLite's tables are those of the main file and of the inbox's file beside it."""
    on_sqlite: set[tuple[str, str]] = set()
    for sqlite in (await Database.open(db_path), await InboxDatabase.open(inbox_path(db_path))):
        try:
            tables = await sqlite.fetch_all(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE 'ticket_words%'"
            )
            on_sqlite |= {
                (table["name"], column["name"])
                for table in tables
                for column in await sqlite.fetch_all(f"PRAGMA table_info({table['name']})")
            }
        finally:
            await sqlite.close()
    async with fresh_schema() as url:
        postgres = await PostgresDatabase.open(url)
        try:
            columns = await postgres.fetch_all(
                "SELECT table_name AS t, column_name AS c FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name <> 'schema_version'"
            )
        finally:
            await postgres.close()
    on_postgres = {(row["t"], row["c"]) for row in columns}

    assert on_sqlite - on_postgres == set(), "only on SQLite"
    assert on_postgres - on_sqlite == set(), "only on PostgreSQL"
