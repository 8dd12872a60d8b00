"""`python -m bot` given a database it cannot use: one line naming the file, exit 2, no hang."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS

NOWHERE = "http://127.0.0.1:9/bot"  # never reached: the database is refused before Telegram
SECONDS_TO_EXIT = 20  # start-up takes a second or two; a hang never ends
PROJECT = Path(__file__).resolve().parents[2]  # the process runs the code under test


def as_unprivileged(command: list[str]) -> list[str]:
    """Run `command` without root's right to ignore file modes, so a read-only file is one."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root ignores file modes, and setpriv is not here to drop that right")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--", *command]


async def start_bot(tmp_path: Path, database: Path, *, unprivileged: bool = False) -> str:
    """Start the bot on `database`; expect exit status 2 and return its only output line.

    LOG_LEVEL is left at its default, as an operator would: the refusal is still all there is.
    """
    command = [sys.executable, "-m", "bot"]
    process = await asyncio.create_subprocess_exec(
        *(as_unprivileged(command) if unprivileged else command),
        cwd=tmp_path,
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(PROJECT),
            "BOT_TOKEN": "123456:TEST-TOKEN",
            "TELEGRAM_API_URL": NOWHERE,
            "DATABASE_PATH": str(database),
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=SECONDS_TO_EXIT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = (stdout + stderr).decode()
    assert process.returncode == 2, output
    assert stdout == b""
    lines = output.splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith(f"error: database {database} "), output
    return lines[0]


def run_sql(path: Path, script: str) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.executescript(script)


async def make_bot_database(path: Path) -> None:
    database = await Database.open(path)
    await database.close()


def write(path: Path, content: bytes) -> None:
    path.write_bytes(content)


def truncate_to_half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


async def test_a_file_that_is_not_a_database_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    write(database, b"These are somebody's notes, not a database.\n" * 100)

    line = await start_bot(tmp_path, database)

    assert "is not a SQLite database" in line


async def test_a_truncated_database_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await make_bot_database(database)
    truncate_to_half(database)

    line = await start_bot(tmp_path, database)

    assert "is corrupt" in line


async def test_another_applications_database_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    database = tmp_path / "shop.sqlite3"
    run_sql(database, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);")

    line = await start_bot(tmp_path, database)

    assert "holds another application's tables (invoices), not this bot's" in line


async def test_a_database_from_a_newer_bot_stops_the_bot_with_one_line(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await make_bot_database(database)
    newer = len(MIGRATIONS) + 1
    run_sql(database, f"PRAGMA user_version = {newer};")

    line = await start_bot(tmp_path, database)

    assert line.endswith(
        f"was written by a newer version of the bot "
        f"(schema {newer}, this version knows {len(MIGRATIONS)})"
    )


async def test_a_read_only_database_stops_the_bot_at_start_not_at_the_first_customer(
    tmp_path: Path,
) -> None:
    database = tmp_path / "bot.sqlite3"
    await make_bot_database(database)
    os.chmod(database, 0o400)

    line = await start_bot(tmp_path, database, unprivileged=True)

    assert "is read-only" in line


async def test_a_database_in_a_read_only_folder_stops_the_bot_with_one_line(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    os.mkdir(folder, mode=0o500)

    line = await start_bot(tmp_path, folder / "bot.sqlite3", unprivileged=True)

    assert f"its folder {folder} is read-only" in line
