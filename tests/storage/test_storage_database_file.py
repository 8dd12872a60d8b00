"""Opening the database file: a bad one is refused in one line, a good one is kept private."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
from contextlib import closing
from pathlib import Path

import pytest

from bot.storage.customers import Customers
from bot.storage.database import Database, DatabaseFileError, InboxDatabase, inbox_path
from bot.storage.inbox import InboxStore
from bot.storage.migrations import MIGRATIONS
from tests.storage.test_storage_migrations import NOW
from tests.support.clock import FakeClock


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def refusal(path: Path) -> str:
    """Open `path`, expecting a refusal; return its one-line message."""
    with pytest.raises(DatabaseFileError) as refused:
        await Database.open(path)
    message = str(refused.value)
    assert str(path) in message
    assert "\n" not in message
    return message


def run_sql(path: Path, script: str) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.executescript(script)


def write(path: Path, content: bytes) -> bytes:
    path.write_bytes(content)
    return content


def content_of(path: Path) -> bytes:
    return path.read_bytes()


def truncate_to_half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def damage_the_index(path: Path, index: str) -> None:
    """Give the page of `index` a header claiming more entries than a page can hold."""
    with closing(sqlite3.connect(path)) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        page = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)
        ).fetchone()[0]
    with path.open("r+b") as stream:
        stream.seek((page - 1) * page_size + 3)
        stream.write(b"\xff\xff\x00\x00")


async def make_bot_database(path: Path) -> None:
    database = await Database.open(path)
    await Customers(database).remember(1, "Anna", None, None, "en", NOW)
    await database.close()


async def test_a_file_that_is_not_a_database_is_refused_and_left_as_it_was(
    db_path: Path,
) -> None:
    content = write(db_path, b"These are somebody's notes, not a database.\n" * 100)

    message = await refusal(db_path)

    assert "is not a SQLite database" in message
    assert content_of(db_path) == content


async def test_a_truncated_database_is_refused_as_corrupt(db_path: Path) -> None:
    await make_bot_database(db_path)
    truncate_to_half(db_path)

    assert "is corrupt" in await refusal(db_path)


async def test_a_database_with_a_damaged_page_is_refused_naming_the_page(db_path: Path) -> None:
    await make_bot_database(db_path)
    damage_the_index(db_path, "tickets_slot")

    message = await refusal(db_path)

    assert "is corrupt (Page " in message
    assert "btreeInitPage() returns error code 11" in message


async def test_another_applications_sqlite_file_is_refused_and_not_migrated_into(
    db_path: Path,
) -> None:
    run_sql(db_path, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);")
    content = content_of(db_path)

    message = await refusal(db_path)

    assert "another application's tables (invoices)" in message
    assert content_of(db_path) == content


async def test_a_file_claiming_our_schema_without_our_tables_is_refused(db_path: Path) -> None:
    run_sql(db_path, "CREATE TABLE customers (id INTEGER); PRAGMA user_version = 2;")

    message = await refusal(db_path)

    assert "is not this bot's: schema 2, but tables admins, cases," in message


async def test_a_database_from_a_newer_version_of_the_bot_is_refused(db_path: Path) -> None:
    await make_bot_database(db_path)
    newer = len(MIGRATIONS) + 3
    run_sql(db_path, f"PRAGMA user_version = {newer};")

    message = await refusal(db_path)

    assert message.endswith(
        f"was written by a newer version of the bot "
        f"(schema {newer}, this version knows {len(MIGRATIONS)})"
    )


async def test_a_database_whose_folder_cannot_be_created_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "data", b"a file where the folder should be")
    path = tmp_path / "data" / "db" / "bot.sqlite3"

    message = await refusal(path)

    assert f"cannot be created in folder {path.parent} (Not a directory)" in message


async def test_a_folder_where_the_database_file_should_be_is_refused(db_path: Path) -> None:
    os.mkdir(db_path)

    assert await refusal(db_path) == f"database {db_path} is not a file"


async def test_a_refused_database_leaves_no_connection_thread_running(db_path: Path) -> None:
    write(db_path, b"garbage" * 1000)
    threads_before = set(threading.enumerate())

    await refusal(db_path)

    started = set(threading.enumerate()) - threads_before
    for thread in started:
        thread.join(timeout=5)  # it ends at once, or never: a hang, not a delay
    assert not [thread for thread in started if thread.is_alive()]


async def test_a_new_database_and_its_folders_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "var" / "bot" / "bot.sqlite3"

    database = await Database.open(path)
    try:
        await Customers(database).remember(1, "Anna", None, None, "en", NOW)
        assert mode_of(tmp_path / "var") == 0o700
        assert mode_of(tmp_path / "var" / "bot") == 0o700
        assert mode_of(path) == 0o600
        assert mode_of(path.with_name("bot.sqlite3-wal")) == 0o600
        assert mode_of(path.with_name("bot.sqlite3-shm")) == 0o600
    finally:
        await database.close()


async def test_the_inbox_file_beside_the_database_is_readable_by_its_owner_only(
    db_path: Path, clock: FakeClock
) -> None:
    inbox = await InboxDatabase.open(inbox_path(db_path), fresh=True)
    try:
        await InboxStore(inbox).store([(1, "{}")], clock.now())
        assert inbox_path(db_path) == db_path.with_name("bot.inbox.sqlite3")
        for name in ("bot.inbox.sqlite3", "bot.inbox.sqlite3-wal", "bot.inbox.sqlite3-shm"):
            assert mode_of(db_path.with_name(name)) == 0o600
    finally:
        await inbox.close()


async def test_a_file_that_is_not_an_inbox_is_refused_as_the_inbox(db_path: Path) -> None:
    """The main database where the inbox file should be (a wrong DATABASE_PATH edit)."""
    await (await Database.open(inbox_path(db_path), fresh=True)).close()

    with pytest.raises(DatabaseFileError, match="tables inbox are missing"):
        await InboxDatabase.open(inbox_path(db_path))


async def test_an_existing_database_open_to_others_is_made_owner_only_with_a_warning(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await make_bot_database(db_path)
    os.chmod(db_path, 0o644)
    caplog.clear()

    with caplog.at_level(logging.WARNING):
        database = await Database.open(db_path)
    try:
        assert mode_of(db_path) == 0o600
        assert mode_of(db_path.with_name("bot.sqlite3-wal")) == 0o600
        assert mode_of(db_path.with_name("bot.sqlite3-shm")) == 0o600
    finally:
        await database.close()

    assert [record.getMessage() for record in caplog.records] == [
        f"database {db_path} was open to other users (mode 644); made it owner-only"
    ]


async def test_a_new_empty_database_in_an_existing_folder_is_one_warning_naming_it(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            database = await Database.open(db_path)
            await database.close()

    assert [(record.levelno, record.getMessage()) for record in caplog.records] == [
        (
            logging.WARNING,
            f"created a new empty database at {db_path}; "
            "if the bot has run before, its database is elsewhere",
        )
    ]


async def test_a_database_wanted_fresh_is_created_without_a_warning(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.storage.database"):
        database = await Database.open(db_path, fresh=True)
    await database.close()

    assert [(record.levelno, record.getMessage()) for record in caplog.records] == [
        (logging.INFO, f"created a new database at {db_path}")
    ]


async def test_a_first_run_that_creates_the_folder_too_is_logged_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "data" / "bot.sqlite3"

    with caplog.at_level(logging.INFO, logger="bot.storage.database"):
        database = await Database.open(path)
    await database.close()

    assert [(record.levelno, record.getMessage()) for record in caplog.records] == [
        (logging.INFO, f"created a new database at {path}")
    ]
