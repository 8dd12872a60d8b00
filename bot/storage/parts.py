"""Spare parts in the database: the ledger of movements, the stock it adds up to, what is set
aside for tickets, and the requests workshops send head office.

Every change of stock is a guarded UPDATE that changes nothing when there is not enough, so
the caller learns from the row count, inside its transaction, whether the part was there:
two people taking the last unit cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.database import Executor, Row, stamp, unstamp

_REQUEST_COLUMNS = (
    "r.id, r.code, r.workshop_code, r.ticket_id, t.code AS ticket_code, r.sku, r.quantity,"
    " r.status, r.eta, r.requested_by, r.created_at, r.shipped_at, r.arrived_at"
)
_REQUESTS = (
    f"SELECT {_REQUEST_COLUMNS} FROM part_requests AS r JOIN tickets AS t ON t.id = r.ticket_id"
)


@dataclass(frozen=True)
class StockRow:
    location: str
    sku: str
    on_hand: int
    reserved: int
    min_stock: int | None
    """Set by /minstock; None: the parts file's minimum holds."""

    @classmethod
    def from_row(cls, row: Row) -> StockRow:
        return cls(row["location"], row["sku"], row["on_hand"], row["reserved"], row["min_stock"])


@dataclass(frozen=True)
class RequestRecord:
    id: int
    code: str
    workshop_code: str
    ticket_id: int
    ticket_code: str
    sku: str
    quantity: int
    status: str
    eta: date | None
    requested_by: int
    created_at: datetime
    shipped_at: datetime | None
    arrived_at: datetime | None

    @classmethod
    def from_row(cls, row: Row) -> RequestRecord:
        return cls(
            id=row["id"],
            code=row["code"],
            workshop_code=row["workshop_code"],
            ticket_id=row["ticket_id"],
            ticket_code=row["ticket_code"],
            sku=row["sku"],
            quantity=row["quantity"],
            status=row["status"],
            eta=date.fromisoformat(row["eta"]) if row["eta"] else None,
            requested_by=row["requested_by"],
            created_at=unstamp(row["created_at"]),
            shipped_at=unstamp(row["shipped_at"]) if row["shipped_at"] else None,
            arrived_at=unstamp(row["arrived_at"]) if row["arrived_at"] else None,
        )


@dataclass(frozen=True)
class UsedPart:
    """Parts of one SKU that went into a ticket's device, at the price of the day."""

    sku: str
    quantity: int
    unit_price_minor: int

    @property
    def cost_minor(self) -> int:
        return self.quantity * self.unit_price_minor


@dataclass(frozen=True)
class Movement:
    at: datetime
    actor_id: int
    sku: str
    from_location: str | None
    to_location: str | None
    quantity: int
    ticket_id: int | None
    request_id: int | None
    reason: str


