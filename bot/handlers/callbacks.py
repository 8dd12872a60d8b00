"""Button payloads: short, prefixed, parsed into small models and validated.

A payload that does not parse (an old bot version, a forged button) simply matches no
handler and gets the "no longer active" answer. Every number and date is bounded here, so
a forged one can never reach a query or a date calculation that would overflow.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, ClassVar, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from bot.i18n import Lang
from bot.status_rules import CancelReason
from bot.troubleshooting import NodeId
from bot.warranty import Cause, PurchaseAge
from bot.workshops import WorkshopCode

TicketCode = Annotated[str, StringConstraints(pattern=r"^SR-[0-9A-Z]{6}$")]


def _as_written(value: object) -> object:
    """Numbers only as `encode` writes them: pydantic also reads "+1", " 1", "1.0", "1_0"."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,19}", value):
        raise ValueError("not a number the bot writes")
    return value


Number = Annotated[int, BeforeValidator(_as_written)]
RowId = Annotated[Number, Field(ge=1, le=2**63 - 1)]
"""A database id: SQLite stops at 2**63 - 1, and a bigger int raises instead of finding nothing."""

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
UnixTime = Annotated[Number, Field(ge=int(EARLIEST.timestamp()), lt=int(LATEST.timestamp()))]
"""Seconds that are a date this century; which of them may be booked is the domain's rule."""
Day = Annotated[date, Field(ge=EARLIEST.date(), lt=LATEST.date())]
"""A day this century, so no calculation near year 9999 can overflow; the booking horizon,
which needs today's date from the clock, is checked by the handlers."""


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
    option: Number = Field(ge=0, le=7)


class FixOutcome(Payload):
    prefix = "fix"
    node: NodeId
    helped: Literal["y", "n"]


class Nav(Payload):
    prefix = "nav"
    to: Literal["back", "exit"]


class DescriptionDone(Payload):
    """`Skip` or `➡️ Continue` at the description step: go on with whatever was sent."""

    prefix = "desc"


class PurchasePick(Payload):
    """When the product was bought, at the booking step after the description."""

    prefix = "buy"
    age: PurchaseAge


class WorkshopPick(Payload):
    prefix = "ws"
    code: WorkshopCode


class DayPick(Payload):
    prefix = "day"
    day: Day


class SlotPick(Payload):
    prefix = "slot"
    start: UnixTime
    """Slot start as Unix seconds: compact, and free of the ':' that separates fields."""


class Decision(Payload):
    prefix = "book"
    confirm: Literal["yes", "no"]


class BookAgain(Payload):
    """`🔁 Book again` under a notice that a visit will not happen: a new fault report."""

    prefix = "again"


class CancelAsk(Payload):
    prefix = "cxl"
    code: TicketCode


class CardCancel(Payload):
    """Cancel on a /mybookings card, which is brought up to date before anything happens."""

    prefix = "cxc"
    code: TicketCode


class CancelConfirm(Payload):
    prefix = "cxy"
    code: TicketCode


class CancelKeep(Payload):
    prefix = "cxn"
    code: TicketCode


class EstimateAnswer(Payload):
    prefix = "est"
    estimate: RowId
    approve: Literal["y", "n"]


class SetStatus(Payload):
    prefix = "st"
    code: TicketCode
    status: str = Field(pattern=r"^[a-z_]{1,16}$")


class CausePick(Payload):
    """Why the product broke, recorded by staff when the repair is done."""

    prefix = "cause"
    code: TicketCode
    cause: Cause


class ReasonPick(Payload):
    """A reason for cancelling a ticket, chosen by staff before they confirm."""

    prefix = "why"
    code: TicketCode
    reason: CancelReason


class GuardedMove(Payload):
    """The confirmation of a move that ends a customer's repair; `-` for no reason."""

    prefix = "gm"
    code: TicketCode
    status: Literal["cancelled", "no_show"]
    reason: CancelReason | Literal["-"]


class GuardedKeep(Payload):
    """`Keep the ticket`: a guarded move abandoned, nothing changes."""

    prefix = "gk"
    code: TicketCode


class QuoteDecision(Payload):
    """`Send` / `Cancel` under an estimate's preview; `draft` names the preview."""

    prefix = "qs"
    draft: Number = Field(ge=0, le=2**63 - 1)
    send: Literal["y", "n"]


class JobsPageTurn(Payload):
    prefix = "jobs"
    scope: str = Field(pattern=r"^(-|[A-Z0-9][A-Z0-9-]{0,31})$")
    """A workshop code, or '-' for the caller's own workshop (staff) or all (head office)."""
    status: str = Field(pattern=r"^(-|[a-z_]{1,16})$")
    page: Number = Field(ge=0, le=100_000)


class JobOpen(Payload):
    """A ticket's row on /jobs or /find: its card, with the status buttons."""

    prefix = "jo"
    code: TicketCode


class ShipRequest(Payload):
    """`📦 Ship` under a parts request on /requests."""

    prefix = "ship"
    code: str = Field(pattern=r"^PR-[0-9A-Z]{6}$")


class WillCome(Payload):
    prefix = "cf"
    code: TicketCode


class Reschedule(Payload):
    prefix = "rs"
    code: TicketCode


class RescheduleDay(Payload):
    prefix = "rsd"
    code: TicketCode
    day: Day


class RescheduleSlot(Payload):
    prefix = "rss"
    code: TicketCode
    start: UnixTime


class Rating(Payload):
    prefix = "fb"
    code: TicketCode
    stars: Number = Field(ge=1, le=5)


class Ask(Payload):
    """`💬 Ask a question`: `ask:` about no ticket, `ask:SR-XXXXXX` about one."""

    prefix = "ask"
    code: TicketCode | None = None

    def encode(self) -> str:
        return f"{self.prefix}:{self.code or ''}"

    @classmethod
    def decode(cls, data: object) -> Self | None:
        if not isinstance(data, str) or not data.startswith(f"{cls.prefix}:"):
            return None
        code = data.removeprefix(f"{cls.prefix}:")
        try:
            return cls(code=code or None)
        except ValidationError:
            return None


class ThreadReply(Payload):
    """`↩️ Reply` under a question or an answer: write the next message of that thread."""

    prefix = "qr"
    thread: RowId


class HandOver(Payload):
    """Head office gives a ticket's question to the ticket's workshop."""

    prefix = "qh"
    thread: RowId


class BroadcastDecision(Payload):
    prefix = "bc"
    broadcast: RowId
    confirm: Literal["y", "n"]
