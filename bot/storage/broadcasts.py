"""Broadcasts and their per-recipient deliveries: the record that lets one resume after a crash."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import Lang
from bot.storage.database import Executor, Row, stamp, unstamp

_COLUMNS = (
    "id, created_by, body, body_ru, segment, segment_value, status, scheduled_at, created_at,"
    " started_at, finished_at, report_chat_id, report_message_id"
)


def _leaving_out(exclude: set[int]) -> str:
    """The condition leaving out `exclude`; none for an empty set (`NOT IN (NULL)` would
    leave out everyone)."""
    return f" AND user_id NOT IN ({', '.join('?' * len(exclude))})" if exclude else ""


def _columns(texts: Mapping[Lang, str]) -> tuple[str, str | None]:
    """`body` holds the English text, '' when there is none; `body_ru` the Russian or NULL."""
    return texts.get(Lang.EN, ""), texts.get(Lang.RU)


@dataclass(frozen=True)
class BroadcastRecord:
    id: int
    created_by: int
    texts: dict[Lang, str]
    segment: str
    segment_value: str | None
    status: str
    scheduled_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    report_chat_id: int
    report_message_id: int | None

    @classmethod
    def from_row(cls, row: Row) -> BroadcastRecord:
        def maybe(value: str | None) -> datetime | None:
            return unstamp(value) if value else None

        texts = {Lang.EN: row["body"], Lang.RU: row["body_ru"]}
        return cls(
            id=row["id"],
            created_by=row["created_by"],
            texts={lang: body for lang, body in texts.items() if body},
            segment=row["segment"],
            segment_value=row["segment_value"],
            status=row["status"],
            scheduled_at=maybe(row["scheduled_at"]),
            created_at=unstamp(row["created_at"]),
            started_at=maybe(row["started_at"]),
            finished_at=maybe(row["finished_at"]),
            report_chat_id=row["report_chat_id"],
            report_message_id=row["report_message_id"],
        )


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    attempts: int
    """Sends tried so far."""
    language: str | None
    """Chosen with /language."""
    client_language: str | None
    """The Telegram app's."""


@dataclass(frozen=True)
class Tally:
    pending: int
    sent: int
    blocked: int
    failed: int
    cancelled: int

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> Tally:
        """From deliveries counted by status."""
        return cls(
            pending=counts.get("pending", 0),
            sent=counts.get("sent", 0),
            blocked=counts.get("blocked", 0),
            failed=counts.get("failed", 0),
            cancelled=counts.get("cancelled", 0),
        )

    @property
    def total(self) -> int:
        return self.pending + self.sent + self.blocked + self.failed + self.cancelled


