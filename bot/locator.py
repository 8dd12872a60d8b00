"""Finding the workshops nearest to a customer, from a shared location or a typed place."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.i18n import variants
from bot.workshops import Workshop

EARTH_RADIUS_KM = 6371.0088
MAX_CHOICES = 5
MATCH_THRESHOLD = 0.8


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True)
class Nearby:
    workshop: Workshop
    km: float


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance by the haversine formula."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def nearest(
    workshops: list[Workshop], category: str, here: Point, limit: int = MAX_CHOICES
) -> list[Nearby]:
    """Workshops that repair `category`, nearest first (ties by code, so the order is stable)."""
    serving = [
        Nearby(workshop, distance_km(here, Point(workshop.lat, workshop.lon)))
        for workshop in workshops
        if category in workshop.categories
    ]
    serving.sort(key=lambda item: (item.km, item.workshop.code))
    return serving[:limit]


CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    }
)
"""Russian names in Latin letters, so "Moskva" and "Kazan'" find Москва and Казань."""


def normalize(text: str) -> str:
    """Case, accents, 'ё' and punctuation do not matter when people type a place."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("ё", "е"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _spellings(text: str) -> set[str]:
    """The normalized text as written, and transliterated to Latin letters."""
    plain = normalize(text)
    return {plain, plain.translate(CYRILLIC_TO_LATIN)}


def _similar(typed: set[str], known: str) -> float:
    return max(_ratio(a, b) for a in typed for b in _spellings(known))


def _ratio(typed: str, known: str) -> float:
    if not typed or not known:
        return 0.0
    if typed == known or (len(typed) >= 4 and typed in known):
        return 1.0
    return SequenceMatcher(None, typed, known).ratio()


def locate(typed: str, workshops: list[Workshop]) -> Point | None:
    """Where a typed city or address is, by the workshops we know there.

    A city resolves to the middle of its workshops; an address to the workshop that has it.
    Small typos are forgiven by a similarity ratio rather than exact matching.
    """
    query = _spellings(typed)
    if len(normalize(typed)) < 2:
        return None
    best_score = 0.0
    best: Point | None = None
    cities: dict[str, list[Workshop]] = {}
    for workshop in workshops:
        for city in variants(workshop.city):
            cities.setdefault(city, []).append(workshop)
    for city, members in cities.items():
        score = _similar(query, city)
        if score > best_score:
            unique = {member.code: member for member in members}.values()
            best_score = score
            best = Point(
                sum(member.lat for member in unique) / len(unique),
                sum(member.lon for member in unique) / len(unique),
            )
    for workshop in workshops:
        for address in variants(workshop.address):
            score = _similar(query, address)
            if score > best_score:
                best_score, best = score, Point(workshop.lat, workshop.lon)
    return best if best_score >= MATCH_THRESHOLD else None
