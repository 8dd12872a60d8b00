"""Which storage engine the settings choose: PostgreSQL with DATABASE_URL, else SQLite."""

from __future__ import annotations

from typing import TypeAlias

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.postgres import PostgresDatabase

Engine: TypeAlias = Database | PostgresDatabase


async def open_database(settings: Settings) -> Engine:
    """Open, check and migrate the database the settings name."""
    if settings.database_url is not None:
        return await PostgresDatabase.open(settings.database_url.get_secret_value())
    return await Database.open(settings.database_path)
