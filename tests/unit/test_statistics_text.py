"""The statistics report as text lines and as a chart, in English and Russian."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.charts import stats_chart, stats_figure
from bot.config import DATA_DIR
from bot.handlers.report_views import (
    chart_title,
    scorecard_lines,
    stats_lines,
    treestats_lines,
    trend,
    trend_points,
)
from bot.i18n import Lang
from bot.roles import Principal, Role
from bot.statistics import Figures, NetworkStats, Scorecard, readable_workshop
from bot.storage.stats import FixOutcome, WeekCounts
from bot.troubleshooting import load_tree

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EMPTY = Figures(0, 0, 0, 0, 0, 0, [], 0, 0, [])
FIGURES = Figures(12, 5, 7, 2, 5, 1, [2.0, 3.0], 3, 2, [5, 4])
STATS = NetworkStats(
    30, NOW - timedelta(days=30), NOW, FIGURES, EMPTY, {"MSK-CENTER": FIGURES}, {"MSK-CENTER": 4}
)
CARD = Scorecard("MSK-CENTER", 30, STATS.since, NOW, 4, FIGURES, 1, 3, 2)
WEEKS = [
    WeekCounts(NOW - timedelta(days=7 * back), 10 + back, back, 3) for back in range(12, 0, -1)
]


def test_a_change_is_an_arrow_with_a_percentage_or_nothing_to_compare() -> None:
    assert trend(Lang.EN, 15, 12) == " (▲ 25%)"
    assert trend(Lang.EN, 9, 12) == " (▼ 25%)"
    assert trend(Lang.EN, 12, 12) == " (= 0%)"
    assert trend(Lang.RU, 3, 0) == " (▲ с 0)"
    assert trend(Lang.EN, 0, 0) == ""
    assert trend(Lang.EN, None, 2.0) == ""


def test_a_share_changes_by_percentage_points() -> None:
    assert trend_points(Lang.EN, 0.5, 0.4) == " (▲ 10 pp)"
    assert trend_points(Lang.RU, 0.3, 0.4) == " (▼ 10 п. п.)"
    assert trend_points(Lang.EN, 0.5, None) == ""


def test_a_period_after_an_empty_one_shows_each_section_heading_in_both_languages() -> None:
    english = stats_lines(STATS, Lang.EN, {"MSK-CENTER": "Fix & <Go>"}, {})
    russian = stats_lines(STATS, Lang.RU, {"MSK-CENTER": "Мастерская"}, {})

    for heading in ("Demand", "Bookings and walk-ins", "Drop-offs and no-shows", "Repairs"):
        assert f"<b>{heading}</b>" in english
    assert "<b>Удовлетворённость</b>" in russian
    assert "Self-resolved rate: 42% (5 of 12)" in english, "no change from an empty period"
    assert "Средняя оценка: 4,5 из 5" in russian
    workshop = english[english.index("<b>Workshops</b>") + 1]
    assert workshop.startswith("Fix &amp; &lt;Go&gt;: tickets 4"), "names escaped for HTML"


def test_a_scorecard_lists_each_figure_of_the_workshop() -> None:
    lines = scorecard_lines(CARD, Lang.EN, "Tverskaya", 60)

    assert lines == [
        "<b>Tverskaya</b>, the last 30 days (27.10.2026 – 26.11.2026)",
        "Tickets: 4",
        "Median time from received to ready: 2.5 days",
        "Overdue now: 1",
        "No-show rate: 17% (1 of 6)",
        "Estimates approved: 67% (2 of 3)",
        "Average rating: 4.5 of 5",
        "Questions answered within 60 min: 67% (2 of 3)",
    ]


def test_fixes_are_named_by_their_text_in_the_readers_language() -> None:
    tree = load_tree(DATA_DIR / "troubleshooting.yaml")
    fixes = [FixOutcome("w_drain", "washer", 4, 1), FixOutcome("gone", "washer", 1, 0)]

    english = treestats_lines(fixes, Lang.EN, tree)
    assert english[1].startswith("Washing machine · Unplug the machine")
    assert english[1].endswith("…: shown 4, helped 1 (25%)")
    assert english[2] == "Washing machine · gone: shown 1, helped 0 (0%)", "removed from the tree"
    assert treestats_lines(fixes, Lang.RU, tree)[1].startswith("Стиральная машина · Отключите")
    assert treestats_lines([], Lang.EN, tree) == ["No customer has been shown a fix yet."]


def test_the_chart_is_a_png_in_either_language() -> None:
    for lang in Lang:
        png = stats_chart(chart_title(STATS, lang), lang, WEEKS, [("One", 4), ("Two", 0)], 30)

        assert png.startswith(PNG_SIGNATURE)
        width, height = int.from_bytes(png[16:20]), int.from_bytes(png[20:24])
        assert width <= 1280 and height <= 1280, "Telegram's photo view shows it whole"


def test_the_chart_of_an_empty_network_is_still_a_png() -> None:
    png = stats_chart("Statistics", Lang.EN, [], [], 30)

    assert png.startswith(PNG_SIGNATURE)


def test_a_quiet_networks_chart_counts_in_whole_numbers() -> None:
    quiet = [WeekCounts(week.start, 0, 0, 0) for week in WEEKS]
    figure = stats_figure("Statistics", Lang.EN, quiet, [("One", 0), ("Two", 0)], 30)
    trend, per_workshop = (sub.axes[0] for sub in figure.subfigs)

    for ticks, (low, high) in (
        (trend.get_yticks(), trend.get_ylim()),
        (per_workshop.get_xticks(), per_workshop.get_xlim()),
    ):
        shown = [tick for tick in ticks if low <= tick <= high]
        assert shown and all(float(tick).is_integer() for tick in shown), shown
        assert low == 0 and high >= 1


def test_staff_read_only_their_own_scorecard_and_head_office_any_named() -> None:
    codes = ["MSK-CENTER", "SPB-NEVSKY"]
    staff = Principal(7001, Role.STAFF, "MSK-CENTER")
    office = Principal(9000, Role.HEAD_OFFICE)

    assert readable_workshop(staff, None, codes) == "MSK-CENTER"
    assert readable_workshop(staff, "msk-center", codes) == "MSK-CENTER"
    assert readable_workshop(staff, "SPB-NEVSKY", codes) is None
    assert readable_workshop(staff, "NOPE", codes) is None
    assert readable_workshop(office, "spb-nevsky", codes) == "SPB-NEVSKY"
    assert readable_workshop(office, "NOPE", codes) is None
    assert readable_workshop(Principal(1, Role.CUSTOMER), "SPB-NEVSKY", codes) is None
