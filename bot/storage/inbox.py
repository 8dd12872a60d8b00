"""The inbox: every Telegram update, stored before it is acknowledged and handled from here.

On SQLite it is a file of its own (`bot.storage.database.InboxDatabase`); on PostgreSQL a
table of the one database. Either way every statement here is a single short one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.storage.database import Row, stamp
from bot.storage.engine import InboxEngine

KEEP = timedelta(hours=24)
"""Telegram keeps an unacknowledged update for 24 hours: a handled row older than that can
never be re-delivered, so it is no longer needed to recognise one."""


class InboxStore:
    def __init__(self, db: InboxEngine) -> None:
        self._db = db

    async def store(
        self,
        received: Sequence[tuple[int, str | None]],
        now: datetime,
        refused: Collection[int] = (),
        chats: Mapping[int, int] | None = None,
    ) -> set[int]:
        """Store a batch of (update id, raw JSON) in one statement; return the ids that are new.

        An id stored before (a re-delivery) is ignored. ``refused`` ones are recorded as
        handled at once: nothing will ever handle them. ``chats`` gives each update's chat
        (`bot.runtime.ordering.order_key`), by which several instances keep a chat in order.
        """
        chat_of = chats or {}
        if not received:
            return set()
        at = stamp(now)
        rows = await self._db.fetch_all(
            "INSERT INTO inbox (update_id, raw, received_at, handled_at, chat_id) VALUES "
            + ", ".join("(?, ?, ?, ?, ?)" for _ in received)
            + " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            [
                value
                for update_id, raw in received
                for value in (
                    update_id,
                    raw,
                    at,
                    at if update_id in refused else None,
                    chat_of.get(update_id),
                )
            ],
        )
        return {row["update_id"] for row in rows}

    async def arrived(
        self,
        update_ids: Collection[int],
        now: datetime,
        refused: Collection[int] = (),
        chats: Mapping[int, int] | None = None,
    ) -> None:
        """Record, for updates the webhook's receiver stored, their ``chats`` (a chat's lease
        goes by them) and ``refused`` ones as handled. One statement.

        On SQLite only the refused: its one instance never reads a chat back, and this is
        written for nearly every batch.
        """
        if self._db.dialect.name == "sqlite" or not chats:
            await self.mark(refused, now)
            return
        # Cast: PostgreSQL would read a parameter it cannot place as text.
        chat = "WHEN ? THEN CAST(? AS BIGINT) "
        sets = [f"chat_id = CASE update_id {chat * len(chats)}END"]
        params: list[object] = [value for item in chats.items() for value in item]
        if refused:
            sets.append(
                f"handled_at = CASE WHEN update_id IN ({', '.join('?' * len(refused))})"
                " THEN ? ELSE handled_at END"
            )
            params += [*refused, stamp(now)]
        await self._db.execute(
            f"UPDATE inbox SET {', '.join(sets)}"
            f" WHERE update_id IN ({', '.join('?' * len(update_ids))})",
            (*params, *update_ids),
        )

    async def unhandled(self) -> list[Row]:
        """Updates stored but not handled (a crash came in between), oldest first."""
        return await self._db.fetch_all(
            "SELECT update_id, raw FROM inbox WHERE handled_at IS NULL ORDER BY update_id"
        )

    async def newest(self) -> int:
        """The highest update id stored, handled or not (0 for an empty inbox)."""
        row = await self._db.fetch_one("SELECT MAX(update_id) AS newest FROM inbox")
        return int(row["newest"] or 0) if row is not None else 0

    async def mark(
        self, update_ids: Collection[int], now: datetime, failures: Mapping[int, str] | None = None
    ) -> None:
        """Record a batch as handled; ``failures`` gives the reason for those skipped as failed.

        One statement (so one trip to the database's thread, committing on its own): it is
        written for nearly every update handled.
        """
        if not update_ids:
            return
        reasons = failures or {}
        failure = (
            ", failure = CASE update_id " + "WHEN ? THEN ? " * len(reasons) + "END"
            if reasons
            else ""
        )
        await self._db.execute(
            f"UPDATE inbox SET handled_at = ?{failure} "
            f"WHERE update_id IN ({', '.join('?' * len(update_ids))})",
            (
                stamp(now),
                *(value for item in reasons.items() for value in item),
                *update_ids,
            ),
        )

    async def prune(self, now: datetime) -> None:
        """Forget handled updates Telegram can no longer deliver again."""
        await self._db.execute(
            "DELETE FROM inbox WHERE handled_at < ?", (stamp(now - KEEP),)
        )


def compact(update: dict[str, Any]) -> str:
    """An update's JSON as stored: without the spaces ``json.dumps`` puts in by default."""
    return json.dumps(update, separators=(",", ":"))
