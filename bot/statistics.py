"""Head-office figures for a period: how many faults were fixed without a visit, how the
workshops are loaded, how fast repairs go, and how customers answer estimates."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import Lang
from bot.messages import label, text
from bot.storage.database import Executor
from bot.storage.stats import StatsQueries
from bot.tickets import Status

NO_DATA = "—"
"""Shown for a share or a median with nothing to compute it from: never a fake 0%."""


@dataclass(frozen=True)
class NetworkStats:
    days: int
    since: datetime
    until: datetime
    reports_started: int
    self_resolved: int
    bookings: int
    no_shows: int
    per_status: dict[str, int]
    per_workshop: dict[str, int]
    median_days_to_ready: float | None
    estimates_answered: int
    estimates_approved: int

    @property
    def self_resolved_share(self) -> float | None:
        """Share of started reports that a fix resolved; None when no report was started."""
        return self.self_resolved / self.reports_started if self.reports_started else None

    @property
    def approval_rate(self) -> float | None:
        """Share of answered estimates that were approved; None when none was answered."""
        return (
            self.estimates_approved / self.estimates_answered if self.estimates_answered else None
        )


async def network_stats(db: Executor, now: datetime, days: int) -> NetworkStats:
    """Figures for the `days` days before `now`."""
    if days < 1:
        raise ValueError(f"a period of {days} days is empty")
    since = now - timedelta(days=days)
    queries = StatsQueries(db)
    durations = await queries.days_to_ready(since, now)
    answered, approved = await queries.estimate_answers(since, now)
    return NetworkStats(
        days=days,
        since=since,
        until=now,
        reports_started=await queries.reports_started(since, now),
        self_resolved=await queries.self_resolved(since, now),
        bookings=await queries.bookings(since, now),
        no_shows=await queries.no_shows(since, now),
        per_status=await queries.tickets_per_status(since, now),
        per_workshop=await queries.tickets_per_workshop(since, now),
        median_days_to_ready=statistics.median(durations) if durations else None,
        estimates_answered=answered,
        estimates_approved=approved,
    )


def decimal_text(lang: Lang, value: float) -> str:
    """One decimal, with the decimal comma Russian readers expect."""
    number = f"{value:.1f}"
    return number.replace(".", ",") if lang is Lang.RU else number


def status_counts(stats: NetworkStats) -> list[tuple[Status, int]]:
    """Every status in process order, zeros included, so reports always look the same."""
    return [(status, stats.per_status.get(status, 0)) for status in Status]


def workshop_counts(
    stats: NetworkStats, workshop_names: Mapping[str, str]
) -> list[tuple[str, int]]:
    """Every named workshop in the given order, then any code the data has but the names lack
    (a workshop since removed from the file), shown by its code."""
    counts = [(name, stats.per_workshop.get(code, 0)) for code, name in workshop_names.items()]
    counts += [
        (code, count) for code, count in stats.per_workshop.items() if code not in workshop_names
    ]
    return counts


def title_line(stats: NetworkStats, lang: Lang) -> str:
    """The period in UTC dates; only digits go in, so it is safe as HTML and as plain text."""
    return label(
        lang,
        "stats_title",
        days=stats.days,
        since=f"{stats.since:%d.%m.%Y}",
        until=f"{stats.until:%d.%m.%Y}",
    )


def stats_lines(stats: NetworkStats, lang: Lang, workshop_names: Mapping[str, str]) -> list[str]:
    """The report as HTML-safe lines, a title and then one "label: number" line per figure."""
    share = stats.self_resolved_share
    rate = stats.approval_rate
    median = stats.median_days_to_ready
    lines = [
        title_line(stats, lang),
        text(lang, "stats_reports_started", value=stats.reports_started),
        text(
            lang,
            "stats_self_resolved",
            value=NO_DATA if share is None else f"{stats.self_resolved} ({share:.0%})",
        ),
        text(lang, "stats_bookings", value=stats.bookings),
        text(lang, "stats_no_shows", value=stats.no_shows),
        text(
            lang,
            "stats_median_ready",
            value=NO_DATA if median is None else decimal_text(lang, median),
        ),
        text(
            lang,
            "stats_approval_rate",
            value=NO_DATA
            if rate is None
            else label(
                lang,
                "stats_part_of_whole",
                percent=f"{rate:.0%}",
                part=stats.estimates_approved,
                whole=stats.estimates_answered,
            ),
        ),
        text(lang, "stats_tickets_created", value=sum(stats.per_status.values())),
    ]
    lines += [
        text(lang, "stats_tickets_in_status", status=label(lang, f"status_{status}"), value=count)
        for status, count in status_counts(stats)
    ]
    lines += [
        text(lang, "stats_workshop", workshop=name, value=count)
        for name, count in workshop_counts(stats, workshop_names)
    ]
    return lines
