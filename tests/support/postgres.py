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

from bot.storage.migrations_pg import MIGRATIONS

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
    PostgreSQL, the URL of a schema without rows (`bot_schema`)."""
    if engine == "sqlite":
        yield None
        return
    async with bot_schema() as url:
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


SPARE_SCHEMAS: list[str] = []
"""Schemas of this process's finished tests, emptied of rows, for its next tests: migrating a
fresh schema for each test cost it a tenth of a second. `drop_spare_schemas` ends them."""


@asynccontextmanager
async def bot_schema() -> AsyncIterator[str]:
    """A DATABASE_URL for a test of the bot: a schema with no rows, either fresh or one an
    earlier test left with exactly the bot's tables, which the bot then finds up to date.

    After the test its rows are deleted (identities restarted) and it is kept for the next;
    one the test changed beyond rows (a trigger, a function, another schema version) is
    dropped instead.
    """
    if SPARE_SCHEMAS:
        schema = SPARE_SCHEMAS.pop()
    else:
        schema = f"test_{uuid.uuid4().hex[:16]}"
        admin = await asyncpg.connect(TEST_DATABASE_URL)
        try:
            await admin.execute(f"CREATE SCHEMA {schema}")
        finally:
            await admin.close()
    try:
        yield with_search_path(TEST_DATABASE_URL, schema)
    finally:
        admin = await asyncpg.connect(TEST_DATABASE_URL)
        try:
            if await _emptied(admin, schema):
                SPARE_SCHEMAS.append(schema)
            else:
                await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await admin.close()


async def _emptied(admin: asyncpg.Connection, schema: str) -> bool:
    """Delete every row of a schema only the bot's migrations shaped; False (nothing done)
    for one a test changed otherwise."""
    found = await admin.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
    tables = [row["tablename"] for row in found]
    if "schema_version" not in tables:
        return not tables
    versions = [
        row["version"]
        for row in await admin.fetch(f"SELECT version FROM {schema}.schema_version ORDER BY 1")
    ]
    changed = await admin.fetchval(
        "SELECT EXISTS (SELECT FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1"
        " AND NOT t.tgisinternal)"
        " OR EXISTS (SELECT FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = $1)",
        schema,
    )
    if changed or versions != list(range(1, len(MIGRATIONS) + 1)):
        return False
    rows = ", ".join(f"{schema}.{table}" for table in tables if table != "schema_version")
    await admin.execute(f"TRUNCATE {rows} RESTART IDENTITY CASCADE")
    return True


async def drop_spare_schemas() -> None:
    """Drop the schemas kept for later tests, at the end of the session."""
    if not SPARE_SCHEMAS:
        return
    admin = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        while SPARE_SCHEMAS:
            await admin.execute(f"DROP SCHEMA {SPARE_SCHEMAS.pop()} CASCADE")
    finally:
        await admin.close()
