"""The outbox: messages the bot sends on its own initiative, written with their cause."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.storage.database import Executor, Row, stamp, unstamp

_COLUMNS = "id, key, chat_id, kind, params, ticket_id, due_at, status, attempts"
_UNCLAIMED = "claimed_by = NULL, claimed_until = NULL"
"""Let a message go: it was closed, or it waits for a later time anyone may send it at."""


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

    async def claim_due(
        self, instance: str, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboxRecord]:
        """Claim for `instance`, until `now + lease`, up to `limit` messages due by `now`
        that nobody holds (or whose claim ran out), earliest first, and return them.

        Of several instances claiming at once, each gets its own messages: PostgreSQL skips
        the rows another claim has locked, SQLite runs one write at a time. A message this
        instance already holds is claimed again: its postman, one at a time, let it go
        unsent (it stopped on an error), and nobody else may have it meanwhile.
        """
        rows = await self._db.fetch_all(
            "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN ("
            "SELECT id FROM outbox WHERE status = 'pending' AND due_at <= ?"
            " AND (claimed_until IS NULL OR claimed_until <= ? OR claimed_by = ?)"
            f" ORDER BY due_at, id LIMIT ?{self._db.dialect.skip_locked()}"
            f") RETURNING {_COLUMNS}",
            (instance, stamp(now + lease), stamp(now), stamp(now), instance, limit),
        )
        records = [OutboxRecord.from_row(row) for row in rows]
        return sorted(records, key=lambda record: (record.due_at, record.id))

    async def extend_claims(
        self, instance: str, outbox_ids: list[int], until: datetime
    ) -> set[int]:
        """Hold these messages longer; return those still `instance`'s and pending (the
        others went to another instance, or were closed meanwhile)."""
        if not outbox_ids:
            return set()
        rows = await self._db.fetch_all(
            "UPDATE outbox SET claimed_until = ? WHERE claimed_by = ? AND status = 'pending'"
            f" AND id IN ({', '.join('?' * len(outbox_ids))}) RETURNING id",
            (stamp(until), instance, *outbox_ids),
        )
        return {row["id"] for row in rows}

    async def next_due_at(self, instance: str) -> datetime | None:
        """When `instance` may next claim a message: its due time, or when another
        instance's claim on it runs out if that is later."""
        row = await self._db.fetch_one(
            "SELECT MIN(CASE WHEN claimed_until > due_at AND claimed_by <> ?"
            " THEN claimed_until ELSE due_at END) AS due FROM outbox WHERE status = 'pending'",
            (instance,),
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
            "UPDATE outbox SET status = ?, done_at = ?, last_error = ?, attempts = attempts + 1,"
            f" {_UNCLAIMED} WHERE id = ? AND status = 'pending'",
            (status, stamp(now), error, outbox_id),
        )

    async def retry_later(self, outbox_id: int, due_at: datetime, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET due_at = ?, last_error = ?, attempts = attempts + 1,"
            f" {_UNCLAIMED} WHERE id = ? AND status = 'pending'",
            (stamp(due_at), error, outbox_id),
        )

    async def postpone(self, outbox_id: int, due_at: datetime) -> None:
        """Move a message to later without counting an attempt (quiet hours)."""
        await self._db.execute(
            f"UPDATE outbox SET due_at = ?, {_UNCLAIMED} WHERE id = ? AND status = 'pending'",
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
