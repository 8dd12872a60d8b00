"""Repair estimates and the customer's answer to each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Executor, Row, stamp, unstamp

_COLUMNS = "id, ticket_id, amount_minor, currency, comment, created_by, created_at, answer"


@dataclass(frozen=True)
class EstimateRecord:
    id: int
    ticket_id: int
    amount_minor: int
    currency: str
    comment: str | None
    created_by: int
    created_at: datetime
    answer: str

    @classmethod
    def from_row(cls, row: Row) -> EstimateRecord:
        return cls(
            id=row["id"],
            ticket_id=row["ticket_id"],
            amount_minor=row["amount_minor"],
            currency=row["currency"],
            comment=row["comment"],
            created_by=row["created_by"],
            created_at=unstamp(row["created_at"]),
            answer=row["answer"],
        )


class Estimates:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def add(
        self,
        ticket_id: int,
        amount_minor: int,
        currency: str,
        comment: str | None,
        created_by: int,
        now: datetime,
    ) -> int:
        """A new estimate replaces any still waiting for an answer."""
        await self.supersede_pending(ticket_id, now)
        return await self._db.insert(
            "INSERT INTO estimates (ticket_id, amount_minor, currency, comment, created_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (ticket_id, amount_minor, currency, comment, created_by, stamp(now)),
        )

    async def supersede_pending(self, ticket_id: int, now: datetime) -> None:
        """An estimate still waiting for an answer is no longer the one to answer."""
        await self._db.execute(
            "UPDATE estimates SET answer = 'superseded', answered_at = ? "
            "WHERE ticket_id = ? AND answer = 'pending'",
            (stamp(now), ticket_id),
        )

    async def get(self, estimate_id: int) -> EstimateRecord | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM estimates WHERE id = ?", (estimate_id,)
        )
        return EstimateRecord.from_row(row) if row else None

    async def latest(self, ticket_id: int) -> EstimateRecord | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM estimates WHERE ticket_id = ? ORDER BY id DESC LIMIT 1",
            (ticket_id,),
        )
        return EstimateRecord.from_row(row) if row else None

    async def of_ticket(self, ticket_id: int) -> list[EstimateRecord]:
        """Every estimate of a ticket, oldest first, as its history tells them."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM estimates WHERE ticket_id = ? ORDER BY id", (ticket_id,)
        )
        return [EstimateRecord.from_row(row) for row in rows]

    async def answer(self, estimate_id: int, answer: str, now: datetime) -> bool:
        """Record the answer once; False if it was answered or replaced already."""
        changed = await self._db.execute(
            "UPDATE estimates SET answer = ?, answered_at = ? WHERE id = ? AND answer = 'pending'",
            (answer, stamp(now), estimate_id),
        )
        return changed == 1
