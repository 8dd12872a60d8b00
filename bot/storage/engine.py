"""Which storage engine the settings choose: PostgreSQL with DATABASE_URL, else SQLite."""

from __future__ import annotations

from typing import TypeAlias

from bot.config import Settings
from bot.storage.database import Database, InboxDatabase, inbox_path
from bot.storage.postgres import PostgresDatabase

Engine: TypeAlias = Database | PostgresDatabase
InboxEngine: TypeAlias = InboxDatabase | PostgresDatabase
"""Where updates are stored on arrival (`open_inbox`)."""


async def open_database(settings: Settings) -> Engine:
    """Open, check and migrate the database the settings name."""
    if settings.database_url is not None:
        return await PostgresDatabase.open(settings.database_url.get_secret_value())
    return await Database.open(settings.database_path)


async def open_inbox(settings: Settings, db: Engine) -> InboxEngine:
    """Where updates are stored on arrival: SQLite's inbox file beside DATABASE_PATH, or
    PostgreSQL's one database ``db`` itself (an insert there takes no write lock)."""
    if isinstance(db, PostgresDatabase):
        return db
    return await InboxDatabase.open(inbox_path(settings.database_path), fresh=True)
