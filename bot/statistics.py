"""Head-office figures for a period, each beside the period of the same length before it:
how many faults were fixed without a visit, how bookings turn into drop-offs, how fast
repairs go, how customers answer estimates and rate the work; the same per workshop."""

from __future__ import annotations

import statistics
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.overdue import overdue
from bot.questions import answer_due
from bot.roles import Principal, Role
from bot.storage.stats import FixOutcome, WeekCounts
from bot.storage.unit_of_work import Repositories
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


NO_FIGURES = Figures(0, 0, 0, 0, 0, 0, [], 0, 0, [])
"""A workshop with nothing in a period."""


@dataclass(frozen=True)
class PeriodFigures:
    network: Figures
    workshops: dict[str, Figures]
    """By workshop code, only workshops with something in the period."""


async def period_figures(storage: Repositories, since: datetime, until: datetime) -> PeriodFigures:
    """The network's figures and each workshop's, from one grouped query per figure: a
    network of a thousand workshops costs what a network of ten does."""
    queries = storage.stats
    bookings = await queries.bookings(since, until)
    walk_ins = await queries.walk_ins(since, until)
    drop_offs = await queries.drop_offs(since, until)
    no_shows = await queries.no_shows(since, until)
    durations = await queries.days_to_ready(since, until)
    answers = await queries.estimate_answers(since, until)
    ratings = await queries.ratings(since, until)
    codes = {*bookings, *walk_ins, *drop_offs, *no_shows, *answers}
    codes |= {code for code, _ in durations} | {code for code, _ in ratings}

    def of(code: str) -> Figures:
        answered, approved = answers.get(code, (0, 0))
        return Figures(
            reports_started=0,
            self_resolved=0,
            bookings=bookings.get(code, 0),
            walk_ins=walk_ins.get(code, 0),
            drop_offs=drop_offs.get(code, 0),
            no_shows=no_shows.get(code, 0),
            days_to_ready=[days for owner, days in durations if owner == code],
            estimates_answered=answered,
            estimates_approved=approved,
            ratings=[rating for owner, rating in ratings if owner == code],
        )

    return PeriodFigures(
        network=Figures(
            reports_started=await queries.reports_started(since, until),
            self_resolved=await queries.self_resolved(since, until),
            bookings=sum(bookings.values()),
            walk_ins=sum(walk_ins.values()),
            drop_offs=sum(drop_offs.values()),
            no_shows=sum(no_shows.values()),
            days_to_ready=[days for _, days in durations],
            estimates_answered=sum(answered for answered, _ in answers.values()),
            estimates_approved=sum(approved for _, approved in answers.values()),
            ratings=[rating for _, rating in ratings],
        ),
        workshops={code: of(code) for code in sorted(codes)},
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
class CauseShares:
    """Of the repairs finished, the share under confirmed warranty and the share broken by
    misuse: what head office uses to improve the troubleshooting tree and train staff."""

    finished: int = 0
    warranty: int = 0
    misuse: int = 0

    def __add__(self, other: CauseShares) -> CauseShares:
        return CauseShares(
            self.finished + other.finished,
            self.warranty + other.warranty,
            self.misuse + other.misuse,
        )

    @property
    def warranty_share(self) -> float | None:
        return share(self.warranty, self.finished)

    @property
    def misuse_share(self) -> float | None:
        return share(self.misuse, self.finished)


@dataclass(frozen=True)
class CauseFigures:
    by_category: dict[str, CauseShares] = field(default_factory=dict)
    by_workshop: dict[str, CauseShares] = field(default_factory=dict)


async def cause_figures(storage: Repositories, since: datetime, until: datetime) -> CauseFigures:
    """Warranty and misuse shares of the repairs finished in the period, per category and
    per workshop."""
    figures = CauseFigures()
    for counts in await storage.stats.warranty_and_cause(since, until):
        shares = CauseShares(counts.finished, counts.warranty, counts.misuse)
        for grouped, key in (
            (figures.by_category, counts.category),
            (figures.by_workshop, counts.workshop_code),
        ):
            grouped[key] = grouped.get(key, CauseShares()) + shares
    return figures


@dataclass(frozen=True)
class NetworkStats:
    days: int
    since: datetime
    until: datetime
    current: Figures
    previous: Figures
    """The `days` days just before `since`, for the trend."""
    workshops: dict[str, Figures]
    """The current period's figures of each workshop with something in it."""
    tickets_per_workshop: dict[str, int]
    causes: CauseFigures = field(default_factory=CauseFigures)
    """Warranty and misuse among the repairs finished in the current period."""

    def of_workshop(self, code: str) -> Figures:
        return self.workshops.get(code, NO_FIGURES)


def period(now: datetime, days: int) -> datetime:
    if days < 1:
        raise ValueError(f"a period of {days} days is empty")
    return now - timedelta(days=days)


async def network_stats(storage: Repositories, now: datetime, days: int) -> NetworkStats:
    """Figures for the `days` days before `now`, and for the same length before that."""
    since = period(now, days)
    current = await period_figures(storage, since, now)
    before = since - timedelta(days=days)
    previous = await period_figures(storage, before, since - timedelta(microseconds=1))
    return NetworkStats(
        days=days,
        since=since,
        until=now,
        current=current.network,
        previous=previous.network,
        workshops=current.workshops,
        tickets_per_workshop=await storage.stats.tickets_per_workshop(since, now),
        causes=await cause_figures(storage, since, now),
    )


def readable_workshop(who: Principal, typed: str | None, codes: Collection[str]) -> str | None:
    """The workshop whose scorecard `who` asks for: staff their own (typed or not), head office
    any it names. None for an unknown code and for another workshop alike, so staff cannot
    learn which codes exist by asking."""
    if who.role is Role.STAFF:
        own = who.workshop_code
        return own if typed is None or typed.upper() == own else None
    code = typed.upper() if typed is not None else None
    return code if who.role is Role.HEAD_OFFICE and code in codes else None


async def scorecard(
    storage: Repositories,
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
    queries = storage.stats
    late = await overdue(storage, now, overdue_limits, workshop_code)
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
        current=(await period_figures(storage, since, now)).workshops.get(
            workshop_code, NO_FIGURES
        ),
        overdue_now=len(late.get(workshop_code, [])),
        questions=len(waits),
        answered_in_time=in_time,
    )


async def weekly(
    storage: Repositories, now: datetime, weeks: int = CHART_WEEKS
) -> list[WeekCounts]:
    """The last `weeks` seven-day weeks ending at `now`, oldest first."""
    starts = [now - timedelta(days=7 * back) for back in range(weeks, 0, -1)]
    return await storage.stats.weekly(starts)


async def fix_stats(storage: Repositories, category: str | None = None) -> list[FixOutcome]:
    """Each fix of the tree customers were shown, the most shown first."""
    return await storage.stats.fix_outcomes(category)
