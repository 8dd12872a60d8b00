"""Spare parts: the parts file head office keeps, where parts may be, and who may move them.

Locations are head office's central warehouse (`HQ`) and every workshop by its code. The
file is validated whole at start-up, so a bad edit stops the bot with the file, the entry
and the field named, rather than a part nobody can order.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.datafiles import DataFileError, parse_model, read_yaml
from bot.i18n import Lang, LocalizedText, pick
from bot.money import MAX_AMOUNT
from bot.roles import Principal
from bot.troubleshooting import TroubleshootingTree
from bot.workshops import Network

HQ = "HQ"
"""Head office's central warehouse."""
IN_TRANSIT = "TRANSIT"
"""Where a shipment is between `HQ` and a workshop, as the ledger writes it."""

MAX_QUANTITY = 1000
"""The most of one part one command moves: more is a typing slip, not a delivery."""
WAITING_TOO_LONG_DAYS = 3
"""A request not arrived after this many days shows in the morning digest."""

Sku = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]+$", max_length=32)]
"""Upper-case letters, digits and '-': typed by staff, and short enough for a button."""

REQUEST_PREFIX = "PR-"
REQUEST_ALPHABET = string.digits + string.ascii_uppercase
REQUEST_CODE_LENGTH = 6


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Part(_Strict):
    sku: Sku
    name: LocalizedText
    categories: list[str] = Field(min_length=1)
    price: Decimal = Field(ge=0, lt=MAX_AMOUNT, decimal_places=2)
    """Per unit, in the network's currency."""
    min_stock: dict[str, Annotated[int, Field(ge=0, le=1_000_000)]] = Field(
        default_factory=dict
    )
    """Per location code: below this, the morning digest says so."""

    def title(self, lang: Lang) -> str:
        return pick(self.name, lang)

    @property
    def price_minor(self) -> int:
        return int(self.price * 100)


class _PartsFile(_Strict):
    parts: list[Part] = Field(min_length=1)


@dataclass(frozen=True)
class Catalogue:
    """Every part of the parts file, by SKU."""

    parts: dict[str, Part]

    def get(self, sku: str) -> Part | None:
        """The part staff typed, in any case."""
        return self.parts.get(sku.strip().upper())

    def matching(self, typed: str) -> list[Part]:
        """Parts whose SKU or name (in any language) contains `typed`, case-insensitive."""
        wanted = typed.strip().casefold()
        return [
            part
            for part in self.parts.values()
            if not wanted
            or wanted in part.sku.casefold()
            or any(wanted in pick(part.name, lang).casefold() for lang in Lang)
        ]


def load_parts(path: Path, tree: TroubleshootingTree, network: Network) -> Catalogue:
    """Read and check the parts file against the categories and the locations that exist."""
    parsed = parse_model(_PartsFile, path, read_yaml(path))
    parts: dict[str, Part] = {}
    locations = known_locations(network)
    for part in parsed.parts:
        entry = f"parts entry '{part.sku}'"
        if part.sku in parts:
            raise DataFileError(path, entry, "sku", "duplicate sku")
        for index, category in enumerate(part.categories):
            if tree.category(category) is None:
                known = ", ".join(tree.categories)
                raise DataFileError(
                    path,
                    entry,
                    f"categories.{index}",
                    f"'{category}' is not a category of the troubleshooting file ({known})",
                )
        for location in part.min_stock:
            if location not in locations:
                raise DataFileError(
                    path,
                    entry,
                    f"min_stock.{location}",
                    f"'{location}' is neither {HQ} nor a workshop code",
                )
        parts[part.sku] = part
    return Catalogue(parts)


def known_locations(network: Network) -> set[str]:
    return {HQ, *network.workshops}


def location_of(typed: str, network: Network) -> str | None:
    """`HQ` or a workshop's code as typed, or None for anything else."""
    code = typed.strip().upper()
    return code if code in known_locations(network) else None


def may_stock(who: Principal, location: str) -> bool:
    """Head office moves parts anywhere; staff only in and out of their own workshop."""
    return who.is_head_office or (who.is_staff and who.workshop_code == location)


def new_request_code() -> str:
    """Random like ticket codes: they reveal nothing about how many parts are ordered."""
    body = "".join(secrets.choice(REQUEST_ALPHABET) for _ in range(REQUEST_CODE_LENGTH))
    return REQUEST_PREFIX + body


def normalize_request_code(typed: str) -> str | None:
    """`pr-7k2q9d`, `7K2Q9D` and `PR-7K2Q9D` are one request; None for anything else."""
    code = typed.strip().upper()
    code = code if code.startswith(REQUEST_PREFIX) else REQUEST_PREFIX + code
    body = code.removeprefix(REQUEST_PREFIX)
    if len(body) != REQUEST_CODE_LENGTH or any(c not in REQUEST_ALPHABET for c in body):
        return None
    return code