class PartsStore:
    def __init__(self, db: Executor) -> None:
        self._db = db

    # The ledger

    async def record(
        self,
        now: datetime,
        actor_id: int,
        sku: str,
        from_location: str | None,
        to_location: str | None,
        quantity: int,
        reason: str,
        ticket_id: int | None = None,
        request_id: int | None = None,
        unit_price_minor: int | None = None,
    ) -> int:
        return await self._db.insert(
            "INSERT INTO part_movements (at, actor_id, sku, from_location, to_location,"
            " quantity, ticket_id, request_id, reason, unit_price_minor)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stamp(now),
                actor_id,
                sku,
                from_location,
                to_location,
                quantity,
                ticket_id,
                request_id,
                reason,
                unit_price_minor,
            ),
        )

    async def movements(self, sku: str) -> list[Movement]:
        """One part's ledger, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT at, actor_id, sku, from_location, to_location, quantity, ticket_id,"
            " request_id, reason FROM part_movements WHERE sku = ? ORDER BY id",
            (sku,),
        )
        return [
            Movement(
                unstamp(row["at"]),
                row["actor_id"],
                row["sku"],
                row["from_location"],
                row["to_location"],
                row["quantity"],
                row["ticket_id"],
                row["request_id"],
                row["reason"],
            )
            for row in rows
        ]

    async def used_on(self, ticket_id: int) -> list[UsedPart]:
        """The parts that went into a ticket's device, with their price: the estimate's,
        the export's and the warranty cost's source."""
        rows = await self._db.fetch_all(
            "SELECT sku, SUM(quantity) AS quantity, unit_price_minor FROM part_movements"
            " WHERE ticket_id = ? AND reason = 'use'"
            " GROUP BY sku, unit_price_minor ORDER BY MIN(id)",
            (ticket_id,),
        )
        return [UsedPart(row["sku"], row["quantity"], row["unit_price_minor"]) for row in rows]

    # Stock at each location

    async def add(self, location: str, sku: str, quantity: int) -> None:
        await self._db.execute(
            "INSERT INTO part_stock (location, sku, on_hand) VALUES (?, ?, ?)"
            " ON CONFLICT (location, sku) DO UPDATE SET on_hand = part_stock.on_hand + ?",
            (location, sku, quantity, quantity),
        )

    async def take(self, location: str, sku: str, quantity: int) -> bool:
        """Take parts nobody reserved; False, changing nothing, when too few are free."""
        changed = await self._db.execute(
            "UPDATE part_stock SET on_hand = on_hand - ?"
            " WHERE location = ? AND sku = ? AND on_hand - reserved >= ?",
            (quantity, location, sku, quantity),
        )
        return changed == 1

    async def reserve(self, location: str, sku: str, quantity: int) -> bool:
        """Set free parts aside; False, changing nothing, when too few are free."""
        changed = await self._db.execute(
            "UPDATE part_stock SET reserved = reserved + ?"
            " WHERE location = ? AND sku = ? AND on_hand - reserved >= ?",
            (quantity, location, sku, quantity),
        )
        return changed == 1

    async def unreserve(self, location: str, sku: str, quantity: int) -> bool:
        changed = await self._db.execute(
            "UPDATE part_stock SET reserved = reserved - ?"
            " WHERE location = ? AND sku = ? AND reserved >= ?",
            (quantity, location, sku, quantity),
        )
        return changed == 1

    async def take_reserved(self, location: str, sku: str, quantity: int) -> bool:
        changed = await self._db.execute(
            "UPDATE part_stock SET on_hand = on_hand - ?, reserved = reserved - ?"
            " WHERE location = ? AND sku = ? AND reserved >= ?",
            (quantity, quantity, location, sku, quantity),
        )
        return changed == 1

    async def set_minimum(self, location: str, sku: str, quantity: int) -> None:
        await self._db.execute(
            "INSERT INTO part_stock (location, sku, min_stock) VALUES (?, ?, ?)"
            " ON CONFLICT (location, sku) DO UPDATE SET min_stock = ?",
            (location, sku, quantity, quantity),
        )

    async def stock(self, location: str | None = None, sku: str | None = None) -> list[StockRow]:
        """Stock rows of one location, of one part, or all, by location and SKU."""
        where, params = _where(("location", location), ("sku", sku))
        rows = await self._db.fetch_all(
            "SELECT location, sku, on_hand, reserved, min_stock FROM part_stock"
            f"{where} ORDER BY location, sku",
            params,
        )
        return [StockRow.from_row(row) for row in rows]

    # What is set aside for tickets

    async def reserved_for(self, ticket_id: int, sku: str) -> int:
        row = await self._db.fetch_one(
            "SELECT quantity FROM part_reservations WHERE ticket_id = ? AND sku = ?",
            (ticket_id, sku),
        )
        return row["quantity"] if row else 0

    async def change_reservation(
        self, ticket_id: int, sku: str, location: str, quantity: int
    ) -> None:
        """Add (or with a negative `quantity`, remove) parts set aside for a ticket."""
        await self._db.execute(
            "INSERT INTO part_reservations (ticket_id, sku, location, quantity)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (ticket_id, sku)"
            " DO UPDATE SET quantity = part_reservations.quantity + ?",
            (ticket_id, sku, location, max(quantity, 0), quantity),
        )

    async def reservations_of(self, ticket_id: int) -> dict[str, int]:
        rows = await self._db.fetch_all(
            "SELECT sku, quantity FROM part_reservations WHERE ticket_id = ? AND quantity > 0"
            " ORDER BY sku",
            (ticket_id,),
        )
        return {row["sku"]: row["quantity"] for row in rows}

    # Requests to head office

    async def code_taken(self, code: str) -> bool:
        row = await self._db.fetch_one("SELECT 1 FROM part_requests WHERE code = ?", (code,))
        return row is not None

    async def add_request(
        self,
        code: str,
        workshop_code: str,
        ticket_id: int,
        sku: str,
        quantity: int,
        requested_by: int,
        now: datetime,
    ) -> int:
        return await self._db.insert(
            "INSERT INTO part_requests (code, workshop_code, ticket_id, sku, quantity, status,"
            " requested_by, created_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
            (code, workshop_code, ticket_id, sku, quantity, requested_by, stamp(now)),
        )

    async def request(self, code: str) -> RequestRecord | None:
        row = await self._db.fetch_one(f"{_REQUESTS} WHERE r.code = ?", (code,))
        return RequestRecord.from_row(row) if row else None

    async def request_by_id(self, request_id: int) -> RequestRecord | None:
        row = await self._db.fetch_one(f"{_REQUESTS} WHERE r.id = ?", (request_id,))
        return RequestRecord.from_row(row) if row else None

    async def requests(
        self,
        statuses: Iterable[str],
        workshop_code: str | None = None,
        created_before: datetime | None = None,
    ) -> list[RequestRecord]:
        """Requests in these statuses, oldest first; of one workshop, or older than a time."""
        wanted = list(statuses)
        sql = f"{_REQUESTS} WHERE r.status IN ({', '.join('?' * len(wanted))})"
        params: list[object] = [*wanted]
        if workshop_code is not None:
            sql += " AND r.workshop_code = ?"
            params.append(workshop_code)
        if created_before is not None:
            sql += " AND r.created_at < ?"
            params.append(stamp(created_before))
        rows = await self._db.fetch_all(f"{sql} ORDER BY r.created_at, r.id", params)
        return [RequestRecord.from_row(row) for row in rows]

    async def of_ticket(self, ticket_id: int) -> list[RequestRecord]:
        rows = await self._db.fetch_all(
            f"{_REQUESTS} WHERE r.ticket_id = ? ORDER BY r.id", (ticket_id,)
        )
        return [RequestRecord.from_row(row) for row in rows]

    async def mark_shipped(self, request_id: int, eta: date | None, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE part_requests SET status = 'shipped', eta = ?, shipped_at = ?"
            " WHERE id = ? AND status = 'open'",
            (eta.isoformat() if eta else None, stamp(now), request_id),
        )
        return changed == 1

    async def mark_arrived(self, request_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE part_requests SET status = 'arrived', arrived_at = ?"
            " WHERE id = ? AND status = 'shipped'",
            (stamp(now), request_id),
        )
        return changed == 1

    # Figures

    async def arrived_between(self, since: datetime, until: datetime) -> list[RequestRecord]:
        rows = await self._db.fetch_all(
            f"{_REQUESTS} WHERE r.arrived_at >= ? AND r.arrived_at <= ? ORDER BY r.id",
            (stamp(since), stamp(until)),
        )
        return [RequestRecord.from_row(row) for row in rows]

    async def cost_used(self, since: datetime, until: datetime) -> tuple[int, int]:
        """Minor units of the parts that went into devices in the period: all of them, and
        those in repairs confirmed under warranty, which the network pays for."""
        row = await self._db.fetch_one(
            "SELECT CAST(COALESCE(SUM(m.quantity * m.unit_price_minor), 0) AS BIGINT) AS total,"
            " CAST(COALESCE(SUM(CASE WHEN w.confirmed = 1"
            " THEN m.quantity * m.unit_price_minor ELSE 0 END), 0) AS BIGINT) AS warranty"
            " FROM part_movements AS m LEFT JOIN ticket_warranty AS w ON w.ticket_id = m.ticket_id"
            " WHERE m.reason = 'use' AND m.at >= ? AND m.at <= ?",
            (stamp(since), stamp(until)),
        )
        return (row["total"], row["warranty"]) if row else (0, 0)

    async def most_requested(
        self, since: datetime, until: datetime, limit: int
    ) -> list[tuple[str, int]]:
        """SKUs by how many units workshops asked head office for in the period."""
        rows = await self._db.fetch_all(
            "SELECT sku, SUM(quantity) AS units FROM part_requests"
            " WHERE created_at >= ? AND created_at <= ? GROUP BY sku"
            " ORDER BY units DESC, sku LIMIT ?",
            (stamp(since), stamp(until), limit),
        )
        return [(row["sku"], row["units"]) for row in rows]

    async def used_on_tickets_created(
        self, since: datetime, until: datetime
    ) -> dict[str, list[UsedPart]]:
        """Parts used, by ticket code, for the tickets created in the period (the export)."""
        rows = await self._db.fetch_all(
            "SELECT t.code, m.sku, SUM(m.quantity) AS quantity, m.unit_price_minor"
            " FROM part_movements AS m JOIN tickets AS t ON t.id = m.ticket_id"
            " WHERE m.reason = 'use' AND t.created_at >= ? AND t.created_at <= ?"
            " GROUP BY t.code, m.sku, m.unit_price_minor ORDER BY t.code, MIN(m.id)",
            (stamp(since), stamp(until)),
        )
        used: dict[str, list[UsedPart]] = {}
        for row in rows:
            used.setdefault(row["code"], []).append(
                UsedPart(row["sku"], row["quantity"], row["unit_price_minor"])
            )
        return used


def _where(*conditions: tuple[str, object | None]) -> tuple[str, list[object]]:
    """` WHERE a = ? AND b = ?` for the conditions given a value; no NULL parameters, whose
    type PostgreSQL cannot infer."""
    given = [(column, value) for column, value in conditions if value is not None]
    if not given:
        return "", []
    return " WHERE " + " AND ".join(f"{column} = ?" for column, _ in given), [
        value for _, value in given
    ]
