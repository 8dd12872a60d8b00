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
        client_language: str | None,
        now: datetime,
    ) -> None:
        await self._db.execute(
            """
            INSERT INTO customers
                (user_id, first_name, last_name, username, client_language, created_at, seen_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET
                first_name = excluded.first_name, last_name = excluded.last_name,
                username = excluded.username, client_language = excluded.client_language,
                seen_at = excluded.seen_at, blocked_at = NULL
            """,
            (user_id, first_name, last_name, username, client_language, stamp(now), stamp(now)),
        )

    async def languages(self, user_id: int) -> tuple[str | None, str | None]:
        """The language chosen with /language, and the Telegram app's language."""
        row = await self._db.fetch_one(
            "SELECT language, client_language FROM customers WHERE user_id = ?", (user_id,)
        )
        return (row["language"], row["client_language"]) if row else (None, None)

    async def name(self, user_id: int) -> str | None:
        row = await self._db.fetch_one(
            "SELECT first_name, last_name FROM customers WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return None
        return " ".join(part for part in (row["first_name"], row["last_name"]) if part)

    async def first_name(self, user_id: int) -> str | None:
        """What people who answer a customer see of them: no surname, no username, no id."""
        row = await self._db.fetch_one(
            "SELECT first_name FROM customers WHERE user_id = ?", (user_id,)
        )
        return row["first_name"] or None if row else None

    async def phone(self, user_id: int) -> str | None:
        row = await self._db.fetch_one("SELECT phone FROM customers WHERE user_id = ?", (user_id,))
        return row["phone"] if row else None

    async def mark_blocked(self, user_id: int, now: datetime) -> None:
        """They blocked the bot: stop writing to them until they write again."""
        await self._db.execute(
            "UPDATE customers SET blocked_at = ? WHERE user_id = ?", (stamp(now), user_id)
        )

    async def set_language(self, user_id: int, language: str) -> None:
        await self._db.execute(
            "UPDATE customers SET language = ? WHERE user_id = ?", (language, user_id)
        )

    async def set_phone(self, user_id: int, phone: str) -> None:
        await self._db.execute("UPDATE customers SET phone = ? WHERE user_id = ?", (phone, user_id))
