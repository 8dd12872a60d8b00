"""Head office's reports as text: sections of "label: value (change)" lines, a workshop's
scorecard and the fixes of the tree, with numbers, shares and days in the reader's locale."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from bot.handlers.formatting import money, number, percent
from bot.i18n import Lang, pick
from bot.messages import label, text
from bot.money import from_minor
from bot.statistics import (
    CauseFigures,
    CauseShares,
    Figures,
    NetworkStats,
    Scorecard,
    change,
    share,
)
from bot.stock import PartsFigures
from bot.storage.stats import FixOutcome
from bot.troubleshooting import TroubleshootingTree

NO_DATA = "—"
"""Shown for a share, a median or an average with nothing to compute it from."""

_FIX_CHARACTERS = 60
"""A fix is a paragraph for the customer; its start is enough to recognise it in a list."""


def period_title(
    key: str, lang: Lang, days: int, since: datetime, until: datetime, **params: str
) -> str:
    return text(
        lang,
        key,
        days=days,
        since=f"{since:%d.%m.%Y}",
        until=f"{until:%d.%m.%Y}",
        **params,
    )


def chart_title(stats: NetworkStats, lang: Lang) -> str:
    """The title drawn on the chart: plain text, no markup."""
    return label(
        lang,
        "chart_title",
        days=stats.days,
        since=f"{stats.since:%d.%m.%Y}",
        until=f"{stats.until:%d.%m.%Y}",
    )


def trend(lang: Lang, current: float | None, previous: float | None) -> str:
    """` (▲ 25%)`: the relative change, or nothing when there is nothing to compare."""
    if current is not None and previous == 0 and current > 0:
        return f" ({label(lang, 'trend_from_zero')})"
    relative = change(current, previous)
    if relative is None:
        return ""
    return f" ({_arrow(lang, relative, percent(lang, abs(relative)))})"


def trend_points(lang: Lang, current: float | None, previous: float | None) -> str:
    """` (▲ 5 pp)`: a share changes by percentage points, not by a percentage of itself."""
    if current is None or previous is None:
        return ""
    points = round((current - previous) * 100)
    written = label(lang, "trend_points", value=number(lang, abs(points)))
    return f" ({_arrow(lang, points, written)})"


def _arrow(lang: Lang, difference: float, written: str) -> str:
    if round(difference, 2) == 0:
        return label(lang, "trend_same")
    return label(lang, "trend_up" if difference > 0 else "trend_down", value=written)


def _share_text(lang: Lang, value: float | None, part: int, whole: int) -> str:
    if value is None:
        return NO_DATA
    return label(lang, "stats_part_of_whole", percent=percent(lang, value), part=part, whole=whole)


def days_text(lang: Lang, days: float | None) -> str:
    return NO_DATA if days is None else label(lang, "stats_days", value=number(lang, days, "0.0"))


def rating_text(lang: Lang, rating: float | None) -> str:
    return (
        NO_DATA
        if rating is None
        else label(lang, "stats_of_five", value=number(lang, rating, "0.0"))
    )


def workshops_shown(
    stats: NetworkStats, workshop_names: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(code, name) of every named workshop in the given order, then any code the period has
    but the names lack (a workshop since removed from the file), named by its code."""
    rows = list(workshop_names.items())
    rows += [
        (code, code)
        for code in sorted({*stats.tickets_per_workshop, *stats.workshops})
        if code not in workshop_names
    ]
    return rows


def stats_lines(
    stats: NetworkStats,
    lang: Lang,
    workshop_names: Mapping[str, str],
    category_names: Mapping[str, str],
) -> list[str]:
    """The report: a title, then a section per question head office asks, each figure with
    its change against the period before, a line per workshop, then warranty and cause."""
    now, before = stats.current, stats.previous

    def line(key: str, pick_value: Callable[[Figures], int]) -> str:
        value = pick_value(now)
        return text(
            lang, key, value=f"{number(lang, value)}{trend(lang, value, pick_value(before))}"
        )

    lines = [
        period_title("stats_title", lang, stats.days, stats.since, stats.until),
        text(lang, "stats_compared", days=stats.days),
        "",
        text(lang, "stats_demand"),
        line("stats_reports", lambda f: f.reports_started),
        line("stats_self_resolved", lambda f: f.self_resolved),
        text(
            lang,
            "stats_self_resolved_rate",
            value=_share_text(lang, now.self_resolved_share, now.self_resolved, now.reports_started)
            + trend_points(lang, now.self_resolved_share, before.self_resolved_share),
        ),
        "",
        text(lang, "stats_visits"),
        line("stats_bookings", lambda f: f.bookings),
        line("stats_walk_ins", lambda f: f.walk_ins),
        "",
        text(lang, "stats_arrivals"),
        line("stats_drop_offs", lambda f: f.drop_offs),
        line("stats_no_shows", lambda f: f.no_shows),
        text(
            lang,
            "stats_no_show_rate",
            value=_share_text(lang, now.no_show_rate, now.no_shows, now.no_shows + now.drop_offs)
            + trend_points(lang, now.no_show_rate, before.no_show_rate),
        ),
        "",
        text(lang, "stats_repairs"),
        line("stats_finished", lambda f: f.finished),
        text(
            lang,
            "stats_median_ready",
            value=days_text(lang, now.median_days_to_ready)
            + trend(lang, now.median_days_to_ready, before.median_days_to_ready),
        ),
        text(
            lang,
            "stats_approval_rate",
            value=_share_text(
                lang, now.approval_rate, now.estimates_approved, now.estimates_answered
            )
            + trend_points(lang, now.approval_rate, before.approval_rate),
        ),
        "",
        text(lang, "stats_satisfaction"),
        text(
            lang,
            "stats_rating",
            value=rating_text(lang, now.average_rating)
            + trend(lang, now.average_rating, before.average_rating),
        ),
        line("stats_ratings", lambda f: len(f.ratings)),
        "",
        text(lang, "stats_workshops"),
    ]
    lines += [
        workshop_line(lang, name, stats.tickets_per_workshop.get(code, 0), stats.of_workshop(code))
        for code, name in workshops_shown(stats, workshop_names)
    ]
    return [*lines, "", *cause_lines(stats.causes, lang, category_names, workshop_names)]


