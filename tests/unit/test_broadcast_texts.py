"""How head office's typed broadcast splits into its English and Russian texts."""

from __future__ import annotations

import pytest

from bot.broadcasts import missing, split_texts, written_in
from bot.i18n import Lang


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        ("Closed on Monday", Lang.EN),
        ("В понедельник закрыто", Lang.RU),
        ("Скидки на iPhone 15 Pro", Lang.RU),
        ("iPhone 15 Pro: скидки", Lang.RU),
        ("Our new workshop in Москва is open", Lang.EN),
        ("20% 🎉", Lang.EN),
    ],
)
def test_a_text_is_russian_when_enough_of_its_letters_are_cyrillic(body: str, lang: Lang) -> None:
    assert written_in(body) is lang


def test_two_texts_around_a_dashes_line_are_english_then_russian() -> None:
    assert split_texts("Closed\non Monday\n---\nЗакрыто\nв понедельник") == {
        Lang.EN: "Closed\non Monday",
        Lang.RU: "Закрыто\nв понедельник",
    }


def test_a_russian_text_first_is_recognised_by_its_alphabet() -> None:
    assert split_texts("Закрыто\n  ---  \nClosed") == {Lang.EN: "Closed", Lang.RU: "Закрыто"}


def test_two_texts_in_one_alphabet_keep_their_order() -> None:
    assert split_texts("OK\n---\nOK!") == {Lang.EN: "OK", Lang.RU: "OK!"}


@pytest.mark.parametrize(
    ("typed", "texts"),
    [
        ("Closed on Monday", {Lang.EN: "Closed on Monday"}),
        ("Закрыто\n---\n", {Lang.RU: "Закрыто"}),
        ("---\nClosed", {Lang.EN: "Closed"}),
        ("Closed --- on Monday", {Lang.EN: "Closed --- on Monday"}),
    ],
)
def test_one_text_is_taken_in_the_language_it_is_written_in(
    typed: str, texts: dict[Lang, str]
) -> None:
    assert split_texts(typed) == texts


@pytest.mark.parametrize("typed", ["One\n---\nДва\n---\nThree", "---", "\n---\n"])
def test_three_texts_or_none_are_refused(typed: str) -> None:
    assert split_texts(typed) is None


def test_the_missing_language_is_the_one_without_a_text() -> None:
    assert missing({Lang.EN: "Closed"}) is Lang.RU
    assert missing({Lang.RU: "Закрыто"}) is Lang.EN
    assert missing({Lang.EN: "Closed", Lang.RU: "Закрыто"}) is None
