"""Tickets that have stayed in one status longer than the network allows, per workshop."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.i18n import Lang
from bot.messages import label, text
from bot.storage.unit_of_work import Repositories
from bot.tickets import Status

DEFAULT_LIMITS_DAYS: dict[Status, int] = {
    Status.RECEIVED: 1,
    Status.DIAGNOSING: 3,
    Status.WAITING_PARTS: 10,
    Status.REPAIRING: 5,
    Status.READY: 7,
}
"""Days a ticket may stay in a status; statuses not named here are never overdue."""


def limits_days(configured: Mapping[str, int]) -> dict[str, int]:
    """The default limits with those set in `OVERDUE_LIMITS` in their place."""
    return {**DEFAULT_LIMITS_DAYS, **configured}

_LEAST_SHOWN_DAYS = 0.1
"""A ticket minutes past its limit is late all the same: never show it "0.0 days over"."""


@dataclass(frozen=True)
class OverdueTicket:
    code: str
    status: Status
    since: datetime
    days_over: float
    """Days beyond the status's limit, with fractions: 0.5 is half a day late."""


async def overdue(
    storage: Repositories,
    now: datetime,
    limits: Mapping[str, int],
    workshop_code: str | None = None,
) -> dict[str, list[OverdueTicket]]:
    """Overdue tickets by workshop code (codes sorted), the most overdue first in each.

    A ticket is overdue once it has been in its status for longer than the limit, so one
    exactly at the limit is still on time.
    """
    cutoffs = {status: now - timedelta(days=days) for status, days in limits.items()}
    grouped: dict[str, list[OverdueTicket]] = {}
    for stuck in await storage.stats.in_status_before(cutoffs, workshop_code):
        grouped.setdefault(stuck.workshop_code, []).append(
            OverdueTicket(
                code=stuck.code,
                status=Status(stuck.status),
                since=stuck.status_since,
                days_over=(cutoffs[stuck.status] - stuck.status_since) / timedelta(days=1),
            )
        )
    for tickets in grouped.values():
        tickets.sort(key=lambda ticket: ticket.days_over, reverse=True)
    return grouped


def decimal_text(lang: Lang, value: float) -> str:
    """One decimal, with the decimal comma Russian readers expect."""
    number = f"{value:.1f}"
    return number.replace(".", ",") if lang is Lang.RU else number


def overdue_lines(
    grouped: Mapping[str, list[OverdueTicket]], lang: Lang, workshop_names: Mapping[str, str]
) -> list[str]:
    """HTML-safe lines: a total, then each workshop with its count and its tickets."""
    if not grouped:
        return [text(lang, "overdue_none")]
    lines = [text(lang, "overdue_title", value=sum(len(tickets) for tickets in grouped.values()))]
    for code, tickets in grouped.items():
        lines.append(
            text(
                lang, "stats_workshop", workshop=workshop_names.get(code, code), value=len(tickets)
            )
        )
        lines += [
            text(
                lang,
                "overdue_ticket",
                code=ticket.code,
                status=label(lang, f"status_{ticket.status}"),
                days=decimal_text(lang, max(ticket.days_over, _LEAST_SHOWN_DAYS)),
            )
            for ticket in tickets
        ]
    return lines
