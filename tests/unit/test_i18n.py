"""Which language the bot speaks to whom, and picking texts from data files."""

from __future__ import annotations

import pytest

from bot.i18n import Lang, language_for, pick, variants


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ru", Lang.RU),
        ("ru-RU", Lang.RU),
        ("RU", Lang.RU),
        ("en", Lang.EN),
        ("en-GB", Lang.EN),
        (None, Lang.EN),
        ("", Lang.EN),
        ("de", Lang.EN),
        ("rus", Lang.EN),
    ],
)
def test_language_for_speaks_russian_only_to_russian_clients(
    code: str | None, expected: Lang
) -> None:
    assert language_for(code) is expected


def test_pick_falls_back_to_english_then_to_any_language() -> None:
    assert pick("plain", Lang.RU) == "plain"
    assert pick({"en": "Hello", "ru": "Привет"}, Lang.RU) == "Привет"
    assert pick({"en": "Hello"}, Lang.RU) == "Hello"
    assert pick({"de": "Hallo"}, Lang.EN) == "Hallo"


def test_variants_lists_every_language_version() -> None:
    assert variants("Moscow") == ["Moscow"]
    assert sorted(variants({"en": "Moscow", "ru": "Москва"})) == ["Moscow", "Москва"]
