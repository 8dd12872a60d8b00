"""The SQL behind head-office figures: counts over a [since, until] UTC period, and overdue work.

Every period query starts from an indexed time column (`cases.started_at`,
`tickets.created_at`, `ticket_events(to_status, at)`, `estimates.answered_at`), so a report
reads the period, not the whole history.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.storage.database import Executor, stamp, unstamp

_DAY_SECONDS = timedelta(days=1).total_seconds()


@dataclass(frozen=True)
class WeekCounts:
    start: datetime
    reports: int
    self_resolved: int
    bookings: int


@dataclass(frozen=True)
class CauseCounts:
    """Repairs finished in a period at one workshop in one category: how many were under
    confirmed warranty, and how many broke by misuse."""

    workshop_code: str
    category: str
    finished: int
    warranty: int
    misuse: int


@dataclass(frozen=True)
class FixOutcome:
    """A fix of the tree: how many customers tried it and how many it helped."""

    fix: str
    category: str
    shown: int
    solved: int


@dataclass(frozen=True)
class ExportRow:
    """One ticket as head office exports it, with its latest estimate, if any."""

    code: str
    created_at: datetime
    workshop_code: str
    category: str
    status: str
    slot_start: datetime | None
    customer_id: int | None
    customer_name: str | None
    phone: str | None
    eta: date | None
    estimate_minor: int | None
    estimate_currency: str | None
    estimate_answer: str | None
    description: str | None
    fixes_tried: list[str]
    """Ids of the tree's fixes the customer tried before booking, in order."""
    rating: int | None
    purchase_age: str | None = None
    warranty_confirmed: bool | None = None
    warranty_reason: str | None = None
    cause: str | None = None


@dataclass(frozen=True)
class StuckTicket:
    """A ticket that has been in its current status since before its status's cut-off."""

    code: str
    workshop_code: str
    status: str
    status_since: datetime


