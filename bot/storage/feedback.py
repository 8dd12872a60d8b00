"""Customers' ratings of finished repairs, once per ticket."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Executor, stamp


class Feedback:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def rate(self, ticket_id: int, customer_id: int, rating: int, now: datetime) -> bool:
        """Record the rating; False if this ticket was rated already."""
        changed = await self._db.execute(
            "INSERT INTO feedback (ticket_id, customer_id, rating, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (ticket_id, customer_id, rating, stamp(now)),
        )
        return changed == 1

    async def set_prompt(self, ticket_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE feedback SET prompt_message_id = ? WHERE ticket_id = ?", (message_id, ticket_id)
        )

    async def comment_on_prompt(
        self, customer_id: int, prompt_message_id: int, comment: str
    ) -> int | None:
        """Attach a comment replying to our prompt; the ticket id, or None if not ours."""
        row = await self._db.fetch_one(
            "SELECT ticket_id FROM feedback WHERE customer_id = ? AND prompt_message_id = ? "
            "AND comment IS NULL",
            (customer_id, prompt_message_id),
        )
        if row is None:
            return None
        await self._db.execute(
            "UPDATE feedback SET comment = ? WHERE ticket_id = ?", (comment, row["ticket_id"])
        )
        return row["ticket_id"]

    async def comment_on_latest(
        self, customer_id: int, since: datetime, comment: str
    ) -> int | None:
        """Attach a comment to the customer's latest rating given since `since` and not yet
        commented on; the ticket id, or None if there is none."""
        row = await self._db.fetch_one(
            "SELECT ticket_id FROM feedback WHERE customer_id = ? AND created_at >= ? "
            "AND comment IS NULL ORDER BY created_at DESC, ticket_id DESC LIMIT 1",
            (customer_id, stamp(since)),
        )
        if row is None:
            return None
        await self._db.execute(
            "UPDATE feedback SET comment = ? WHERE ticket_id = ?", (comment, row["ticket_id"])
        )
        return row["ticket_id"]

    async def rated(self, ticket_id: int) -> bool:
        row = await self._db.fetch_one("SELECT 1 FROM feedback WHERE ticket_id = ?", (ticket_id,))
        return row is not None

    async def rating(self, ticket_id: int) -> int | None:
        row = await self._db.fetch_one(
            "SELECT rating FROM feedback WHERE ticket_id = ?", (ticket_id,)
        )
        return row["rating"] if row else None
