"""The SQLite connection: WAL, foreign keys, migrations, and one lock for every statement.

aiosqlite runs one connection on one thread, so two coroutines interleaving their statements
would share one transaction. The lock makes each `transaction()` (and each read) a unit that
no other coroutine can cut into.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.migrations import MIGRATIONS

Row = aiosqlite.Row


class Database:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA busy_timeout = 5000",
        ):
            await connection.execute(pragma)
        database = cls(connection)
        await database._migrate()
        return database

    async def close(self) -> None:
        await self._connection.close()

    async def _migrate(self) -> None:
        """Apply, each in its own transaction, the migrations newer than `user_version`."""
        async with self._connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        current = row[0] if row else 0
        for version, script in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            await self._connection.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
            )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._connection)
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            await self._connection.execute("COMMIT")

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        async with self._lock:
            return await Transaction(self._connection).fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        async with self._lock:
            return await Transaction(self._connection).fetch_all(sql, params)

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement as its own transaction; return how many rows it changed."""
        async with self._lock:
            return await Transaction(self._connection).execute(sql, params)

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        async with self._lock:
            return await Transaction(self._connection).insert(sql, params)


class Transaction:
    """Statements run inside `Database.transaction()`, which commit or roll back together.

    Each statement is one trip to aiosqlite's thread: a cursor's fetch and close would each
    be another, and under load those trips cost more than the statements.
    """

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        rows = await self._connection.execute_fetchall(sql, tuple(params))
        return next(iter(rows), None)

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return list(await self._connection.execute_fetchall(sql, tuple(params)))

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        cursor = await self._connection.execute(sql, tuple(params))
        return cursor.rowcount

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT and return the new row's id."""
        cursor = await self._connection.execute(sql, tuple(params))
        if cursor.lastrowid is None:
            raise RuntimeError("INSERT produced no row id")
        return cursor.lastrowid


Executor = Database | Transaction
"""Where a repository runs a statement: on its own, or inside a caller's transaction."""


def stamp(moment: datetime) -> str:
    """Aware datetime to the stored UTC text form."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; store aware ones")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def unstamp(text: str) -> datetime:
    return datetime.fromisoformat(text)
