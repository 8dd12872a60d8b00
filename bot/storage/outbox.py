"""The outbox: messages the bot sends on its own initiative, written with their cause."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.database import Executor, Row, stamp, unstamp

_COLUMNS = "id, key, chat_id, kind, params, ticket_id, due_at, status, attempts"


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    key: str
    chat_id: int
    kind: str
    params: dict[str, Any]
    ticket_id: int | None
    due_at: datetime
    status: str
    attempts: int

    @classmethod
    def from_row(cls, row: Row) -> OutboxRecord:
        return cls(
            id=row["id"],
            key=row["key"],
            chat_id=row["chat_id"],
            kind=row["kind"],
            params=json.loads(row["params"]),
            ticket_id=row["ticket_id"],
            due_at=unstamp(row["due_at"]),
            status=row["status"],
            attempts=row["attempts"],
        )


class Outbox:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def add(
        self,
        key: str,
        chat_id: int,
        kind: str,
        params: dict[str, Any],
        ticket_id: int | None,
        due_at: datetime,
        now: datetime,
    ) -> int | None:
        """Queue a message; None if one with this key exists (the same cause, seen twice)."""
        changed = await self._db.execute(
            "INSERT INTO outbox (key, chat_id, kind, params, ticket_id, due_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                key,
                chat_id,
                kind,
                json.dumps(params, ensure_ascii=False),
                ticket_id,
                stamp(due_at),
                stamp(now),
            ),
        )
        if changed != 1:
            return None
        row = await self._db.fetch_one("SELECT id FROM outbox WHERE key = ?", (key,))
        return row["id"] if row else None

    async def due(self, now: datetime, limit: int) -> list[OutboxRecord]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND due_at <= ? "
            "ORDER BY due_at, id LIMIT ?",
            (stamp(now), limit),
        )
        return [OutboxRecord.from_row(row) for row in rows]

    async def next_due_at(self) -> datetime | None:
        row = await self._db.fetch_one(
            "SELECT MIN(due_at) AS due FROM outbox WHERE status = 'pending'"
        )
        return unstamp(row["due"]) if row and row["due"] else None

    async def pending_by_kind(self) -> dict[str, int]:
        """Messages not yet sent nor given up, per kind, whether due now or later."""
        rows = await self._db.fetch_all(
            "SELECT kind, COUNT(*) AS n FROM outbox WHERE status = 'pending' GROUP BY kind"
        )
        return {row["kind"]: row["n"] for row in rows}

    async def oldest_due_at(self, now: datetime) -> datetime | None:
        """When the longest-waiting message that is due by ``now`` fell due (None: none is)."""
        row = await self._db.fetch_one(
            "SELECT MIN(due_at) AS due FROM outbox WHERE status = 'pending' AND due_at <= ?",
            (stamp(now),),
        )
        return unstamp(row["due"]) if row and row["due"] else None

    async def finish(self, outbox_id: int, status: str, now: datetime, error: str | None) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = ?, done_at = ?, last_error = ?, attempts = attempts + 1 "
            "WHERE id = ? AND status = 'pending'",
            (status, stamp(now), error, outbox_id),
        )

    async def retry_later(self, outbox_id: int, due_at: datetime, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET due_at = ?, last_error = ?, attempts = attempts + 1 "
            "WHERE id = ? AND status = 'pending'",
            (stamp(due_at), error, outbox_id),
        )

    async def postpone(self, outbox_id: int, due_at: datetime) -> None:
        """Move a message to later without counting an attempt (quiet hours)."""
        await self._db.execute(
            "UPDATE outbox SET due_at = ? WHERE id = ? AND status = 'pending'",
            (stamp(due_at), outbox_id),
        )

    async def skip_for_ticket(
        self, ticket_id: int, kinds: Iterable[str], now: datetime, reason: str
    ) -> int:
        """Drop a ticket's pending messages of these kinds: their cause is gone."""
        wanted = list(kinds)
        return await self._db.execute(
            f"UPDATE outbox SET status = 'skipped', done_at = ?, last_error = ? "
            f"WHERE ticket_id = ? AND status = 'pending' "
            f"AND kind IN ({', '.join('?' * len(wanted))})",
            (stamp(now), reason, ticket_id, *wanted),
        )

    async def of_chat(self, chat_id: int) -> list[OutboxRecord]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM outbox WHERE chat_id = ? ORDER BY id", (chat_id,)
        )
        return [OutboxRecord.from_row(row) for row in rows]
