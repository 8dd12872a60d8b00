"""Single-use links that bind a walk-in ticket to the customer who opens them."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Executor, stamp


class ClaimLinks:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def add(self, token: str, ticket_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO claim_links (token, ticket_id, created_at) VALUES (?, ?, ?)",
            (token, ticket_id, stamp(now)),
        )

    async def use(self, token: str, user_id: int, now: datetime) -> int | None:
        """Spend the link; the ticket id, or None if unknown or already used."""
        row = await self._db.fetch_one(
            "SELECT ticket_id FROM claim_links WHERE token = ? AND used_at IS NULL", (token,)
        )
        if row is None:
            return None
        changed = await self._db.execute(
            "UPDATE claim_links SET used_at = ?, used_by = ? WHERE token = ? AND used_at IS NULL",
            (stamp(now), user_id, token),
        )
        return row["ticket_id"] if changed == 1 else None

    async def token_of(self, ticket_id: int) -> str | None:
        row = await self._db.fetch_one(
            "SELECT token FROM claim_links WHERE ticket_id = ?", (ticket_id,)
        )
        return row["token"] if row else None