class StatsQueries:
    def __init__(self, db: Executor) -> None:
        self._db = db

    async def _count(self, sql: str, params: tuple[object, ...]) -> int:
        row = await self._db.fetch_one(sql, params)
        return row[0] if row else 0

    async def reports_started(self, since: datetime, until: datetime) -> int:
        return await self._count(
            "SELECT COUNT(*) FROM cases WHERE started_at >= ? AND started_at <= ?",
            (stamp(since), stamp(until)),
        )

    async def self_resolved(self, since: datetime, until: datetime) -> int:
        """Reports started in the period that a fix resolved: visits the network avoided."""
        return await self._count(
            "SELECT COUNT(*) FROM cases WHERE started_at >= ? AND started_at <= ?"
            " AND outcome = 'self_resolved'",
            (stamp(since), stamp(until)),
        )

    async def _entering_per_workshop(
        self, status: str, kind: str, since: datetime, until: datetime
    ) -> dict[str, int]:
        """Tickets with an event of `kind` into `status` in the period, per workshop code;
        filtering on the status first uses the `(to_status, at)` index."""
        rows = await self._db.fetch_all(
            "SELECT t.workshop_code AS code, COUNT(DISTINCT e.ticket_id) AS n"
            " FROM ticket_events AS e JOIN tickets AS t ON t.id = e.ticket_id"
            " WHERE e.to_status = ? AND e.at >= ? AND e.at <= ? AND e.kind = ?"
            " GROUP BY t.workshop_code",
            (status, stamp(since), stamp(until), kind),
        )
        return {row["code"]: row["n"] for row in rows}

    async def bookings(self, since: datetime, until: datetime) -> dict[str, int]:
        return await self._entering_per_workshop("booked", "booked", since, until)

    async def walk_ins(self, since: datetime, until: datetime) -> dict[str, int]:
        return await self._entering_per_workshop("received", "walk_in", since, until)

    async def drop_offs(self, since: datetime, until: datetime) -> dict[str, int]:
        """Booked tickets the workshop received: the customer came."""
        return await self._entering_per_workshop("received", "status", since, until)

    async def no_shows(self, since: datetime, until: datetime) -> dict[str, int]:
        return await self._entering_per_workshop("no_show", "status", since, until)

    async def ratings(self, since: datetime, until: datetime) -> list[tuple[str, int]]:
        """(workshop code, rating) of each rating customers gave in the period."""
        rows = await self._db.fetch_all(
            "SELECT t.workshop_code AS code, f.rating FROM feedback AS f"
            " JOIN tickets AS t ON t.id = f.ticket_id"
            " WHERE f.created_at >= ? AND f.created_at <= ? ORDER BY f.created_at",
            (stamp(since), stamp(until)),
        )
        return [(row["code"], row["rating"]) for row in rows]

    async def weekly(self, starts: list[datetime]) -> list[WeekCounts]:
        """Reports, self-resolved reports and bookings of each week starting at `starts`."""
        weeks = []
        for start in starts:
            end = start + timedelta(days=7) - timedelta(microseconds=1)
            weeks.append(
                WeekCounts(
                    start=start,
                    reports=await self.reports_started(start, end),
                    self_resolved=await self.self_resolved(start, end),
                    bookings=sum((await self.bookings(start, end)).values()),
                )
            )
        return weeks

    async def fix_outcomes(self, category: str | None = None) -> list[FixOutcome]:
        """How often each fix was shown and how often it helped, the most shown first.

        A fix counts as shown once per fault report: from `fix_views`, and from the report's
        path for reports made before fixes shown were recorded. It helped when the path has
        `{fix, helped: y}`.
        """
        dialect = self._db.dialect
        steps = dialect.json_items("cases.path", "step")
        fix = dialect.json_text("step.value", "fix")
        helped = dialect.json_text("step.value", "helped")
        rows = await self._db.fetch_all(
            f"""
            WITH shown AS (
                SELECT case_id, fix FROM fix_views
                UNION
                SELECT cases.id, {fix}
                FROM cases, {steps}
                WHERE {fix} IS NOT NULL
            )
            SELECT shown.fix, cases.category, COUNT(*) AS shown,
                   SUM(CASE WHEN EXISTS (
                       SELECT 1 FROM {steps}
                       WHERE {fix} = shown.fix AND {helped} = 'y') THEN 1 ELSE 0 END) AS solved
            FROM shown JOIN cases ON cases.id = shown.case_id
            WHERE CAST(? AS TEXT) IS NULL OR cases.category = ?
            GROUP BY shown.fix, cases.category
            ORDER BY shown DESC, shown.fix
            """,
            (category, category),
        )
        return [
            FixOutcome(
                fix=row["fix"], category=row["category"], shown=row["shown"], solved=row["solved"]
            )
            for row in rows
        ]

    async def questions(
        self, workshop: str, since: datetime, until: datetime
    ) -> list[tuple[datetime, datetime | None]]:
        """(asked, answered) for each wait of the workshop's customers that began in the
        period: a customer's question after an answer (or the first one) starts a wait, the
        next answer ends it; None while unanswered."""
        rows = await self._db.fetch_all(
            """
            SELECT m.thread_id, m.author_role, m.at FROM question_messages AS m
            JOIN question_threads AS t ON t.id = m.thread_id
            WHERE t.workshop_code = ? ORDER BY m.thread_id, m.id
            """,
            (workshop,),
        )
        waits: list[tuple[datetime, datetime | None]] = []
        thread, asked = None, None
        for row in rows:
            if row["thread_id"] != thread:
                if asked is not None:
                    waits.append((asked, None))
                thread, asked = row["thread_id"], None
            at = unstamp(row["at"])
            if row["author_role"] == "customer":
                asked = asked or at
            elif asked is not None:
                waits.append((asked, at))
                asked = None
        if asked is not None:
            waits.append((asked, None))
        return [(asked, answered) for asked, answered in waits if since <= asked <= until]

    async def tickets_per_workshop(self, since: datetime, until: datetime) -> dict[str, int]:
        """Tickets created in the period, by workshop code."""
        rows = await self._db.fetch_all(
            "SELECT workshop_code, COUNT(*) AS n FROM tickets"
            " WHERE created_at >= ? AND created_at <= ? GROUP BY workshop_code"
            " ORDER BY workshop_code",
            (stamp(since), stamp(until)),
        )
        return {row["workshop_code"]: row["n"] for row in rows}

    async def warranty_and_cause(self, since: datetime, until: datetime) -> list[CauseCounts]:
        """Tickets made ready in the period, by workshop and category, with those confirmed
        under warranty and those whose recorded cause is misuse."""
        rows = await self._db.fetch_all(
            """
            SELECT t.workshop_code AS code, t.category AS category, COUNT(*) AS finished,
                   SUM(CASE WHEN w.confirmed = 1 THEN 1 ELSE 0 END) AS warranty,
                   SUM(CASE WHEN w.cause = 'misuse' THEN 1 ELSE 0 END) AS misuse
            FROM tickets AS t
            LEFT JOIN ticket_warranty AS w ON w.ticket_id = t.id
            WHERE t.id IN (
                SELECT ticket_id FROM ticket_events
                WHERE to_status = 'ready' AND at >= ? AND at <= ?)
            GROUP BY t.workshop_code, t.category
            ORDER BY t.workshop_code, t.category
            """,
            (stamp(since), stamp(until)),
        )
        return [
            CauseCounts(
                row["code"], row["category"], row["finished"], row["warranty"], row["misuse"]
            )
            for row in rows
        ]

    async def days_to_ready(self, since: datetime, until: datetime) -> list[tuple[str, float]]:
        """Days from a ticket's first 'received' to the first 'ready' after it, for tickets
        whose that 'ready' falls in the period, with the ticket's workshop code; a ticket made
        ready again later counts once."""
        rows = await self._db.fetch_all(
            """
            SELECT t.workshop_code AS code, received.at AS received_at, ready.at AS ready_at
            FROM ticket_events AS ready
            JOIN tickets AS t ON t.id = ready.ticket_id
            JOIN ticket_events AS received ON received.id = (
                SELECT MIN(id) FROM ticket_events
                WHERE ticket_id = ready.ticket_id AND to_status = 'received')
            WHERE ready.to_status = 'ready' AND ready.at >= ? AND ready.at <= ?
              AND ready.id > received.id
              AND NOT EXISTS (
                SELECT 1 FROM ticket_events AS earlier
                WHERE earlier.ticket_id = ready.ticket_id AND earlier.to_status = 'ready'
                  AND earlier.id > received.id AND earlier.id < ready.id)
            ORDER BY ready.id
            """,
            (stamp(since), stamp(until)),
        )
        # In Python, not julianday(): 2.5 days stays exactly 2.5.
        return [
            (
                row["code"],
                (unstamp(row["ready_at"]) - unstamp(row["received_at"])).total_seconds()
                / _DAY_SECONDS,
            )
            for row in rows
        ]

    async def estimate_answers(
        self, since: datetime, until: datetime
    ) -> dict[str, tuple[int, int]]:
        """(answered, approved) per workshop code among estimates the customer answered in the
        period. A superseded estimate also gets `answered_at`, but nobody answered it."""
        rows = await self._db.fetch_all(
            "SELECT t.workshop_code AS code, COUNT(*) AS answered,"
            " SUM(CASE WHEN e.answer = 'approved' THEN 1 ELSE 0 END) AS approved"
            " FROM estimates AS e JOIN tickets AS t ON t.id = e.ticket_id"
            " WHERE e.answered_at >= ? AND e.answered_at <= ?"
            " AND e.answer IN ('approved', 'declined') GROUP BY t.workshop_code",
            (stamp(since), stamp(until)),
        )
        return {row["code"]: (row["answered"], row["approved"]) for row in rows}

    async def tickets_for_export(self, since: datetime, until: datetime) -> list[ExportRow]:
        """Tickets created in the period, oldest first, each with its latest estimate."""
        rows = await self._db.fetch_all(
            """
            SELECT t.code, t.created_at, t.workshop_code, t.category, t.status, t.slot_start,
                   t.customer_id, c.first_name, t.phone, t.eta, t.description,
                   e.amount_minor, e.currency, e.answer, cs.path, f.rating,
                   w.purchase_age, w.confirmed, w.reason AS warranty_reason, w.cause
            FROM tickets AS t
            LEFT JOIN customers AS c ON c.user_id = t.customer_id
            LEFT JOIN ticket_warranty AS w ON w.ticket_id = t.id
            LEFT JOIN cases AS cs ON cs.id = t.case_id
            LEFT JOIN feedback AS f ON f.ticket_id = t.id
            LEFT JOIN estimates AS e ON e.id = (
                SELECT MAX(id) FROM estimates WHERE ticket_id = t.id)
            WHERE t.created_at >= ? AND t.created_at <= ?
            ORDER BY t.created_at, t.id
            """,
            (stamp(since), stamp(until)),
        )
        return [
            ExportRow(
                code=row["code"],
                created_at=unstamp(row["created_at"]),
                workshop_code=row["workshop_code"],
                category=row["category"],
                status=row["status"],
                slot_start=unstamp(row["slot_start"]) if row["slot_start"] else None,
                customer_id=row["customer_id"],
                customer_name=row["first_name"],
                phone=row["phone"],
                eta=date.fromisoformat(row["eta"]) if row["eta"] else None,
                estimate_minor=row["amount_minor"],
                estimate_currency=row["currency"],
                estimate_answer=row["answer"],
                description=row["description"],
                fixes_tried=[
                    step["fix"] for step in json.loads(row["path"] or "[]") if "fix" in step
                ],
                rating=row["rating"],
                purchase_age=row["purchase_age"],
                warranty_confirmed=None if row["confirmed"] is None else bool(row["confirmed"]),
                warranty_reason=row["warranty_reason"],
                cause=row["cause"],
            )
            for row in rows
        ]

    async def in_status_before(
        self, cutoffs: Mapping[str, datetime], workshop_code: str | None = None
    ) -> list[StuckTicket]:
        """Tickets whose status is a key of `cutoffs` and was entered before its cut-off.

        One `(status = ? AND status_since < ?)` term per status, so each reads its own range
        of the `(status, status_since)` index.
        """
        if not cutoffs:
            return []
        terms = " OR ".join("(status = ? AND status_since < ?)" for _ in cutoffs)
        params: list[object] = []
        for status, cutoff in cutoffs.items():
            params += [status, stamp(cutoff)]
        where = f"({terms})"
        if workshop_code is not None:
            where += " AND workshop_code = ?"
            params.append(workshop_code)
        rows = await self._db.fetch_all(
            f"SELECT code, workshop_code, status, status_since FROM tickets WHERE {where}"
            " ORDER BY workshop_code, status_since, id",
            params,
        )
        return [
            StuckTicket(
                code=row["code"],
                workshop_code=row["workshop_code"],
                status=row["status"],
                status_since=unstamp(row["status_since"]),
            )
            for row in rows
        ]
