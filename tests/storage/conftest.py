"""A fresh database per test on each engine (a real SQLite file, an empty PostgreSQL schema),
and the bundled network, for the storage layer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import DATA_DIR
from bot.storage.database import Database, InboxDatabase, inbox_path
from bot.storage.engine import Engine, InboxEngine
from bot.storage.postgres import PostgresDatabase
from bot.troubleshooting import load_tree
from bot.workshops import Network, load_workshops
from tests.support.clock import FakeClock
from tests.support.postgres import bot_schema


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


@pytest.fixture
async def db(engine: str, request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    """The test's database on `engine`: each test using it runs on both (tests/conftest.py)."""
    if engine == "sqlite":
        database: Engine = await Database.open(request.getfixturevalue("db_path"))
        try:
            yield database
        finally:
            await database.close()
        return
    async with bot_schema() as url:
        database = await PostgresDatabase.open(url)
        try:
            yield database
        finally:
            await database.close()


@pytest.fixture
async def inbox_db(db: Engine, request: pytest.FixtureRequest) -> AsyncIterator[InboxEngine]:
    """Where `db`'s inbox is: SQLite's file of its own beside it, PostgreSQL's `db` itself."""
    if isinstance(db, PostgresDatabase):
        yield db
        return
    inbox = await InboxDatabase.open(inbox_path(request.getfixturevalue("db_path")), fresh=True)
    try:
        yield inbox
    finally:
        await inbox.close()


@pytest.fixture
def clock() -> FakeClock:
    """Thursday 26 November 2026, 06:00 UTC: 09:00 in Moscow."""
    return FakeClock()


@pytest.fixture(scope="session")
def network() -> Network:
    tree = load_tree(DATA_DIR / "troubleshooting.yaml")
    return load_workshops(DATA_DIR / "workshops.yaml", tree, ZoneInfo("Europe/Moscow"))
