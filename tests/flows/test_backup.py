"""`python -m bot backup`: copies of the database taken while the bot runs and customers book."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from bot.storage.backup import back_up
from tests.flows.test_command_line import run_bot
from tests.flows.test_forged_input import book
from tests.support.bot_runner import BotRunner

BACKS_UP_THE_SQLITE_FILE = pytest.mark.sqlite_only(
    "`python -m bot backup` copies the SQLite file; PostgreSQL is backed up with its own tools"
)


def codes_in(copy: Path) -> set[str]:
    """The ticket codes in a copy, once SQLite has found it sound."""
    with closing(sqlite3.connect(copy)) as connection:
        assert connection.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        return {row[0] for row in connection.execute("SELECT code FROM tickets")}


def names_in(folder: Path) -> list[str]:
    return sorted(each.name for each in folder.iterdir())


@BACKS_UP_THE_SQLITE_FILE
async def test_backups_taken_while_a_customer_books_are_sound_and_hold_the_earlier_bookings(
    shop: BotRunner, tmp_path: Path
) -> None:
    earlier = {
        await book(shop.person(1001, "Anna"), time="14:00"),
        await book(shop.person(1002, "Boris"), time="15:00"),
    }
    copy = tmp_path / "backups" / "bot.sqlite3"
    copy.parent.mkdir()

    booking = asyncio.create_task(book(shop.person(1003, "Vera"), time="16:00"))
    taken = 0
    while not booking.done():
        await asyncio.to_thread(back_up, shop.settings.database_path, copy)
        taken += 1
        assert earlier <= codes_in(copy)
    later = await booking

    assert taken > 1, "the backups went on while the customer booked"
    await asyncio.to_thread(back_up, shop.settings.database_path, copy)
    assert codes_in(copy) == {*earlier, later}
    assert names_in(copy.parent) == ["bot.sqlite3"]


@BACKS_UP_THE_SQLITE_FILE
async def test_the_backup_command_copies_the_running_bots_database_reading_only_database_path(
    shop: BotRunner, tmp_path: Path
) -> None:
    code = await book(shop.person(1001, "Anna"))
    folder = tmp_path / "cron"
    folder.mkdir()
    (folder / ".env").write_text(
        f"BOT_TOKEN=\nTIMEZONE=Nowhere/Else\nDATABASE_PATH={shop.settings.database_path}\n",
        encoding="utf-8",
    )

    status, stdout, stderr = await run_bot(folder, "backup", "nightly.sqlite3")

    assert status == 0, stderr
    copy = folder / "nightly.sqlite3"
    assert stdout.splitlines() == [
        f"backed up {shop.settings.database_path} to nightly.sqlite3 "
        f"({copy.stat().st_size} bytes)"
    ]
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert codes_in(copy) == {code}


@pytest.mark.parametrize(
    ("database", "target", "problem"),
    [
        ("missing.sqlite3", "copy.sqlite3", "does not exist (DATABASE_PATH)"),
        ("bot.sqlite3", "no-such-folder/copy.sqlite3", "cannot be written in folder"),
        ("bot.sqlite3", "bot.sqlite3", "is the live database (DATABASE_PATH)"),
    ],
    ids=["missing database", "target folder missing", "target is the database"],
)
async def test_a_backup_that_cannot_be_made_is_one_line_and_status_2(
    tmp_path: Path, database: str, target: str, problem: str
) -> None:
    with closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as connection:
        connection.execute("CREATE TABLE tickets (code TEXT)")
    before = names_in(tmp_path)

    status, stdout, stderr = await run_bot(tmp_path, "backup", target, DATABASE_PATH=database)

    assert status == 2
    assert stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith("error: ")
    assert problem in stderr
    assert names_in(tmp_path) == before


async def test_a_backup_with_postgresql_configured_points_to_its_own_tools(tmp_path: Path) -> None:
    before = names_in(tmp_path)

    status, stdout, stderr = await run_bot(
        tmp_path,
        "backup",
        "copy.sqlite3",
        DATABASE_URL="postgresql://bot:hunter2-secret@db.example:5432/repairs",
    )

    assert status == 2
    assert stdout == ""
    assert stderr.count("\n") == 1 and "pg_dump" in stderr
    assert "hunter2" not in stderr
    assert names_in(tmp_path) == before


async def test_help_names_the_backup_command(tmp_path: Path) -> None:
    status, stdout, _ = await run_bot(tmp_path, "--help")
    assert status == 0
    assert "python -m bot backup FILE" in stdout

    status, stdout, _ = await run_bot(tmp_path, "backup", "--help")
    assert status == 0
    assert "needs no BOT_TOKEN" in " ".join(stdout.split())
