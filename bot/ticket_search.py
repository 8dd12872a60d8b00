"""What staff may type to /find a ticket, and how it is read.

One text can be several things at once (`screen` is a word of a description and could be a
ticket code), so it is read every way it can be, and a ticket matching any reading is found.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.phones import typed_number
from bot.tickets import is_ticket_code, normalize_code

MIN_QUERY = 3
"""Shorter text matches half the tickets: staff are asked for more."""
MAX_QUERY = 100
MAX_WORDS = 5
MAX_RESULTS = 10


@dataclass(frozen=True)
class SearchTerms:
    code: str | None
    phone: str | None
    words: tuple[str, ...]
    """Every one must start a word of the customer's name or of the fault description."""


def search_terms(typed: str, region: str) -> SearchTerms | None:
    """The readings of `typed`; None when it is too short to search by."""
    query = " ".join(typed.split())[:MAX_QUERY]
    if len(query) < MIN_QUERY:
        return None
    code = normalize_code(query)
    phone = typed_number(query, region)
    words = () if phone else tuple(query.split()[:MAX_WORDS])
    return SearchTerms(code if is_ticket_code(code) else None, phone, words)
