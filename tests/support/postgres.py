"""Which engines a test runs on, and a fresh, empty PostgreSQL schema per test, in the
database TEST_DATABASE_URL names.

Every test that uses the `engine` fixture runs on SQLite and on PostgreSQL (`engines_of`).
PostgreSQL runs (marked `postgresql`) happen only when TEST_DATABASE_URL is set (`.ci/run`
sets it); each gets a schema of its own, made the connection's search path through the URL,
and dropped after.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import pytest

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
SKIP_REASON = (
    "TEST_DATABASE_URL is not set (e.g. postgresql://user:password@localhost/db, an empty "
    "database; .ci/run starts a server and sets it)"
)
POSTGRESQL = pytest.param("postgresql", marks=pytest.mark.postgresql)
ENGINES = ["sqlite", POSTGRESQL]
"""The `engine` of a test that runs on both engines; tests/conftest.py leaves out the
PostgreSQL runs, in one line, when TEST_DATABASE_URL is not set."""
REFUSED_BY_DATABASE = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
"""What either engine raises for a row its constraints refuse."""


def with_search_path(url: str, schema: str) -> str:
    """The URL with `schema` as the connection's search path (the driver passes unknown
    query parameters on as server settings)."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query), ("search_path", schema)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def engines_of(test: pytest.Item) -> list[Any]:
    """The engines a test that uses the `engine` fixture runs on: both, unless it says.

    `postgresql` (about PostgreSQL alone, such as several instances at once): PostgreSQL only.
    `sqlite_only("why")` (about SQLite alone, such as its file): its PostgreSQL run is skipped
    with the reason, so the summary says which tests one engine lacks, and why.
    """
    if test.get_closest_marker("postgresql"):
        return [POSTGRESQL]
    only = test.get_closest_marker("sqlite_only")
    if only is None:
        return ENGINES
    if len(only.args) != 1 or not isinstance(only.args[0], str) or not only.args[0]:
        raise pytest.UsageError(f"{test.nodeid}: sqlite_only needs one reason, a string")
    skipped = pytest.mark.skip(reason=f"SQLite only: {only.args[0]}")
    return ["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgresql, skipped])]


@asynccontextmanager
async def database_url_for(engine: str) -> AsyncIterator[str | None]:
    """The bot's DATABASE_URL on `engine`: None for SQLite (its file is DATABASE_PATH); on
    PostgreSQL, the URL of a fresh, empty schema."""
    if engine == "sqlite":
        yield None
        return
    async with fresh_schema() as url:
        yield url


@asynccontextmanager
async def fresh_schema() -> AsyncIterator[str]:
    """Make an empty schema, yield a DATABASE_URL that uses it, then drop it."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        yield with_search_path(TEST_DATABASE_URL, schema)
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()
