"""People who have talked to the bot."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Executor, stamp


class Customers:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def remember(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        now: datetime,
    ) -> None:
        await self._db.execute(
            """
            INSERT INTO customers (user_id, first_name, last_name, username, created_at, seen_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET
                first_name = excluded.first_name, last_name = excluded.last_name,
                username = excluded.username, seen_at = excluded.seen_at
            """,
            (user_id, first_name, last_name, username, stamp(now), stamp(now)),
        )

    async def language(self, user_id: int) -> str | None:
        row = await self._db.fetch_one(
            "SELECT language FROM customers WHERE user_id = ?", (user_id,)
        )
        return row["language"] if row else None

    async def set_language(self, user_id: int, language: str) -> None:
        await self._db.execute(
            "UPDATE customers SET language = ? WHERE user_id = ?", (language, user_id)
        )

    async def set_phone(self, user_id: int, phone: str) -> None:
        await self._db.execute("UPDATE customers SET phone = ? WHERE user_id = ?", (phone, user_id))
