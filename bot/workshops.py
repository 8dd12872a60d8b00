"""The workshops of the network as head office describes them in the workshops file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pydantic.dataclasses
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    InstanceOf,
    StringConstraints,
    TypeAdapter,
    field_validator,
    model_validator,
)

from bot.datafiles import DataFileError, parse_entry, parse_model, read_yaml
from bot.i18n import Lang, LocalizedText, pick
from bot.troubleshooting import TroubleshootingTree

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

WorkshopCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{0,31}$")]


@dataclass(frozen=True, slots=True)
class OpeningHours:
    opens: time
    closes: time

    @classmethod
    @lru_cache(maxsize=512)
    def parse(cls, text: str) -> Self:
        """Cached: a big network repeats a few opening hours thousands of times, and the
        result is immutable, so workshops share it."""
        try:
            start, end = (part.strip() for part in text.split("-"))
            opens, closes = time.fromisoformat(start), time.fromisoformat(end)
        except ValueError as error:
            raise ValueError(f"'{text}' is not like \"09:00-18:00\"") from error
        if opens >= closes:
            raise ValueError(f"'{text}' closes before it opens")
        return cls(opens, closes)

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


@pydantic.dataclasses.dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))
class Workshop:
    """A validated dataclass with slots rather than a model: a network of 20,000 holds
    20,000 of them, and a model's own dict and set of field names would double its memory."""

    code: WorkshopCode
    name: LocalizedText
    city: LocalizedText
    address: LocalizedText
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    phone: Annotated[str, Field(min_length=3, max_length=32)]
    categories: Annotated[list[str], Field(min_length=1)]
    hours: dict[str, OpeningHours]
    slot_minutes: int = Field(default=30, ge=5, le=480)
    slot_capacity: int = Field(default=1, ge=1, le=100)
    timezone: str | None = None

    @field_validator("hours", mode="before")
    @classmethod
    def _parse_hours(cls, value: object) -> object:
        if not isinstance(value, dict):
            raise ValueError('hours must map days to "HH:MM-HH:MM", e.g. {mon: "09:00-18:00"}')
        parsed: dict[str, OpeningHours] = {}
        for day, text in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown day '{day}' (use {', '.join(WEEKDAYS)})")
            if not isinstance(text, str):
                # Not the value itself: an alias can make it a list of millions of items.
                raise ValueError(f"{day}: a {type(text).__name__}, not a text like \"09:00-18:00\"")
            try:
                parsed[day] = OpeningHours.parse(text)
            except ValueError as error:
                raise ValueError(f"{day}: {error}") from error
        return parsed

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValueError(f"unknown time zone '{value}'") from error
        return value

    @model_validator(mode="after")
    def _slots_fit(self) -> Self:
        for day, hours in self.hours.items():
            minutes = (hours.closes.hour * 60 + hours.closes.minute) - (
                hours.opens.hour * 60 + hours.opens.minute
            )
            if minutes < self.slot_minutes:
                raise ValueError(f"{day}: open for less than one {self.slot_minutes}-minute slot")
        return self

    def title(self, lang: Lang) -> str:
        return pick(self.name, lang)

    def where(self, lang: Lang) -> str:
        return f"{pick(self.address, lang)}, {pick(self.city, lang)}"


class _WorkshopsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Read and validated one by one by `load_workshops`; not validated a second time here.
    workshops: list[InstanceOf[Workshop]] = Field(min_length=1)


@dataclass(frozen=True)
class Network:
    """All workshops, each with its time zone resolved."""

    workshops: dict[str, Workshop]
    zones: dict[str, ZoneInfo]

    def get(self, code: str) -> Workshop | None:
        return self.workshops.get(code)

    def zone(self, code: str) -> ZoneInfo:
        return self.zones[code]


def load_workshops(path: Path, tree: TroubleshootingTree, default_zone: ZoneInfo) -> Network:
    adapter = TypeAdapter(Workshop)

    def each(section: str, index: int, item: object) -> object:
        """Validate each workshop as it is read, so the raw file is never held whole."""
        if section != "workshops":
            return item
        return parse_entry(adapter, path, section, index, item)

    raw = read_yaml(path, each)
    workshops = parse_model(_WorkshopsFile, path, raw).workshops
    seen: set[str] = set()
    for workshop in workshops:
        entry = f"workshops entry '{workshop.code}'"
        if workshop.code in seen:
            raise DataFileError(path, entry, "code", "duplicate code")
        seen.add(workshop.code)
        for index, category in enumerate(workshop.categories):
            if tree.category(category) is None:
                known = ", ".join(tree.categories)
                raise DataFileError(
                    path,
                    entry,
                    f"categories.{index}",
                    f"'{category}' is not a category of the troubleshooting file ({known})",
                )
    return Network(
        {workshop.code: workshop for workshop in workshops},
        {
            workshop.code: ZoneInfo(workshop.timezone) if workshop.timezone else default_zone
            for workshop in workshops
        },
    )