def cause_lines(
    causes: CauseFigures,
    lang: Lang,
    category_names: Mapping[str, str],
    workshop_names: Mapping[str, str],
) -> list[str]:
    """The share of warranty repairs and of misuse, per category and per workshop, in the
    order of the names given (the data files'), then any no longer named, by id."""
    lines = [text(lang, "stats_causes")]
    if not causes.by_category:
        return [*lines, text(lang, "stats_causes_none")]
    for title, grouped, names in (
        ("stats_causes_by_category", causes.by_category, category_names),
        ("stats_causes_by_workshop", causes.by_workshop, workshop_names),
    ):
        lines.append(text(lang, title))
        order = [key for key in names if key in grouped]
        order += sorted(key for key in grouped if key not in names)
        lines += [cause_line(lang, names.get(key, key), grouped[key]) for key in order]
    return lines


def cause_line(lang: Lang, name: str, shares: CauseShares) -> str:
    return text(
        lang,
        "stats_cause_line",
        name=name,
        finished=number(lang, shares.finished),
        warranty=_share_text(lang, shares.warranty_share, shares.warranty, shares.finished),
        misuse=_share_text(lang, shares.misuse_share, shares.misuse, shares.finished),
    )


def parts_stats_lines(parts: PartsFigures, lang: Lang, currency: str) -> list[str]:
    """How long parts take to come from head office, which are asked for most, and what the
    parts used cost, warranty repairs' share apart."""
    requested = ", ".join(f"{sku} {number(lang, units)}" for sku, units in parts.most_requested)
    share = parts.warranty_share
    return [
        text(lang, "stats_parts"),
        text(lang, "stats_parts_lead", value=days_text(lang, parts.median_lead_days)),
        text(lang, "stats_parts_requested", value=requested or NO_DATA),
        text(
            lang,
            "stats_parts_cost",
            used=money(lang, from_minor(parts.used_cost_minor), currency),
            warranty=money(lang, from_minor(parts.warranty_cost_minor), currency),
            share=NO_DATA if share is None else percent(lang, share),
        ),
    ]


def workshop_line(lang: Lang, name: str, tickets: int, figures: Figures) -> str:
    return text(
        lang,
        "stats_workshop_line",
        workshop=name,
        tickets=number(lang, tickets),
        median=days_text(lang, figures.median_days_to_ready),
        no_shows=NO_DATA if figures.no_show_rate is None else percent(lang, figures.no_show_rate),
        approval=NO_DATA if figures.approval_rate is None else percent(lang, figures.approval_rate),
        rating=rating_text(lang, figures.average_rating),
    )


def scorecard_lines(card: Scorecard, lang: Lang, name: str, sla_minutes: int) -> list[str]:
    figures = card.current
    return [
        period_title("scorecard_title", lang, card.days, card.since, card.until, workshop=name),
        text(lang, "scorecard_tickets", value=number(lang, card.tickets)),
        text(lang, "stats_median_ready", value=days_text(lang, figures.median_days_to_ready)),
        text(lang, "scorecard_overdue", value=number(lang, card.overdue_now)),
        text(
            lang,
            "stats_no_show_rate",
            value=_share_text(
                lang, figures.no_show_rate, figures.no_shows, figures.no_shows + figures.drop_offs
            ),
        ),
        text(
            lang,
            "stats_approval_rate",
            value=_share_text(
                lang, figures.approval_rate, figures.estimates_approved, figures.estimates_answered
            ),
        ),
        text(lang, "stats_rating", value=rating_text(lang, figures.average_rating)),
        text(
            lang,
            "scorecard_questions",
            minutes=sla_minutes,
            value=_share_text(lang, card.in_time_share, card.answered_in_time, card.questions),
        ),
    ]


def treestats_lines(fixes: list[FixOutcome], lang: Lang, tree: TroubleshootingTree) -> list[str]:
    """The fixes customers were shown, the most shown first; a fix since removed from the tree is
    shown by its id."""
    if not fixes:
        return [text(lang, "treestats_none")]
    lines = [text(lang, "treestats_title")]
    for fix in fixes:
        node = tree.node(fix.fix)
        category = tree.category(fix.category)
        written = pick(node.fix, lang) if node is not None and node.fix is not None else fix.fix
        if len(written) > _FIX_CHARACTERS:
            written = written[: _FIX_CHARACTERS - 1].rstrip() + "…"
        solved = share(fix.solved, fix.shown)
        lines.append(
            text(
                lang,
                "treestats_line",
                category=pick(category.title, lang) if category else fix.category,
                fix=written,
                shown=number(lang, fix.shown),
                solved=number(lang, fix.solved),
                share=NO_DATA if solved is None else percent(lang, solved),
            )
        )
    return lines
