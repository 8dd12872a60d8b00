"""The PostgreSQL engine: the same interface as SQLite's `Database` and `Transaction`.

Repositories write their SQL once, with `?` placeholders; here each statement is numbered
(`$1`, `$2`...) once and cached. A connection pool lets reads run side by side; every write
transaction starts by taking one advisory lock, so write transactions follow one another as
SQLite's `BEGIN IMMEDIATE` makes them: what a booking counted is still true when it inserts,
whichever process or connection it runs in.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.storage.dialect import POSTGRES
from bot.storage.migrations_pg import MIGRATIONS

log = logging.getLogger(__name__)

WRITE_LOCK = 0x5245_5041_4952_0001
"""The advisory lock every write transaction holds until it ends (a bigint: "REPAIR" 1)."""
MIGRATION_LOCK = 0x5245_5041_4952_0002
"""Held while start-up checks and migrates the schema, so two instances starting at once
apply each migration once."""
POOL_SIZE = 10
CONNECT_TIMEOUT = 10
"""Seconds to reach the server: a wrong host in DATABASE_URL stops start-up in one line soon,
not after the driver's own minute."""


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """The pool's release without asyncpg's reset query (advisory unlock all, close cursors,
    unlisten, reset settings): a round trip per statement, 8.5 per update, for session state
    the bot never leaves on a pooled connection (its write lock ends with its transaction, the
    migration lock is let go in `finally`, the leader's lock has a connection of its own).
    A transaction left open is still rolled back by the pool."""


class DatabaseServerError(Exception):
    """A PostgreSQL database the bot cannot use: one line naming the server and database,
    never the user or password."""

    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        super().__init__(f"database {where} {problem}")


def describe(url: str) -> str:
    """`host:port/db` of a DATABASE_URL: what an operator needs to find it, without secrets."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or 5432
    except ValueError:
        return "(DATABASE_URL, unreadable)"
    return f"{host}:{port}/{parts.path.lstrip('/') or '(default)'}"


class PostgresDatabase:
    dialect = POSTGRES

    def __init__(self, pool: asyncpg.Pool, where: str) -> None:
        self._pool = pool
        self.where = where

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:
        """Connect, check and migrate, or refuse with a `DatabaseServerError`.

        The driver's own errors can quote the address they were given; only our one line,
        which names the server and database, leaves here.
        """
        where = describe(url)
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=POOL_SIZE,
                timeout=CONNECT_TIMEOUT,
                reset=_nothing_to_reset,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as error:
            reason = _reason(error, url)
            raise DatabaseServerError(where, f"cannot be reached ({reason})") from None
        database = cls(pool, where)
        try:
            await database._migrate()
        except BaseException as error:
            await pool.close()
            if isinstance(error, asyncpg.PostgresError):
                reason = _reason(error, url)
                raise DatabaseServerError(where, f"cannot be used ({reason})") from None
            raise
        log.info("using PostgreSQL database %s", where)
        return database

    async def close(self) -> None:
        await self._pool.close()

    @property
    def aside(self) -> PostgresDatabase:
        """What SQLite runs off the event loop's thread: asyncpg never holds the loop."""
        return self

    async def ping(self) -> None:
        """Answer a trivial query through the pool, as every other statement waits for one
        of its connections (health checks)."""
        await self.fetch_one("SELECT 1")

    async def _migrate(self) -> None:
        """Apply, each in its own transaction, the migrations newer than `schema_version`."""
        async with self._pool.acquire() as connection:
            await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                current = await _schema_version(connection, self.where)
                for version, script in enumerate(MIGRATIONS, start=1):
                    if version <= current:
                        continue
                    async with connection.transaction():
                        await connection.execute(script)
                        await connection.execute(
                            "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
                            version,
                            datetime.now(UTC).isoformat(timespec="seconds"),
                        )
                    if current == 0 and version == 1:
                        log.info("created the bot's tables in database %s", self.where)
            finally:
                await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)

    @asynccontextmanager
    async def transaction(self, *, serialized: bool = True) -> AsyncIterator[PostgresTransaction]:
        """A write transaction, after every earlier one has ended.

        One lock for the whole database, as SQLite has; a later slice narrows it to one
        lock per workshop, so bookings at different workshops stop waiting for each other.
        `serialized=False`: a transaction that only puts rows of its own, which no check of
        another reads (a conversation's step and draft, under its chat's lease), goes ahead
        without waiting for that line.
        """
        async with self._pool.acquire() as connection, connection.transaction():
            if serialized:
                await connection.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
            yield PostgresTransaction(connection)

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> asyncpg.Record | None:
        return await self._pool.fetchrow(numbered(sql), *params)

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[asyncpg.Record]:
        return await self._pool.fetch(numbered(sql), *params)

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement as its own transaction; return how many rows it changed."""
        return _rowcount(await self._pool.execute(numbered(sql), *params))

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT and return the new row's id."""
        return await self._pool.fetchval(returning_id(sql), *params)


class PostgresTransaction:
    """Statements run inside `PostgresDatabase.transaction()`, on its one connection."""

    dialect = POSTGRES

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> asyncpg.Record | None:
        return await self._connection.fetchrow(numbered(sql), *params)

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[asyncpg.Record]:
        return await self._connection.fetch(numbered(sql), *params)

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        return _rowcount(await self._connection.execute(numbered(sql), *params))

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        return await self._connection.fetchval(returning_id(sql), *params)


@lru_cache(maxsize=1024)
def numbered(sql: str) -> str:
    """`?` placeholders as `$1`, `$2`...; a `?` inside a quoted string or name stays."""
    out: list[str] = []
    quote = ""
    count = 0
    for char in sql:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "?":
            count += 1
            out.append(f"${count}")
            continue
        out.append(char)
    return "".join(out)


@lru_cache(maxsize=256)
def returning_id(sql: str) -> str:
    """An INSERT that gives back its row's id, as SQLite's `lastrowid` does."""
    return f"{numbered(sql).rstrip().rstrip(';')} RETURNING id"


async def _schema_version(connection: asyncpg.Connection, where: str) -> int:
    """The schema version; refuse another application's tables, or a newer bot's schema."""
    tables = {
        row["table_name"]
        for row in await connection.fetch(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema()"
        )
    }
    if "schema_version" not in tables:
        if tables:
            names = ", ".join(sorted(tables)[:5]) + (" ..." if len(tables) > 5 else "")
            raise DatabaseServerError(
                where, f"holds another application's tables ({names}), not this bot's"
            )
        await connection.execute(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        return 0
    version = await connection.fetchval("SELECT coalesce(MAX(version), 0) FROM schema_version")
    known = len(MIGRATIONS)
    if version > known:
        raise DatabaseServerError(
            where,
            f"was written by a newer version of the bot (schema {version}, "
            f"this version knows {known})",
        )
    return version


def _rowcount(status: str) -> int:
    """The rows a command changed, from its status: `UPDATE 3`, `INSERT 0 1`."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


def _reason(error: BaseException, url: str) -> str:
    """The driver's first line, with the password taken out should it quote the address."""
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    return text.replace(password, "***") if password else text
