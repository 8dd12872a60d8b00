"""Each ticket's warranty (the customer's answer, staff's confirmation) and cause."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Executor, Row, stamp
from bot.warranty import Cause, PurchaseAge


@dataclass(frozen=True)
class WarrantyRecord:
    purchase_age: PurchaseAge | None = None
    confirmed: bool | None = None
    """None until staff have seen the receipt or the serial."""
    reason: str | None = None
    cause: Cause | None = None

    @classmethod
    def from_row(cls, row: Row | None) -> WarrantyRecord:
        if row is None:
            return cls()
        return cls(
            purchase_age=PurchaseAge(row["purchase_age"]) if row["purchase_age"] else None,
            confirmed=None if row["confirmed"] is None else bool(row["confirmed"]),
            reason=row["reason"],
            cause=Cause(row["cause"]) if row["cause"] else None,
        )


class Warranties:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def of_ticket(self, ticket_id: int) -> WarrantyRecord:
        row = await self._db.fetch_one(
            "SELECT purchase_age, confirmed, reason, cause FROM ticket_warranty"
            " WHERE ticket_id = ?",
            (ticket_id,),
        )
        return WarrantyRecord.from_row(row)

    async def set_purchase_age(self, ticket_id: int, age: PurchaseAge) -> None:
        await self._db.execute(
            "INSERT INTO ticket_warranty (ticket_id, purchase_age) VALUES (?, ?)"
            " ON CONFLICT (ticket_id) DO UPDATE SET purchase_age = excluded.purchase_age",
            (ticket_id, age.value),
        )

    async def confirm(
        self, ticket_id: int, covered: bool, reason: str | None, by: int, now: datetime
    ) -> None:
        await self._db.execute(
            "INSERT INTO ticket_warranty (ticket_id, confirmed, reason, confirmed_by,"
            " confirmed_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (ticket_id) DO UPDATE SET confirmed = excluded.confirmed,"
            " reason = excluded.reason, confirmed_by = excluded.confirmed_by,"
            " confirmed_at = excluded.confirmed_at",
            (ticket_id, int(covered), reason, by, stamp(now)),
        )

    async def set_cause(self, ticket_id: int, cause: Cause, by: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO ticket_warranty (ticket_id, cause, cause_by, cause_at)"
            " VALUES (?, ?, ?, ?)"
            " ON CONFLICT (ticket_id) DO UPDATE SET cause = excluded.cause,"
            " cause_by = excluded.cause_by, cause_at = excluded.cause_at",
            (ticket_id, cause.value, by, stamp(now)),
        )
