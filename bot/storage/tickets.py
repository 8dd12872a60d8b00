"""Tickets and the history of everything that happened to them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.database import Executor, Row, stamp, unstamp

_COLUMNS = (
    "id, code, customer_id, workshop_code, category, slot_start, status, phone, case_id,"
    " description, created_at, updated_at, status_since, eta"
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
    description: str | None


@dataclass(frozen=True)
class TicketRecord(NewTicket):
    """A stored ticket: what was asked for, plus its id and times."""

    id: int
    created_at: datetime
    updated_at: datetime
    status_since: datetime
    eta: date | None

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
            description=row["description"],
            created_at=unstamp(row["created_at"]),
            updated_at=unstamp(row["updated_at"]),
            status_since=unstamp(row["status_since"]),
            eta=date.fromisoformat(row["eta"]) if row["eta"] else None,
        )


@dataclass(frozen=True)
class EventRecord:
    """One thing that happened to a ticket: who did what, when."""

    at: datetime
    actor_id: int | None
    actor_role: str
    kind: str
    from_status: str | None
    to_status: str | None
    note: str | None


class Tickets:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def insert(self, ticket: NewTicket, now: datetime) -> int:
        return await self._db.insert(
            "INSERT INTO tickets (code, customer_id, workshop_code, category, slot_start, status,"
            " phone, case_id, description, created_at, updated_at, status_since)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ticket.code,
                ticket.customer_id,
                ticket.workshop_code,
                ticket.category,
                stamp(ticket.slot_start) if ticket.slot_start else None,
                ticket.status,
                ticket.phone,
                ticket.case_id,
                ticket.description,
                stamp(now),
                stamp(now),
                stamp(now),
            ),
        )

    async def code_taken(self, code: str) -> bool:
        return await self._db.fetch_one("SELECT 1 FROM tickets WHERE code = ?", (code,)) is not None

    async def by_code(self, code: str) -> TicketRecord | None:
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM tickets WHERE code = ?", (code,))
        return TicketRecord.from_row(row) if row else None

    async def by_id(self, ticket_id: int) -> TicketRecord | None:
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,))
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
            "UPDATE tickets SET status = ?, updated_at = ?, status_since = ? WHERE id = ?",
            (status, stamp(now), stamp(now), ticket_id),
        )

    async def move_slot(self, ticket_id: int, slot_start: datetime, now: datetime) -> None:
        await self._db.execute(
            "UPDATE tickets SET slot_start = ?, updated_at = ? WHERE id = ?",
            (stamp(slot_start), stamp(now), ticket_id),
        )

    async def set_eta(self, ticket_id: int, eta: date, now: datetime) -> None:
        await self._db.execute(
            "UPDATE tickets SET eta = ?, updated_at = ? WHERE id = ?",
            (eta.isoformat(), stamp(now), ticket_id),
        )

    async def set_description(self, ticket_id: int, description: str, now: datetime) -> None:
        await self._db.execute(
            "UPDATE tickets SET description = ?, updated_at = ? WHERE id = ?",
            (description, stamp(now), ticket_id),
        )

    async def bind_customer(self, ticket_id: int, customer_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE tickets SET customer_id = ?, updated_at = ? WHERE id = ?",
            (customer_id, stamp(now), ticket_id),
        )

    async def of_workshop(
        self,
        workshop_code: str | None,
        statuses: Iterable[str],
        limit: int,
        offset: int,
    ) -> list[TicketRecord]:
        """Tickets in `statuses`, longest in their status first; all workshops when
        `workshop_code` is None.

        Each status's index range is already in `status_since` order, so each gives only its
        first `offset + limit` ids and only those are merged: a sort of every open ticket
        in the network took 20 ms at a million tickets.
        """
        scope, in_scope = _scope(workshop_code)
        firsts: list[str] = []
        params: list[object] = []
        for status in statuses:
            firsts.append(
                f"SELECT * FROM (SELECT id, status_since FROM tickets WHERE {scope} status = ? "
                f"ORDER BY status_since, id LIMIT ?) AS first{len(firsts)}"
            )
            params.extend((*in_scope, status, offset + limit))
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM tickets WHERE id IN (SELECT id FROM "
            f"({' UNION ALL '.join(firsts)}) AS firsts ORDER BY status_since, id LIMIT ? OFFSET ?) "
            "ORDER BY status_since, id",
            (*params, limit, offset),
        )
        return [TicketRecord.from_row(row) for row in rows]

    async def with_phone(
        self, workshop_code: str | None, phone: str, limit: int
    ) -> list[TicketRecord]:
        """Tickets given this phone, or of a customer who shared it, newest first."""
        scope, params = _scope(workshop_code)
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM tickets WHERE {scope} (phone = ? OR customer_id IN "
            "(SELECT user_id FROM customers WHERE phone = ?)) "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (*params, phone, phone, limit),
        )
        return [TicketRecord.from_row(row) for row in rows]

    async def with_words(
        self, workshop_code: str | None, words: Iterable[str], limit: int
    ) -> list[TicketRecord]:
        """Tickets whose customer's name or fault description has a word starting with each
        of `words`, newest first."""
        scope, params = _scope(workshop_code)
        having, words_params = self._db.dialect.ticket_words(words)
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM tickets WHERE {scope} {having} "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (*params, *words_params, limit),
        )
        return [TicketRecord.from_row(row) for row in rows]

    async def count_of_workshop(self, workshop_code: str | None, statuses: Iterable[str]) -> int:
        wanted = list(statuses)
        where = f"status IN ({', '.join('?' * len(wanted))})"
        params: list[object] = [*wanted]
        if workshop_code is not None:
            where = f"workshop_code = ? AND {where}"
            params.insert(0, workshop_code)
        row = await self._db.fetch_one(f"SELECT COUNT(*) AS n FROM tickets WHERE {where}", params)
        return row["n"] if row else 0

    async def dropoffs(
        self, workshop_code: str, since: datetime, until: datetime, statuses: Iterable[str]
    ) -> list[TicketRecord]:
        """Tickets whose drop-off slot is in [since, until), by time."""
        wanted = list(statuses)
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM tickets WHERE workshop_code = ? AND slot_start >= ? "
            f"AND slot_start < ? AND status IN ({', '.join('?' * len(wanted))}) "
            "ORDER BY slot_start, id",
            (workshop_code, stamp(since), stamp(until), *wanted),
        )
        return [TicketRecord.from_row(row) for row in rows]

    async def events(self, ticket_id: int) -> list[EventRecord]:
        rows = await self._db.fetch_all(
            "SELECT at, actor_id, actor_role, kind, from_status, to_status, note "
            "FROM ticket_events WHERE ticket_id = ? ORDER BY id",
            (ticket_id,),
        )
        return [
            EventRecord(
                at=unstamp(row["at"]),
                actor_id=row["actor_id"],
                actor_role=row["actor_role"],
                kind=row["kind"],
                from_status=row["from_status"],
                to_status=row["to_status"],
                note=row["note"],
            )
            for row in rows
        ]

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
    ) -> int:
        return await self._db.insert(
            """
            INSERT INTO ticket_events
                (ticket_id, at, actor_id, actor_role, kind, from_status, to_status, note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (ticket_id, stamp(at), actor_id, actor_role, kind, from_status, to_status, note),
        )


def _scope(workshop_code: str | None) -> tuple[str, list[object]]:
    """The start of a WHERE clause keeping one workshop's tickets, or all of them."""
    if workshop_code is None:
        return "", []
    return "workshop_code = ? AND", [workshop_code]
