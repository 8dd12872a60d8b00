"""Which Telegram updates have been handled, so a re-delivered one is recognised."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from bot.storage.database import Database, stamp

KEEP = 100_000
"""Telegram keeps undelivered updates for 24 hours; far fewer than this arrive in a day
between two prunes, so older ids can never come back."""


class ProcessedUpdates:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def mark(
        self, update_ids: Collection[int], now: datetime, failures: Mapping[int, str] | None = None
    ) -> None:
        """One statement for a whole batch: a hundred at most, the most Telegram shows at once.

        ``failures`` gives the reason for those skipped as failed; the others were handled.
        """
        if not update_ids:
            return
        at = stamp(now)
        reasons = failures or {}
        await self._db.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, handled_at, failure) VALUES "
            + ", ".join("(?, ?, ?)" for _ in update_ids),
            [
                value
                for update_id in update_ids
                for value in (update_id, at, reasons.get(update_id))
            ],
        )

    async def handled_among(self, update_ids: Collection[int]) -> set[int]:
        if not update_ids:
            return set()
        rows = await self._db.fetch_all(
            f"SELECT update_id FROM processed_updates WHERE update_id IN "
            f"({', '.join('?' * len(update_ids))})",
            tuple(update_ids),
        )
        return {row["update_id"] for row in rows}

    async def prune(self) -> None:
        await self._db.execute(
            "DELETE FROM processed_updates WHERE update_id < "
            "(SELECT MAX(update_id) FROM processed_updates) - ?",
            (KEEP,),
        )
