"""The photos and videos a customer sent of a ticket's fault, in the order they came."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.fault_notes import Attachment, MediaKind
from bot.storage.database import Executor, stamp


class Attachments:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def add(self, ticket_id: int, attachments: Iterable[Attachment], now: datetime) -> None:
        """Append after those the ticket has; the caller keeps within the limits."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM ticket_attachments WHERE ticket_id = ?", (ticket_id,)
        )
        start = row["n"] if row else 0
        for position, attachment in enumerate(attachments, start=start):
            await self._db.execute(
                "INSERT INTO ticket_attachments (ticket_id, position, kind, file_id, added_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (ticket_id, position, attachment.kind.value, attachment.file_id, stamp(now)),
            )

    async def of_ticket(self, ticket_id: int) -> list[Attachment]:
        rows = await self._db.fetch_all(
            "SELECT kind, file_id FROM ticket_attachments WHERE ticket_id = ? ORDER BY position",
            (ticket_id,),
        )
        return [Attachment(kind=MediaKind(row["kind"]), file_id=row["file_id"]) for row in rows]
