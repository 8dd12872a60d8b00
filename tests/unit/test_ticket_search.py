"""How the text typed after /find is read: code, phone, words."""

from __future__ import annotations

import pytest

from bot.ticket_search import SearchTerms, search_terms


@pytest.mark.parametrize("typed", ["", "  ", "ab", " a "])
def test_text_shorter_than_three_characters_is_not_searched(typed: str) -> None:
    assert search_terms(typed, "RU") is None


@pytest.mark.parametrize("typed", ["SR-7K2Q9D", "sr-7k2q9d", "7k2q9d"])
def test_a_ticket_code_is_read_as_staff_type_it(typed: str) -> None:
    terms = search_terms(typed, "RU")
    assert terms is not None and terms.code == "SR-7K2Q9D"


@pytest.mark.parametrize("typed", ["+7 916 123-45-67", "8 (916) 123-45-67", "89161234567"])
def test_a_phone_is_read_in_any_usual_format_and_is_not_also_words(typed: str) -> None:
    assert search_terms(typed, "RU") == SearchTerms(code=None, phone="+79161234567", words=())


def test_words_are_searched_as_typed_one_by_one() -> None:
    terms = search_terms("АННА  Screen", "RU")
    assert terms is not None and terms.words == ("АННА", "Screen") and terms.phone is None


def test_a_six_letter_word_is_searched_both_as_a_word_and_as_a_code() -> None:
    terms = search_terms("screen", "RU")
    assert terms is not None and terms.code == "SR-SCREEN"
    assert terms.words == ("screen",)
