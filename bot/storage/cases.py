"""Fault reports: how each customer went through the troubleshooting tree, and how it ended."""

from __future__ import annotations

import json
from datetime import datetime

from bot.storage.database import Executor, stamp


class Cases:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def open(self, customer_id: int, category: str, now: datetime) -> int:
        return await self._db.insert(
            "INSERT INTO cases (customer_id, category, started_at) VALUES (?, ?, ?)",
            (customer_id, category, stamp(now)),
        )

    async def close(
        self, case_id: int, outcome: str, path: list[dict[str, str]], now: datetime
    ) -> bool:
        """Close an open case; False if it was closed already (a double tap, a stale button)."""
        changed = await self._db.execute(
            """
            UPDATE cases SET outcome = ?, path = ?, closed_at = ?
            WHERE id = ? AND outcome = 'open'
            """,
            (outcome, json.dumps(path, ensure_ascii=False), stamp(now), case_id),
        )
        return changed == 1

    async def fix_shown(self, case_id: int, fix: str, now: datetime) -> None:
        """Once per case and fix: going back to a fix, or the same update again, adds nothing."""
        await self._db.execute(
            "INSERT INTO fix_views (case_id, fix, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (case_id, fix, stamp(now)),
        )

    async def path(self, case_id: int) -> list[dict[str, str]]:
        row = await self._db.fetch_one("SELECT path FROM cases WHERE id = ?", (case_id,))
        return json.loads(row["path"]) if row else []
