"""SQLite's two connections to the main file: the bot's statements on the event loop's thread,
what may take long aside on aiosqlite's, and the log's checkpoints there too."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage.database import CHECKPOINT_AFTER_ROWS, Database, Row
from bot.storage.unit_of_work import Storage

pytestmark = pytest.mark.sqlite_only("about SQLite's connections to its file")

CUSTOMER = (
    "INSERT INTO customers (user_id, first_name, created_at, seen_at)"
    " VALUES (?, 'Ann', '2026-11-26T06:00:00+00:00', '2026-11-26T06:00:00+00:00')"
)


@pytest.fixture
async def database(db_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(db_path)
    try:
        yield database
    finally:
        await database.close()


def customers_in_the_file_itself(path: Path) -> int:
    """What the database file holds without its write-ahead log (`immutable` skips the log)."""
    with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as reader:
        try:
            return int(reader.execute("SELECT COUNT(*) FROM customers").fetchone()[0])
        except sqlite3.OperationalError:  # not even the tables are there yet
            return 0


def log_size(path: Path) -> int:
    return Path(f"{path}-wal").stat().st_size


async def until_the_file_holds(path: Path, customers: int) -> int:
    """The customers the file itself holds, once it holds `customers` or after 5 s."""
    for _ in range(500):
        if customers_in_the_file_itself(path) >= customers:
            break
        # The checkpoint runs on aiosqlite's thread: give the loop turns to hear it ended.
        await asyncio.sleep(0.01)
    return customers_in_the_file_itself(path)


async def test_what_the_bot_writes_reaches_the_file_itself_while_it_runs(
    database: Database, db_path: Path
) -> None:
    for user_id in range(1, CHECKPOINT_AFTER_ROWS + 1):
        await database.execute(CUSTOMER, (user_id,))
    assert await until_the_file_holds(db_path, CHECKPOINT_AFTER_ROWS) == CHECKPOINT_AFTER_ROWS


async def test_the_log_does_not_grow_without_bound(database: Database, db_path: Path) -> None:
    rounds = 8
    for round_ in range(rounds):
        for n in range(1, CHECKPOINT_AFTER_ROWS + 1):
            await database.execute(CUSTOMER, (round_ * CHECKPOINT_AFTER_ROWS + n,))
        written = (round_ + 1) * CHECKPOINT_AFTER_ROWS
        assert await until_the_file_holds(db_path, written) == written
    # Without checkpoints every one of those commits would stay in the log, a page or more each;
    # with them, the log starts again from its beginning after each.
    unchecked = rounds * CHECKPOINT_AFTER_ROWS * 4096
    assert log_size(db_path) < unchecked / 2


async def test_a_write_on_the_loop_waits_for_a_transaction_aside_and_both_commit(
    database: Database,
) -> None:
    async with database.aside.transaction() as aside:
        await aside.execute(CUSTOMER, (1,))
        on_loop = asyncio.create_task(database.execute(CUSTOMER, (2,)))
        for _ in range(5):
            await asyncio.sleep(0)
        assert not on_loop.done()
    await asyncio.wait_for(on_loop, 5)
    rows = await database.fetch_all("SELECT user_id FROM customers ORDER BY user_id")
    assert [row["user_id"] for row in rows] == [1, 2]


async def test_a_report_does_not_wait_for_a_unit_of_work_in_progress(database: Database) -> None:
    storage = Storage(database)
    since, until = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    async with storage.unit() as uow:
        await uow.customers.remember(1, "Ann", None, None, "en", since)
        # Aside, the report reads what was committed before the unit began.
        assert await asyncio.wait_for(storage.stats.bookings(since, until), 5) == {}


async def test_a_failed_transaction_aside_leaves_nothing_and_the_loop_goes_on(
    database: Database,
) -> None:
    async def the_same_customer_twice() -> None:
        async with database.aside.transaction() as aside:
            await aside.execute(CUSTOMER, (1,))
            await aside.execute(CUSTOMER, (1,))

    with pytest.raises(sqlite3.IntegrityError):
        await the_same_customer_twice()
    await database.execute(CUSTOMER, (2,))
    rows = await database.fetch_all("SELECT user_id FROM customers")
    assert [row["user_id"] for row in rows] == [2]


async def test_a_read_aside_waits_for_a_transaction_aside_and_never_sees_what_it_undid(
    database: Database,
) -> None:
    reads: list[asyncio.Task[list[Row]]] = []

    async def undone() -> None:
        async with database.aside.transaction() as aside:
            await aside.execute(CUSTOMER, (1,))
            reads.append(asyncio.create_task(database.aside.fetch_all("SELECT * FROM customers")))
            for _ in range(5):
                await asyncio.sleep(0)
            raise LookupError("changed its mind")

    with pytest.raises(LookupError):
        await undone()
    assert await asyncio.wait_for(reads[0], 5) == []


DEFERRED = (
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, customer_id INTEGER"
    " REFERENCES customers (user_id) DEFERRABLE INITIALLY DEFERRED)"
)
ORPHAN = "INSERT INTO notes (id, customer_id) VALUES (1, 404)"


async def test_a_commit_that_fails_leaves_no_transaction_open_on_the_loop(
    database: Database,
) -> None:
    await database.execute(DEFERRED)

    async def orphan() -> None:
        async with database.transaction() as tx:
            await tx.execute(ORPHAN)  # refused only at COMMIT, which then stays open

    with pytest.raises(sqlite3.IntegrityError):
        await orphan()
    await database.execute(CUSTOMER, (1,))
    assert await database.fetch_all("SELECT * FROM notes") == []


async def test_a_commit_that_fails_leaves_no_transaction_open_aside(database: Database) -> None:
    await database.execute(DEFERRED)

    async def orphan() -> None:
        async with database.aside.transaction() as tx:
            await tx.execute(ORPHAN)

    with pytest.raises(sqlite3.IntegrityError):
        await orphan()
    async with database.aside.transaction() as tx:
        await tx.execute(CUSTOMER, (1,))
    assert await database.aside.fetch_all("SELECT * FROM notes") == []
