"""Button payloads: short, prefixed, parsed into small models and validated.

A payload that does not parse (an old bot version, a forged button) simply matches no
handler and gets the "no longer active" answer.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.i18n import Lang
from bot.troubleshooting import NodeId
from bot.workshops import WorkshopCode

TicketCode = Annotated[str, StringConstraints(pattern=r"^SR-[0-9A-Z]{6}$")]


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    prefix: ClassVar[str]

    def encode(self) -> str:
        values = [str(value) for value in self.model_dump(mode="json").values()]
        data = ":".join([self.prefix, *values])
        if len(data.encode()) > 64:
            raise ValueError(f"callback data over Telegram's 64 bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: object) -> Self | None:
        if not isinstance(data, str):
            return None
        head, _, rest = data.partition(":")
        if head != cls.prefix:
            return None
        parts = rest.split(":") if rest else []
        names = list(cls.model_fields)
        if len(parts) != len(names):
            return None
        try:
            return cls.model_validate(dict(zip(names, parts, strict=True)))
        except ValidationError:
            return None

    @classmethod
    def matches(cls, data: object) -> bool:
        return cls.decode(data) is not None


class MenuPick(Payload):
    prefix = "menu"
    item: Literal["repair", "bookings", "language", "help"]


class LanguagePick(Payload):
    prefix = "lang"
    lang: Lang


class CategoryPick(Payload):
    prefix = "cat"
    category: NodeId


class AnswerPick(Payload):
    prefix = "ans"
    node: NodeId
    option: int = Field(ge=0, le=7)


class FixOutcome(Payload):
    prefix = "fix"
    node: NodeId
    helped: Literal["y", "n"]


class Nav(Payload):
    prefix = "nav"
    to: Literal["back", "exit"]


class WorkshopPick(Payload):
    prefix = "ws"
    code: WorkshopCode


class DayPick(Payload):
    prefix = "day"
    day: date


class SlotPick(Payload):
    prefix = "slot"
    start: int = Field(gt=0)
    """Slot start as Unix seconds: compact, and free of the ':' that separates fields."""


class Decision(Payload):
    prefix = "book"
    confirm: Literal["yes", "no"]


class CancelAsk(Payload):
    prefix = "cxl"
    code: TicketCode


class CancelConfirm(Payload):
    prefix = "cxy"
    code: TicketCode


class CancelKeep(Payload):
    prefix = "cxn"
    code: TicketCode


class EstimateAnswer(Payload):
    prefix = "est"
    estimate: int = Field(gt=0)
    approve: Literal["y", "n"]


class SetStatus(Payload):
    prefix = "st"
    code: TicketCode
    status: str = Field(pattern=r"^[a-z_]{1,16}$")


class JobsPageTurn(Payload):
    prefix = "jobs"
    scope: str = Field(pattern=r"^(-|[A-Z0-9][A-Z0-9-]{0,31})$")
    """A workshop code, or '-' for the caller's own workshop (staff) or all (head office)."""
    status: str = Field(pattern=r"^(-|[a-z_]{1,16})$")
    page: int = Field(ge=0, le=100_000)


class WillCome(Payload):
    prefix = "cf"
    code: TicketCode


class Reschedule(Payload):
    prefix = "rs"
    code: TicketCode


class RescheduleDay(Payload):
    prefix = "rsd"
    code: TicketCode
    day: date


class RescheduleSlot(Payload):
    prefix = "rss"
    code: TicketCode
    start: int = Field(gt=0)


class Rating(Payload):
    prefix = "fb"
    code: TicketCode
    stars: int = Field(ge=1, le=5)


class BroadcastDecision(Payload):
    prefix = "bc"
    broadcast: int = Field(gt=0)
    confirm: Literal["y", "n"]
