"""The people the emulator plays: customers, workshop staff and head office.

Each persona is a :class:`FakeUser` of the fake Bot API (so the bot sees ordinary Telegram
updates from them) plus what the page needs to show and what the persona shares when asked
(their phone number).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Literal

from bot.fake_telegram import FakeBotApi, FakeUser

Kind = Literal["customer", "staff", "head_office"]

HEAD_OFFICE_ID = 1_000_001
FIRST_SEEDED_CUSTOMER_ID = 2_000_001
FIRST_SEEDED_STAFF_ID = 3_000_001
FIRST_NEW_ID = 5_000_001

_NEW_NAMES = {
    "en": [
        ("Alice", "Brown"),
        ("Ben", "Carter"),
        ("Chloe", "Davis"),
        ("Daniel", "Evans"),
        ("Emma", "Foster"),
        ("Frank", "Green"),
    ],
    "ru": [
        ("Мария", "Иванова"),
        ("Алексей", "Смирнов"),
        ("Ольга", "Кузнецова"),
        ("Дмитрий", "Попов"),
        ("Анна", "Соколова"),
        ("Игорь", "Лебедев"),
    ],
}
_STAFF_NAMES = [
    ("Pavel", "Orlov"),
    ("Irina", "Volkova"),
    ("Sergey", "Morozov"),
    ("Elena", "Pavlova"),
    ("Nikolai", "Fedorov"),
    ("Tatiana", "Nikitina"),
]


@dataclass
class Persona:
    id: int
    kind: Kind
    first_name: str
    last_name: str | None
    language: str
    phone: str
    user: FakeUser
    workshop: str | None = None
    workshop_name: str | None = None
    seeded: bool = False

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def label(self) -> str:
        if self.kind == "head_office":
            return f"{self.name} · head office"
        if self.kind == "staff":
            return f"{self.name} · staff, {self.workshop}"
        return f"{self.name} · customer ({self.language})"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "language": self.language,
            "phone": self.phone,
            "workshop": self.workshop,
            "workshop_name": self.workshop_name,
            "seeded": self.seeded,
            "label": self.label,
        }


def phone_for(user_id: int) -> str:
    """A plausible, fictitious Russian mobile number, stable per persona."""
    digits = f"{user_id % 10_000_000:07d}"
    return f"+7 916 {digits[:3]} {digits[3:5]} {digits[5:]}"


class Personas:
    """Every persona of this emulator run, in the order they were made."""

    def __init__(self, api: FakeBotApi) -> None:
        self._api = api
        self._by_id: dict[int, Persona] = {}
        self._next_id = itertools.count(FIRST_NEW_ID)
        self._made = {"en": 0, "ru": 0, "staff": 0}

    def add(
        self,
        user_id: int,
        kind: Kind,
        first_name: str,
        last_name: str | None,
        language: str,
        *,
        workshop: str | None = None,
        workshop_name: str | None = None,
        seeded: bool = False,
    ) -> Persona:
        if user_id in self._by_id:
            raise ValueError(f"persona {user_id} exists already")
        user = FakeUser(
            self._api,
            user_id,
            first_name,
            last_name,
            username=None,
            language_code=language,
        )
        persona = Persona(
            id=user_id,
            kind=kind,
            first_name=first_name,
            last_name=last_name,
            language=language,
            phone=phone_for(user_id),
            user=user,
            workshop=workshop,
            workshop_name=workshop_name,
            seeded=seeded,
        )
        self._by_id[user_id] = persona
        return persona

    def new_id(self) -> int:
        return next(self._next_id)

    def new_customer_name(self, language: str) -> tuple[str, str]:
        names = _NEW_NAMES[language]
        made = self._made[language]
        self._made[language] += 1
        first, last = names[made % len(names)]
        return (first if made < len(names) else f"{first} {made // len(names) + 1}"), last

    def new_staff_name(self) -> tuple[str, str]:
        made = self._made["staff"]
        self._made["staff"] += 1
        first, last = _STAFF_NAMES[made % len(_STAFF_NAMES)]
        return first, last

    def get(self, user_id: int) -> Persona | None:
        return self._by_id.get(user_id)

    def all(self) -> list[Persona]:
        return list(self._by_id.values())
