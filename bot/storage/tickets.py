"""Tickets and the history of everything that happened to them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Executor, Row, stamp, unstamp

_COLUMNS = (
    "id, code, customer_id, workshop_code, category, slot_start, status, phone, case_id,"
    " created_at, updated_at"
)


@dataclass(frozen=True)
class NewTicket:
    code: str
    customer_id: int | None
    workshop_code: str
    category: str
    slot_start: datetime | None
    status: str
    phone: str | None
    case_id: int | None


@dataclass(frozen=True)
class TicketRecord(NewTicket):
    """A stored ticket: what was asked for, plus its id and times."""

    id: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> TicketRecord:
        return cls(
            id=row["id"],
            code=row["code"],
            customer_id=row["customer_id"],
            workshop_code=row["workshop_code"],
            category=row["category"],
            slot_start=unstamp(row["slot_start"]) if row["slot_start"] else None,
            status=row["status"],
            phone=row["phone"],
            case_id=row["case_id"],
            created_at=unstamp(row["created_at"]),
            updated_at=unstamp(row["updated_at"]),
        )


class Tickets:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def insert(self, ticket: NewTicket, now: datetime) -> int:
        return await self._db.insert(
            f"INSERT INTO tickets ({_COLUMNS.removeprefix('id, ')}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ticket.code,
                ticket.customer_id,
                ticket.workshop_code,
                ticket.category,
                stamp(ticket.slot_start) if ticket.slot_start else None,
                ticket.status,
                ticket.phone,
                ticket.case_id,
                stamp(now),
                stamp(now),
            ),
        )

    async def code_taken(self, code: str) -> bool:
        return await self._db.fetch_one("SELECT 1 FROM tickets WHERE code = ?", (code,)) is not None

    async def by_code(self, code: str) -> TicketRecord | None:
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM tickets WHERE code = ?", (code,))
        return TicketRecord.from_row(row) if row else None

    async def of_customer(self, customer_id: int, limit: int) -> list[TicketRecord]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM tickets WHERE customer_id = ? "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (customer_id, limit),
        )
        return [TicketRecord.from_row(row) for row in rows]

    async def count_of_customer(self, customer_id: int, statuses: Iterable[str]) -> int:
        wanted = list(statuses)
        row = await self._db.fetch_one(
            f"SELECT COUNT(*) AS n FROM tickets WHERE customer_id = ? "
            f"AND status IN ({', '.join('?' * len(wanted))})",
            (customer_id, *wanted),
        )
        return row["n"] if row else 0

    async def slot_load(
        self, workshop_code: str, since: datetime, until: datetime, not_counted: Iterable[str]
    ) -> dict[datetime, int]:
        """Drop-offs per slot start in [since, until), ignoring statuses that free a place."""
        skip = list(not_counted)
        rows = await self._db.fetch_all(
            f"""
            SELECT slot_start, COUNT(*) AS n FROM tickets
            WHERE workshop_code = ? AND slot_start >= ? AND slot_start < ?
              AND status NOT IN ({", ".join("?" * len(skip))})
            GROUP BY slot_start
            """,
            (workshop_code, stamp(since), stamp(until), *skip),
        )
        return {unstamp(row["slot_start"]): row["n"] for row in rows}

    async def set_status(self, ticket_id: int, status: str, now: datetime) -> None:
        await self._db.execute(
            "UPDATE tickets SET status = ?, updated_at = ? WHERE id = ?",
            (status, stamp(now), ticket_id),
        )

    async def add_event(
        self,
        ticket_id: int,
        at: datetime,
        actor_id: int | None,
        actor_role: str,
        kind: str,
        from_status: str | None = None,
        to_status: str | None = None,
        note: str | None = None,
    ) -> None:
        await self._db.insert(
            """
            INSERT INTO ticket_events
                (ticket_id, at, actor_id, actor_role, kind, from_status, to_status, note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (ticket_id, stamp(at), actor_id, actor_role, kind, from_status, to_status, note),
        )
