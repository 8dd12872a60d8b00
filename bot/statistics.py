"""Head-office figures for a period, each beside the period of the same length before it:
how many faults were fixed without a visit, how bookings turn into drop-offs, how fast
repairs go, how customers answer estimates and rate the work; the same per workshop."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.overdue import overdue
from bot.questions import answer_due
from bot.storage.database import Executor
from bot.storage.stats import FixOutcome, StatsQueries, WeekCounts
from bot.workshops import Network

CHART_WEEKS = 12


def share(part: int, whole: int) -> float | None:
    """`part` of `whole`; None when there is no whole, never a fake 0%."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Figures:
    """One period's figures, of the whole network or of one workshop (no fault reports then:
    a report belongs to no workshop until it is booked)."""

    reports_started: int
    self_resolved: int
    bookings: int
    walk_ins: int
    drop_offs: int
    no_shows: int
    days_to_ready: list[float]
    estimates_answered: int
    estimates_approved: int
    ratings: list[int]

    @property
    def self_resolved_share(self) -> float | None:
        return share(self.self_resolved, self.reports_started)

    @property
    def no_show_rate(self) -> float | None:
        """Of the booked customers whose visit was settled, the share who did not come."""
        return share(self.no_shows, self.no_shows + self.drop_offs)

    @property
    def finished(self) -> int:
        """Repairs made ready for pickup in the period."""
        return len(self.days_to_ready)

    @property
    def median_days_to_ready(self) -> float | None:
        return statistics.median(self.days_to_ready) if self.days_to_ready else None

    @property
    def approval_rate(self) -> float | None:
        return share(self.estimates_approved, self.estimates_answered)

    @property
    def average_rating(self) -> float | None:
        return statistics.fmean(self.ratings) if self.ratings else None


async def figures(
    db: Executor, since: datetime, until: datetime, workshop: str | None = None
) -> Figures:
    queries = StatsQueries(db)
    answered, approved = await queries.estimate_answers(since, until, workshop)
    network_wide = workshop is None
    return Figures(
        reports_started=await queries.reports_started(since, until) if network_wide else 0,
        self_resolved=await queries.self_resolved(since, until) if network_wide else 0,
        bookings=await queries.bookings(since, until, workshop),
        walk_ins=await queries.walk_ins(since, until, workshop),
        drop_offs=await queries.drop_offs(since, until, workshop),
        no_shows=await queries.no_shows(since, until, workshop),
        days_to_ready=await queries.days_to_ready(since, until, workshop),
        estimates_answered=answered,
        estimates_approved=approved,
        ratings=await queries.ratings(since, until, workshop),
    )


def change(current: float | None, previous: float | None) -> float | None:
    """The relative change from `previous`; None when either is missing or `previous` is 0,
    from which no percentage can be taken."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


@dataclass(frozen=True)
class Scorecard:
    """One workshop's work in a period, and what is overdue there now."""

    workshop_code: str
    days: int
    since: datetime
    until: datetime
    tickets: int
    current: Figures
    overdue_now: int
    questions: int
    answered_in_time: int

    @property
    def in_time_share(self) -> float | None:
        return share(self.answered_in_time, self.questions)


@dataclass(frozen=True)
class NetworkStats:
    days: int
    since: datetime
    until: datetime
    current: Figures
    previous: Figures
    """The `days` days just before `since`, for the trend."""
    tickets_per_workshop: dict[str, int]


def period(now: datetime, days: int) -> datetime:
    if days < 1:
        raise ValueError(f"a period of {days} days is empty")
    return now - timedelta(days=days)


async def network_stats(db: Executor, now: datetime, days: int) -> NetworkStats:
    """Figures for the `days` days before `now`, and for the same length before that."""
    since = period(now, days)
    before = since - timedelta(days=days)
    return NetworkStats(
        days=days,
        since=since,
        until=now,
        current=await figures(db, since, now),
        previous=await figures(db, before, since - timedelta(microseconds=1)),
        tickets_per_workshop=await StatsQueries(db).tickets_per_workshop(since, now),
    )


async def scorecard(
    db: Executor,
    network: Network,
    now: datetime,
    days: int,
    workshop_code: str,
    overdue_limits: Mapping[str, int],
    sla_minutes: int,
) -> Scorecard:
    """A workshop's figures for the `days` days before `now`. A question counts as answered
    in time when its answer came within `sla_minutes` of the workshop's opening hours."""
    since = period(now, days)
    queries = StatsQueries(db)
    late = await overdue(db, now, overdue_limits, workshop_code)
    waits = await queries.questions(workshop_code, since, now)
    workshop = network.get(workshop_code)
    hours = workshop.hours if workshop else {}
    zone = network.zone(workshop_code) if workshop else None
    in_time = 0
    for asked, answered in waits:
        due = (
            answer_due(asked, hours, zone, sla_minutes)
            if zone
            else asked + timedelta(minutes=sla_minutes)
        )
        in_time += answered is not None and answered <= due
    created = await queries.tickets_per_workshop(since, now)
    return Scorecard(
        workshop_code=workshop_code,
        days=days,
        since=since,
        until=now,
        tickets=created.get(workshop_code, 0),
        current=await figures(db, since, now, workshop_code),
        overdue_now=len(late.get(workshop_code, [])),
        questions=len(waits),
        answered_in_time=in_time,
    )


async def weekly(db: Executor, now: datetime, weeks: int = CHART_WEEKS) -> list[WeekCounts]:
    """The last `weeks` seven-day weeks ending at `now`, oldest first."""
    starts = [now - timedelta(days=7 * back) for back in range(weeks, 0, -1)]
    return await StatsQueries(db).weekly(starts)


async def fix_stats(db: Executor, category: str | None = None) -> list[FixOutcome]:
    """Each fix of the tree customers tried, the most tried first."""
    return await StatsQueries(db).fix_outcomes(category)
