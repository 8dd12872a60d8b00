"""The bilingual catalogue of user-facing strings."""

from __future__ import annotations

import re
from string import Formatter

import pytest

from bot.i18n import Lang
from bot.messages import CATALOGUE, all_labels, label, text


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(template) if field is not None}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_catalogue_entry_has_english_and_russian(key: str) -> None:
    entry = CATALOGUE[key]

    assert set(entry) == set(Lang)
    assert all(entry[lang].strip() for lang in Lang)


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_both_languages_of_an_entry_use_the_same_placeholders(key: str) -> None:
    entry = CATALOGUE[key]

    assert placeholders(entry[Lang.EN]) == placeholders(entry[Lang.RU])


def test_text_escapes_html_in_its_parameters() -> None:
    body = text(Lang.EN, "unknown_command", command="<b>/x</b> & co")

    assert "&lt;b&gt;/x&lt;/b&gt; &amp; co" in body
    assert "<b>" not in body


def test_text_keeps_the_catalogue_own_markup() -> None:
    body = text(Lang.RU, "cancelled", code="SR-ABC123")

    assert body == "Запись <b>SR-ABC123</b> отменена."


def test_label_does_not_escape_its_parameters() -> None:
    assert label(Lang.EN, "btn_cancel_booking", code="<i>&") == "Cancel <i>&"
    assert label(Lang.RU, "workshop_button", name="A&B", km=3) == "A&B · 3 км"


def test_all_labels_gives_the_button_in_every_language() -> None:
    assert all_labels("btn_skip") == {"Skip", "Пропустить"}


WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
MARKUP = re.compile(r"\{[^}]*\}|</?[a-z]+>|/[a-z_]+|[SP]R-X+")
"""Placeholders, HTML tags, commands and the ticket and parts request code patterns: not words
of either language."""
NAMES_KEPT_IN_RUSSIAN = {"Telegram", "CSV", "Excel", "QR", "id", "HEAD_OFFICE_IDS", "HQ"}
"""Names that Russian text writes in Latin letters too."""


def english_words() -> set[str]:
    return {
        word.lower()
        for entry in CATALOGUE.values()
        for word in WORD.findall(MARKUP.sub(" ", entry[Lang.EN]))
    }


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_no_russian_message_contains_an_english_word(key: str) -> None:
    russian = MARKUP.sub(" ", CATALOGUE[key][Lang.RU])
    found = {word for word in WORD.findall(russian) if word.lower() in english_words()}

    assert found <= NAMES_KEPT_IN_RUSSIAN, f"{key}: {found - NAMES_KEPT_IN_RUSSIAN}"
