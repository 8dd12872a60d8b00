"""A fresh, empty PostgreSQL schema per test, in the database TEST_DATABASE_URL names.

PostgreSQL tests (marked `postgresql`) run only when TEST_DATABASE_URL is set (`.ci/run`
sets it); each gets a schema of its own, made the connection's search path through the URL,
and dropped after.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import pytest

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
SKIP_REASON = (
    "TEST_DATABASE_URL is not set (e.g. postgresql://user:password@localhost/db, an empty "
    "database; .ci/run starts a server and sets it)"
)
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
"""Parameters of a fixture that runs its tests on both engines; tests/conftest.py leaves out
the PostgreSQL ones, in one line, when TEST_DATABASE_URL is not set."""
REFUSED_BY_DATABASE = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)
"""What either engine raises for a row its constraints refuse."""


def with_search_path(url: str, schema: str) -> str:
    """The URL with `schema` as the connection's search path (the driver passes unknown
    query parameters on as server settings)."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query), ("search_path", schema)]
    return urlunsplit(parts._replace(query=urlencode(query)))


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
