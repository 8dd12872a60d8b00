"""`python -m bot` with DATABASE_URL: a database it cannot use is one line, without the password."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from bot.storage.migrations_pg import MIGRATIONS
from bot.storage.postgres import PostgresDatabase
from tests.support.postgres import fresh_schema

NOWHERE = "http://127.0.0.1:9/bot"  # never reached: the database is refused before Telegram
SECONDS_TO_EXIT = 20
PROJECT = Path(__file__).resolve().parents[2]


async def refusal(tmp_path: Path, database_url: str) -> str:
    """Start the bot on `database_url`; expect exit status 2 and return its only output line."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": os.pathsep.join([str(PROJECT), os.environ.get("PYTHONPATH", "")]),
            "BOT_TOKEN": "123456:TEST-TOKEN",
            "TELEGRAM_API_URL": NOWHERE,
            "DATABASE_URL": database_url,
            "HEALTH_LISTEN": "127.0.0.1:0",
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
    lines = output.splitlines()
    assert len(lines) == 1, output
    password = urlsplit(database_url).password
    assert not password or password not in output
    return lines[0]


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with fresh_schema() as schema_url:
        yield schema_url


async def test_an_unreachable_database_server_stops_the_bot_naming_host_and_database_only(
    tmp_path: Path,
) -> None:
    line = await refusal(tmp_path, "postgresql://bot:hunter2@127.0.0.1:9/shop")

    assert line.startswith("error: database 127.0.0.1:9/shop cannot be reached ("), line


async def test_a_database_url_of_another_kind_is_refused_without_repeating_it(
    tmp_path: Path,
) -> None:
    line = await refusal(tmp_path, "mysql://bot:hunter2@127.0.0.1/shop")

    assert line == (
        "error: DATABASE_URL: is not like postgresql://user:password@host:5432/db"
    ), line


@pytest.mark.postgresql
async def test_a_postgresql_database_from_a_newer_bot_stops_the_bot_with_one_line(
    tmp_path: Path, url: str
) -> None:
    await (await PostgresDatabase.open(url)).close()
    newer = len(MIGRATIONS) + 1
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "INSERT INTO schema_version VALUES ($1, '2027-01-01T00:00:00+00:00')", newer
        )
    finally:
        await connection.close()

    line = await refusal(tmp_path, url)

    assert line.endswith(
        f"was written by a newer version of the bot "
        f"(schema {newer}, this version knows {len(MIGRATIONS)})"
    ), line
