"""The statistics report as text lines and as a chart, in English and Russian."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.charts import stats_chart
from bot.i18n import Lang
from bot.statistics import NetworkStats, stats_lines

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
NAMES_EN = {"MSK-CENTER": "Tverskaya Workshop", "SPB-NEVSKY": "Nevsky Workshop"}
NAMES_RU = {"MSK-CENTER": "Мастерская на Тверской", "SPB-NEVSKY": "Мастерская на Невском"}


STATS = NetworkStats(
    days=30,
    since=NOW - timedelta(days=30),
    until=NOW,
    reports_started=12,
    self_resolved=5,
    bookings=7,
    no_shows=1,
    per_status={"booked": 3, "ready": 1},
    per_workshop={"MSK-CENTER": 4},
    median_days_to_ready=2.5,
    estimates_answered=3,
    estimates_approved=2,
)


def test_english_lines_give_a_title_and_then_one_label_and_number_per_figure() -> None:
    lines = stats_lines(STATS, Lang.EN, NAMES_EN)

    assert lines[:8] == [
        "Statistics for the last 30 days (27.10.2026 – 26.11.2026)",
        "Fault reports started: 12",
        "Self-resolved by a fix: 5 (42%)",
        "Bookings: 7",
        "No-shows: 1",
        "Median days from received to ready: 2.5",
        "Estimate approval rate: 67% (2 of 3)",
        "Tickets created: 4",
    ]
    assert "Tickets booked: 3" in lines
    assert "Tickets ready for pickup: 1" in lines
    assert "Tickets being repaired: 0" in lines
    assert lines[-2:] == ["Tverskaya Workshop: 4", "Nevsky Workshop: 0"]


def test_russian_lines_use_russian_labels_and_a_decimal_comma() -> None:
    lines = stats_lines(STATS, Lang.RU, NAMES_RU)

    assert lines[0] == "Статистика за последние 30 дн. (27.10.2026 – 26.11.2026)"
    assert "Решено подсказкой без визита: 5 (42%)" in lines
    assert "Медиана дней от приёма до готовности: 2,5" in lines
    assert "Доля согласованных смет: 67% (2 из 3)" in lines
    assert "Статус «ожидает приёма»: 3" in lines
    assert "Мастерская на Тверской: 4" in lines


def test_every_line_after_the_title_is_one_label_and_one_value() -> None:
    for lang, names in ((Lang.EN, NAMES_EN), (Lang.RU, NAMES_RU)):
        lines = stats_lines(STATS, lang, names)

        assert all("\n" not in line for line in lines)
        for line in lines[1:]:
            name, value = line.rsplit(": ", 1)
            assert name and value[0].isdigit(), line


def test_figures_without_data_show_a_dash_instead_of_a_fake_zero_percent() -> None:
    empty = replace(
        STATS,
        reports_started=0,
        self_resolved=0,
        median_days_to_ready=None,
        estimates_answered=0,
        estimates_approved=0,
    )

    for lang in Lang:
        lines = stats_lines(empty, lang, NAMES_EN)

        assert sum(line.endswith(": —") for line in lines) == 3
        assert not any("0%" in line for line in lines)
    assert "Estimate approval rate: —" in stats_lines(empty, Lang.EN, NAMES_EN)


def test_a_workshop_missing_from_the_names_is_shown_by_its_code() -> None:
    lines = stats_lines(replace(STATS, per_workshop={"OLD-SHOP": 2}), Lang.EN, NAMES_EN)

    assert lines[-1] == "OLD-SHOP: 2"


def test_names_typed_by_head_office_are_escaped_for_html() -> None:
    lines = stats_lines(STATS, Lang.EN, {"MSK-CENTER": "Fix & <Go>"})

    assert "Fix &amp; &lt;Go&gt;: 4" in lines


def test_the_chart_is_a_png_in_either_language() -> None:
    for lang, names in ((Lang.EN, NAMES_EN), (Lang.RU, NAMES_RU)):
        png = stats_chart(STATS, lang, names)

        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(png) > 1000


def test_the_chart_of_an_empty_period_is_still_a_png() -> None:
    empty = replace(STATS, per_status={}, per_workshop={})

    assert stats_chart(empty, Lang.EN, {}).startswith(b"\x89PNG")