class Broadcasts:
    def __init__(self, db: Executor) -> None:
        self._db = db

    def _audience_sql(self, segment: str, value: str | None, now: datetime) -> tuple[str, list]:
        """Customers who talked to the bot, have not blocked it, and are not staff."""
        base = (
            "SELECT c.user_id FROM customers c WHERE c.blocked_at IS NULL"
            " AND c.user_id NOT IN (SELECT user_id FROM staff)"
            " AND c.user_id NOT IN (SELECT user_id FROM admins)"
        )
        if segment == "workshop":
            return (
                base + " AND c.user_id IN (SELECT customer_id FROM tickets"
                " WHERE workshop_code = ? AND created_at >= ? AND customer_id IS NOT NULL)",
                [value, stamp(now - timedelta(days=90))],
            )
        if segment == "category":
            return (
                base + " AND (c.user_id IN (SELECT customer_id FROM tickets WHERE category = ?"
                " AND customer_id IS NOT NULL)"
                " OR c.user_id IN (SELECT customer_id FROM cases WHERE category = ?))",
                [value, value],
            )
        return base, []

    async def audience_languages(
        self, segment: str, value: str | None, now: datetime, exclude: set[int]
    ) -> list[tuple[str | None, str | None, int]]:
        """(language chosen, app language, how many) of the customers a broadcast would reach."""
        sql, params = self._audience_sql(segment, value, now)
        rows = await self._db.fetch_all(
            "SELECT language, client_language, COUNT(*) AS n FROM customers"
            f" WHERE user_id IN ({sql}){_leaving_out(exclude)}"
            " GROUP BY language, client_language",
            (*params, *exclude),
        )
        return [(row["language"], row["client_language"], row["n"]) for row in rows]

    async def create(
        self,
        created_by: int,
        texts: Mapping[Lang, str],
        segment: str,
        value: str | None,
        scheduled_at: datetime | None,
        report_chat_id: int,
        now: datetime,
    ) -> int:
        return await self._db.insert(
            "INSERT INTO broadcasts (created_by, body, body_ru, segment, segment_value, status,"
            " scheduled_at, created_at, report_chat_id) VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?)",
            (
                created_by,
                *_columns(texts),
                segment,
                value,
                stamp(scheduled_at) if scheduled_at else None,
                stamp(now),
                report_chat_id,
            ),
        )

    async def get(self, broadcast_id: int) -> BroadcastRecord | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,)
        )
        return BroadcastRecord.from_row(row) if row else None

    async def set_texts(self, broadcast_id: int, texts: Mapping[Lang, str]) -> None:
        await self._db.execute(
            "UPDATE broadcasts SET body = ?, body_ru = ? WHERE id = ?",
            (*_columns(texts), broadcast_id),
        )

    async def set_status(
        self, broadcast_id: int, status: str, expected: tuple[str, ...], now: datetime
    ) -> bool:
        """Move on only from an expected status, so a double tap or a race changes nothing."""
        column = {"running": "started_at", "done": "finished_at", "cancelled": "finished_at"}
        stamp_sql = f", {column[status]} = ?" if status in column else ""
        params: list[object] = [status]
        if stamp_sql:
            params.append(stamp(now))
        changed = await self._db.execute(
            f"UPDATE broadcasts SET status = ?{stamp_sql} WHERE id = ? "
            f"AND status IN ({', '.join('?' * len(expected))})",
            (*params, broadcast_id, *expected),
        )
        return changed == 1

    async def schedule(self, broadcast_id: int, start: datetime) -> None:
        await self._db.execute(
            "UPDATE broadcasts SET status = 'scheduled', scheduled_at = ? "
            "WHERE id = ? AND status = 'draft'",
            (stamp(start), broadcast_id),
        )

    async def fill_deliveries(self, broadcast_id: int, now: datetime, exclude: set[int]) -> int:
        """Write one pending delivery per recipient, as the audience is at this moment."""
        record = await self.get(broadcast_id)
        assert record is not None
        sql, params = self._audience_sql(record.segment, record.segment_value, now)
        return await self._db.execute(
            f"INSERT INTO broadcast_deliveries (broadcast_id, chat_id) "
            f"SELECT ?, user_id FROM ({sql}) AS audience WHERE TRUE{_leaving_out(exclude)}"
            " ON CONFLICT DO NOTHING",
            (broadcast_id, *params, *exclude),
        )

    async def pending(self, broadcast_id: int, limit: int) -> list[Recipient]:
        """Recipients still waiting, with their languages as they are now."""
        rows = await self._db.fetch_all(
            "SELECT d.chat_id, d.attempts, c.language, c.client_language"
            " FROM broadcast_deliveries d LEFT JOIN customers c ON c.user_id = d.chat_id"
            " WHERE d.broadcast_id = ? AND d.status = 'pending' ORDER BY d.chat_id LIMIT ?",
            (broadcast_id, limit),
        )
        return [
            Recipient(row["chat_id"], row["attempts"], row["language"], row["client_language"])
            for row in rows
        ]

    async def is_pending(self, broadcast_id: int, chat_id: int) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM broadcast_deliveries"
            " WHERE broadcast_id = ? AND chat_id = ? AND status = 'pending'",
            (broadcast_id, chat_id),
        )
        return row is not None

    async def mark(self, broadcast_id: int, chat_id: int, status: str, now: datetime) -> None:
        await self._db.execute(
            "UPDATE broadcast_deliveries SET status = ?, attempts = attempts + 1, done_at = ? "
            "WHERE broadcast_id = ? AND chat_id = ? AND status IN ('pending', 'cancelled')",
            (status, stamp(now), broadcast_id, chat_id),
        )

    async def count_attempt(self, broadcast_id: int, chat_id: int) -> None:
        await self._db.execute(
            "UPDATE broadcast_deliveries SET attempts = attempts + 1 "
            "WHERE broadcast_id = ? AND chat_id = ?",
            (broadcast_id, chat_id),
        )

    async def cancel_pending(self, broadcast_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE broadcast_deliveries SET status = 'cancelled', done_at = ? "
            "WHERE broadcast_id = ? AND status = 'pending'",
            (stamp(now), broadcast_id),
        )

    async def tally(self, broadcast_id: int) -> Tally:
        rows = await self._db.fetch_all(
            "SELECT status, COUNT(*) AS n FROM broadcast_deliveries WHERE broadcast_id = ? "
            "GROUP BY status",
            (broadcast_id,),
        )
        return Tally.of({row["status"]: row["n"] for row in rows})

    async def running_tallies(self) -> dict[int, Tally]:
        """How far each running broadcast has got, in one statement."""
        rows = await self._db.fetch_all(
            "SELECT d.broadcast_id, d.status, COUNT(*) AS n FROM broadcast_deliveries d "
            "JOIN broadcasts b ON b.id = d.broadcast_id WHERE b.status = 'running' "
            "GROUP BY d.broadcast_id, d.status"
        )
        counts: dict[int, dict[str, int]] = {}
        for row in rows:
            counts.setdefault(row["broadcast_id"], {})[row["status"]] = row["n"]
        return {broadcast_id: Tally.of(found) for broadcast_id, found in counts.items()}

    async def set_report_message(self, broadcast_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE broadcasts SET report_message_id = ? WHERE id = ?", (message_id, broadcast_id)
        )

    async def with_status(self, statuses: tuple[str, ...]) -> list[BroadcastRecord]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE status IN "
            f"({', '.join('?' * len(statuses))}) ORDER BY id",
            statuses,
        )
        return [BroadcastRecord.from_row(row) for row in rows]

    async def recent(self, limit: int) -> list[BroadcastRecord]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE status != 'draft' ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [BroadcastRecord.from_row(row) for row in rows]
