"""The statistics as a picture head office can forward: what changes week by week (fault
reports, of them self-resolved, and bookings) and the tickets of each workshop.

Sized for Telegram's photo view (about 1280 pixels wide at most, often a phone's width):
two panels, each laid out on its own so long workshop names do not squeeze the weeks,
large type, and the latest week's counts and every workshop's count written on the picture.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.i18n import Lang
from bot.messages import label
from bot.storage.stats import WeekCounts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_WIDTH, _DPI = 10, 110
_SERIES = (
    ("chart_reports", "reports", "#3b75af", "o"),
    ("chart_self_resolved", "self_resolved", "#2e9e5b", "s"),
    ("chart_bookings", "bookings", "#d9822b", "^"),
)


def stats_chart(
    title: str, lang: Lang, weeks: list[WeekCounts], workshops: list[tuple[str, int]], days: int
) -> bytes:
    """A PNG: weekly lines over the last weeks above, tickets per workshop as bars below."""
    buffer = io.BytesIO()
    stats_figure(title, lang, weeks, workshops, days).savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


def stats_figure(
    title: str, lang: Lang, weeks: list[WeekCounts], workshops: list[tuple[str, int]], days: int
) -> Figure:
    """`stats_chart`'s picture, before it is drawn.

    matplotlib is imported here because importing it takes a while and only this needs it;
    a `Figure` with its own Agg canvas, never pyplot, so no state is shared between calls.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    bars = max(len(workshops), 1)
    figure = Figure(figsize=(_WIDTH, 5 + 0.45 * bars), layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=15)
    top, bottom = figure.subfigures(2, 1, height_ratios=[5, 1 + 0.45 * bars])
    trend, per_workshop = top.subplots(), bottom.subplots()

    positions = range(len(weeks))
    for key, field, colour, marker in _SERIES:
        counts = [getattr(week, field) for week in weeks]
        trend.plot(positions, counts, marker=marker, color=colour, label=label(lang, key))
        if counts:
            trend.annotate(
                str(counts[-1]),
                (positions[-1], counts[-1]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                color=colour,
                fontsize=11,
            )
    trend.set_xticks(positions, [f"{w.start:%d.%m}" for w in weeks], fontsize=11)
    trend.set_title(label(lang, "chart_weekly", weeks=len(weeks)), fontsize=13)
    trend.set_xlabel(label(lang, "chart_week_axis"), fontsize=11)
    trend.set_ylabel(label(lang, "chart_count_axis"), fontsize=11)
    trend.yaxis.set_major_locator(MaxNLocator(integer=True))
    # A quiet network's zeros would otherwise get an axis of fractions (0.000 to 0.014).
    trend.set_ylim(0, max(trend.get_ylim()[1], 1))
    trend.margins(x=0.06)
    trend.grid(axis="y", alpha=0.3)
    trend.legend(fontsize=11, loc="upper left")

    rows = range(len(workshops))
    container = per_workshop.barh(rows, [count for _, count in workshops], color="#3b75af")
    per_workshop.set_yticks(rows, [name for name, _ in workshops], fontsize=11)
    per_workshop.invert_yaxis()
    per_workshop.set_title(label(lang, "chart_by_workshop", days=days), fontsize=13)
    per_workshop.set_xlabel(label(lang, "chart_tickets_axis"), fontsize=11)
    per_workshop.xaxis.set_major_locator(MaxNLocator(integer=True))
    per_workshop.bar_label(container, padding=3, fontsize=11)
    per_workshop.margins(x=0.1)
    per_workshop.set_xlim(0, max(per_workshop.get_xlim()[1], 1))
    return figure
