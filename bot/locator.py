"""Finding the workshops nearest to a customer, from a shared location or a typed place.

The network is indexed once at start-up: per category, a grid of one-degree cells, searched
in growing rings around the customer until no unvisited cell can hold anything nearer than
what was found; and every city and address spelling, normalised, for typed places.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from bot.i18n import LocalizedText, variants
from bot.workshops import Workshop

if TYPE_CHECKING:
    from bot.gazetteer import Gazetteer

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
MAX_CHOICES = 5
MAX_RINGS = 8
"""Rings of one-degree cells searched before measuring every workshop of a category."""
MATCH_THRESHOLD = 0.8
MAX_PLACE_LENGTH = 200
"""Longer text is not an address: it is not searched (each part costs a scan of the towns)."""
MAX_PLACE_PARTS = 5

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

ADDRESS_WORDS = frozenset(
    {
        "ул", "улица", "пр", "проспект", "пер", "переулок", "пл", "площадь", "б", "р",
        "бульвар", "ш", "шоссе", "наб", "набережная", "туп", "тупик", "проезд", "д", "дом",
        "к", "корп", "корпус", "стр", "строение", "кв", "квартира", "офис", "г", "город",
        "гор", "пос", "поселок", "пгт", "с", "село", "дер", "деревня", "мкр", "микрорайон",
        "н", "район", "обл", "область", "край", "респ", "республика", "st", "street", "str",
        "ave", "avenue", "pr", "prospekt", "prospect", "blvd", "boulevard", "sq", "square",
        "ln", "lane", "rd", "road", "hwy", "highway", "emb", "embankment", "per",
        "pereulok", "ul", "ulitsa", "house", "bldg", "building", "apt", "flat", "office",
        "city", "town", "village", "district", "region", "oblast", "obl", "krai", "republic",
    }
)
"""Words that say what kind of street or place a name is, not which one."""


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lon: float

    @property
    def on_earth(self) -> bool:
        """A real latitude and longitude: a forged `inf` or `NaN` breaks every distance."""
        return (
            math.isfinite(self.lat)
            and math.isfinite(self.lon)
            and -90 <= self.lat <= 90
            and -180 <= self.lon <= 180
        )


@dataclass(frozen=True, slots=True)
class Place:
    """Where a typed place is, with the name it was recognised by (to show the customer)."""

    name: LocalizedText
    point: Point


@dataclass(frozen=True, slots=True)
class Nearby:
    workshop: Workshop
    km: float


@dataclass(frozen=True, slots=True)
class Offer:
    """What a customer somewhere is offered: the workshops within reach, nearest first; and
    the nearest of all, to name when none is within reach (None: nobody repairs it)."""

    near: list[Nearby]
    nearest: Nearby | None


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance by the haversine formula."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def normalize(text: str) -> str:
    """Case, accents, 'ё' and punctuation do not matter when people type a place."""
    text = text.casefold()
    if not text.isascii():  # plain ASCII has no accents to take off (most addresses)
        text = unicodedata.normalize("NFKD", text.replace("ё", "е"))
        text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def spellings(text: str) -> set[str]:
    """The normalized text as written, and transliterated to Latin letters."""
    plain = normalize(text)
    return {plain, plain.translate(CYRILLIC_TO_LATIN)}


def _ratio(typed: str, known: str) -> float:
    if not typed or not known:
        return 0.0
    # A fragment counts whole only as whole words: "Pushkin" is not "Pushkina St".
    if typed == known or (len(typed) >= 4 and f" {typed} " in f" {known} "):
        return 1.0
    matcher = SequenceMatcher(None, typed, known)
    if matcher.real_quick_ratio() < MATCH_THRESHOLD or matcher.quick_ratio() < MATCH_THRESHOLD:
        return 0.0
    return matcher.ratio()


Cell = tuple[int, int]


def place_names(typed: str) -> list[str]:
    """The parts of a typed address that may name a town: "ул. Тверская, 1, Москва" gives
    "тверская" and "москва" (numbers and words like "street" or "город" are dropped)."""
    names = []
    for part in re.split(r"[,;\n]", typed):
        words = [
            word
            for word in normalize(part).split()
            if word not in ADDRESS_WORDS and not any(char.isdigit() for char in word)
        ]
        if words:
            names.append(" ".join(words))
    return names


class Locator:
    def __init__(self, workshops: Iterable[Workshop], gazetteer: Gazetteer | None = None) -> None:
        """`gazetteer`, when given, finds the towns that have no workshop."""
        self._gazetteer = gazetteer
        self._grids: dict[str, dict[Cell, list[Workshop]]] = {}
        cities: dict[str, list[Workshop]] = {}
        addresses: list[tuple[str, Place]] = []
        for workshop in workshops:
            cell = (math.floor(workshop.lat), math.floor(workshop.lon))
            for category in workshop.categories:
                self._grids.setdefault(category, {}).setdefault(cell, []).append(workshop)
            for city in variants(workshop.city):
                cities.setdefault(city, []).append(workshop)
            point = Point(workshop.lat, workshop.lon)
            place = Place(workshop.address, point)
            for address in variants(workshop.address):
                addresses.extend((spelling, place) for spelling in spellings(address))
        # Cities before addresses: on an equal score, a typed city means the city.
        self._places: list[tuple[str, Place]] = []
        self._cities: dict[str, Place] = {}
        for city, members in cities.items():
            middle = Place(members[0].city, _middle({w.code: w for w in members}.values()))
            for spelling in spellings(city):
                self._places.append((spelling, middle))
                self._cities.setdefault(spelling, middle)
        self._places.extend(addresses)

    def nearest(self, category: str, here: Point, limit: int = MAX_CHOICES) -> list[Nearby]:
        """Workshops that repair `category`, nearest first (ties by code: a stable order)."""
        grid = self._grids.get(category)
        if not grid:
            return []
        origin = (math.floor(here.lat), math.floor(here.lon))
        found: list[Nearby] = []
        for ring in range(MAX_RINGS + 1):
            for cell in _ring(origin, ring):
                for workshop in grid.get(cell, ()):
                    km = distance_km(here, Point(workshop.lat, workshop.lon))
                    found.append(Nearby(workshop, km))
            found.sort(key=lambda item: (item.km, item.workshop.code))
            if len(found) >= limit and _beyond(here, ring) > found[limit - 1].km:
                return found[:limit]
        # Far from everything (or near a pole, where degrees of longitude shrink to nothing):
        # measure every workshop of the category.
        found = [
            Nearby(workshop, distance_km(here, Point(workshop.lat, workshop.lon)))
            for members in grid.values()
            for workshop in members
        ]
        found.sort(key=lambda item: (item.km, item.workshop.code))
        return found[:limit]

    def offer(self, category: str, here: Point, reach_km: float) -> Offer:
        """Workshops farther than `reach_km` are no ordinary choice: a customer in
        Vladivostok is not offered Novosibirsk as if it were next door."""
        found = self.nearest(category, here)
        near = [item for item in found if item.km <= reach_km]
        return Offer(near, found[0] if found else None)

    def locate(self, typed: str) -> Place | None:
        """Where a typed town or address is.

        A city with workshops is the middle of its workshops, a workshop's address the
        workshop; any other town of the country comes from the gazetteer, an address by its
        town. Small typos are forgiven by a similarity ratio.
        """
        if len(normalize(typed)) < 2 or len(typed) > MAX_PLACE_LENGTH:
            return None
        names = place_names(typed)[:MAX_PLACE_PARTS]
        for name in names:  # the cheap, common case first: "Москва", "Arbat 10, Moscow"
            for spelling in spellings(name):
                if spelling in self._cities:
                    return self._cities[spelling]
        query = spellings(typed)
        best_score, best = 0.0, None
        for known, place in self._places:
            score = max(_ratio(spelling, known) for spelling in query)
            if score > best_score:
                best_score, best = score, place
        if best_score >= MATCH_THRESHOLD:
            return best
        return self._gazetteer.find(names) if self._gazetteer is not None else None


def _middle(workshops: Iterable[Workshop]) -> Point:
    members = list(workshops)
    return Point(
        sum(w.lat for w in members) / len(members), sum(w.lon for w in members) / len(members)
    )


def _ring(origin: Cell, ring: int) -> list[Cell]:
    """The cells at Chebyshev distance `ring` from `origin`.

    Longitude wraps around; rings never get wide enough to meet themselves (see MAX_RINGS).
    """
    lat0, lon0 = origin
    if ring == 0:
        return [origin]
    cells = []
    for dlat in range(-ring, ring + 1):
        for dlon in range(-ring, ring + 1):
            if max(abs(dlat), abs(dlon)) == ring:
                cells.append((lat0 + dlat, (lon0 + dlon + 180) % 360 - 180))
    return cells


def _beyond(here: Point, ring: int) -> float:
    """A lower bound on the distance to anything outside the rings searched so far.

    Such a point is at least `ring` whole degrees of latitude or of longitude away from the
    cell we stand in; a degree of longitude is shortest at the highest latitude it may be at.
    """
    degrees = max(ring, 0)
    by_latitude = degrees * KM_PER_DEGREE
    highest = min(90.0, abs(here.lat) + degrees + 1)
    chord = math.cos(math.radians(highest)) * math.sin(math.radians(min(degrees, 180)) / 2)
    by_longitude = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord))
    return min(by_latitude, by_longitude)
