"""The bot's database as a test reads or changes it behind the bot's back, on either engine.

Statements go through the bot's own engine (`?` placeholders, rows read by column name), so a
test says once what it looks at or changes and runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import asyncpg

from bot.config import Settings
from bot.storage.engine import Engine, open_database, open_inbox

DISK_FULL = (sqlite3.IntegrityError, asyncpg.DiskFullError)
"""What a write raises on either engine while `full_disk` is in place."""


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[Engine]:
    """The database `settings` name, opened beside the bot (or while it is stopped)."""
    db = await open_database(settings)
    try:
        yield db
    finally:
        await db.close()


@asynccontextmanager
async def inbox_of(settings: Settings) -> AsyncIterator[Engine]:
    """The bot's inbox, opened beside the bot: PostgreSQL's one database, or SQLite's inbox
    file beside `DATABASE_PATH`."""
    async with opened(settings) as db:
        inbox = await open_inbox(settings, db)
        try:
            yield inbox
        finally:
            if inbox is not db:
                await inbox.close()


def environment_of(settings: Settings) -> dict[str, str]:
    """The environment that gives `python -m bot` the database `settings` name."""
    found = {"DATABASE_PATH": str(settings.database_path)}
    if settings.database_url is not None:
        found["DATABASE_URL"] = settings.database_url.get_secret_value()
    return found


async def rows_of(settings: Settings, sql: str, params: Iterable[object] = ()) -> list[tuple]:
    """The rows a query finds, each a plain tuple in its columns' order."""
    async with opened(settings) as db:
        return [tuple(row) for row in await db.fetch_all(sql, params)]


async def inbox_rows_of(
    settings: Settings, sql: str, params: Iterable[object] = ()
) -> list[tuple]:
    """`rows_of` for a query of the inbox."""
    async with inbox_of(settings) as inbox:
        return [tuple(row) for row in await inbox.fetch_all(sql, params)]


@asynccontextmanager
async def full_disk(db: Engine, table: str, event: str = "UPDATE") -> AsyncIterator[None]:
    """While inside, every `event` ("UPDATE", "UPDATE OF status", "INSERT") on `table` fails
    as a full disk would, raising one of `DISK_FULL`: a trigger that refuses the row."""
    if db.dialect.name == "sqlite":
        await db.execute(
            f"CREATE TRIGGER full_disk BEFORE {event} ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
        drop = "DROP TRIGGER full_disk"
    else:
        await db.execute(
            "CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'database or disk is full' USING ERRCODE = 'disk_full'; END $$;"
            f"CREATE TRIGGER full_disk BEFORE {event} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION full_disk()"
        )
        drop = f"DROP TRIGGER full_disk ON {table}; DROP FUNCTION full_disk()"
    try:
        yield
    finally:
        await db.execute(drop)
