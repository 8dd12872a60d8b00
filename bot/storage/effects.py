"""What each Telegram update created, so that handling the same update again creates nothing.

The inbox records an update as handled only after its handler committed, so after a crash in
between it is handled again at start-up. A service that creates or sends something records,
in the same transaction, what this update made (a ticket, a case, a broadcast...) or, where
nothing is made, the answer it got; on a replay it finds that record and returns the earlier
result instead of acting again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.database import Executor, stamp
from bot.storage.tickets import TicketRecord, Tickets

REPLAY_WINDOW = timedelta(hours=24)
"""Telegram keeps an unconfirmed update for 24 hours: an older record cannot be a replay's,
and after a week without updates Telegram may start its ids anywhere, even at an old one."""


class UpdateEffects:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def recall(self, update_id: int | None, kind: str, now: datetime) -> str | None:
        """What this update made earlier, if it was handled before; None for no update."""
        if update_id is None:
            return None
        row = await self._db.fetch_one(
            "SELECT ref FROM update_effects WHERE update_id = ? AND kind = ? AND at > ?",
            (update_id, kind, stamp(now - REPLAY_WINDOW)),
        )
        return row["ref"] if row else None

    async def ticket(self, update_id: int | None, kind: str, now: datetime) -> TicketRecord | None:
        """The ticket this update acted on earlier, as it is now."""
        ref = await self.recall(update_id, kind, now)
        return await Tickets(self._db).by_id(int(ref)) if ref is not None else None

    async def record(self, update_id: int | None, kind: str, ref: object, now: datetime) -> None:
        """Note what this update made; records too old to matter go at the same time."""
        if update_id is None:
            return
        await self._db.execute(
            "DELETE FROM update_effects WHERE at <= ?", (stamp(now - REPLAY_WINDOW),)
        )
        await self._db.execute(
            "INSERT INTO update_effects (update_id, kind, ref, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (update_id, kind) DO UPDATE SET ref = excluded.ref, at = excluded.at",
            (update_id, kind, str(ref), stamp(now)),
        )
