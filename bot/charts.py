"""The statistics as a picture head office can forward: tickets per status and per workshop."""

from __future__ import annotations

import io
from collections.abc import Mapping

from bot.i18n import Lang
from bot.messages import label
from bot.statistics import NetworkStats, status_counts, title_line, workshop_counts

_BAR_INCHES = 0.35


def stats_chart(stats: NetworkStats, lang: Lang, workshop_names: Mapping[str, str]) -> bytes:
    """A PNG with two horizontal bar charts.

    matplotlib is imported here because importing it takes a while and only this needs it;
    a `Figure` with its own Agg canvas, never pyplot, so no state is shared between calls.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    panels = [
        (
            label(lang, "chart_by_status"),
            [(label(lang, f"status_{status}"), count) for status, count in status_counts(stats)],
        ),
        (label(lang, "chart_by_workshop"), workshop_counts(stats, workshop_names)),
    ]
    heights = [max(len(bars), 1) for _, bars in panels]
    figure = Figure(figsize=(9, 2.5 + _BAR_INCHES * sum(heights)), layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title_line(stats, lang))
    for axes, (title, bars) in zip(
        figure.subplots(len(panels), 1, height_ratios=heights), panels, strict=True
    ):
        positions = range(len(bars))
        container = axes.barh(positions, [count for _, count in bars], color="#3b75af")
        axes.set_yticks(positions, [name for name, _ in bars])
        axes.invert_yaxis()
        axes.set_title(title)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.bar_label(container, padding=3)
        axes.margins(x=0.1)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
