"""Chat leases: of several instances on one database, the one that handles a chat's updates.

A lease names its holder and runs out at `expires_at` unless renewed, so a chat whose holder
died moves on once it has. Whoever holds a chat's lease handles every stored, unhandled update
of that chat, in update id order, whichever instance received it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.database import stamp
from bot.storage.engine import Engine
from bot.storage.inbox import InboxStore


@dataclass(frozen=True)
class StoredUpdate:
    update_id: int
    raw: str | None
    chat_id: int | None


@dataclass(frozen=True)
class Unheld:
    update: StoredUpdate
    lapsed: bool
    """Its chat's lease ran out, rather than nobody having taken it."""


class ChatLeases:
    def __init__(self, db: Engine) -> None:
        self._db = db

    async def take(self, chat_id: int, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Hold the chat until `now + ttl` if nobody else holds it (a lease run out counts as
        nobody's); whether `holder` holds it now. One statement, so two instances taking it
        at once cannot both succeed."""
        row = await self._db.fetch_one(
            "INSERT INTO chat_leases (chat_id, holder, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET holder = excluded.holder,"
            " expires_at = excluded.expires_at"
            " WHERE chat_leases.expires_at <= ? OR chat_leases.holder = excluded.holder"
            " RETURNING holder",
            (chat_id, holder, stamp(now + ttl), stamp(now)),
        )
        return row is not None

    async def renew(self, chat_id: int, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Hold the chat longer; False if it is no longer `holder`'s (it ran out and another
        instance took it)."""
        changed = await self._db.execute(
            "UPDATE chat_leases SET expires_at = ? WHERE chat_id = ? AND holder = ?",
            (stamp(now + ttl), chat_id, holder),
        )
        return changed > 0

    async def pending(self, chat_id: int, up_to: int | None = None) -> list[StoredUpdate]:
        """The chat's stored, unhandled updates (up to update id `up_to`, that one included
        whatever chat it is stored under: one stored before chats were recorded has none), in
        order."""
        if up_to is None:
            where, params = "chat_id = ?", (chat_id,)
        else:
            where, params = "(chat_id = ? AND update_id < ? OR update_id = ?)", (
                chat_id,
                up_to,
                up_to,
            )
        rows = await self._db.fetch_all(
            f"SELECT update_id, raw, chat_id FROM inbox WHERE {where} AND handled_at IS NULL"
            " ORDER BY update_id",
            params,
        )
        return [StoredUpdate(row["update_id"], row["raw"], row["chat_id"]) for row in rows]

    async def finish(
        self,
        update_ids: Collection[int],
        chat_id: int,
        holder: str,
        now: datetime,
        failures: Mapping[int, str] | None = None,
    ) -> bool:
        """Record these updates of the chat as handled (`failures` gives the reason for those
        that failed), then let the chat go unless another of its updates waits; whether it
        was let go (not if it is no longer `holder`'s).

        Kept while another update waits, so the holder goes on with it rather than every
        instance waiting for the lease to run out. Two statements, not one transaction: on
        PostgreSQL a transaction first waits for the database-wide write lock
        (`bot.storage.postgres`), and nothing needs it: letting go is one statement that
        checks that nothing waits, so an update stored meanwhile either keeps the chat or
        finds it free. A holder that dies in between leaves the lease to run out.
        """
        await InboxStore(self._db).mark(update_ids, now, failures)
        let_go = await self._db.execute(
            "DELETE FROM chat_leases WHERE chat_id = ? AND holder = ? AND NOT EXISTS ("
            "SELECT 1 FROM inbox WHERE chat_id = ? AND handled_at IS NULL)",
            (chat_id, holder, chat_id),
        )
        return let_go > 0

    async def unheld(self, now: datetime) -> list[Unheld]:
        """Unhandled updates whose chat nobody holds now, oldest first, each saying whether
        its chat's lease ran out (its holder stopped renewing it: it died, or lost the
        database) rather than was never taken or let go."""
        rows = await self._db.fetch_all(
            "SELECT i.update_id, i.raw, i.chat_id, l.chat_id IS NOT NULL AS lapsed"
            " FROM inbox AS i LEFT JOIN chat_leases AS l ON l.chat_id = i.chat_id"
            " WHERE i.handled_at IS NULL AND (l.chat_id IS NULL OR l.expires_at <= ?)"
            " ORDER BY i.update_id",
            (stamp(now),),
        )
        return [
            Unheld(StoredUpdate(row["update_id"], row["raw"], row["chat_id"]), bool(row["lapsed"]))
            for row in rows
        ]
