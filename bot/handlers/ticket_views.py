"""How tickets read in messages: statuses, names and history lines, in the reader's language."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.handlers.formatting import long_day, money, when
from bot.i18n import Lang, pick
from bot.messages import CATALOGUE, label, text
from bot.money import from_minor
from bot.roles import Role
from bot.services import Services
from bot.status_rules import CancelReason
from bot.storage.estimates import EstimateRecord
from bot.storage.tickets import EventRecord, TicketRecord
from bot.tickets import Status
from bot.warranty import likelihood

STORED_AMOUNT = re.compile(r"^([0-9]+\.[0-9]{2}) ([A-Z]{3})\b")
"""How the desk writes an amount at the start of an estimate event's note: `1500.50 RUB`."""


def status_word(lang: Lang, status: str) -> str:
    return text(lang, f"status_{status}")


def category_title(services: Services, lang: Lang, category_id: str) -> str:
    category = services.tree.category(category_id)
    return pick(category.title, lang) if category else category_id


def workshop_title(services: Services, lang: Lang, code: str) -> str:
    workshop = services.network.get(code)
    return workshop.title(lang) if workshop else code


CHOSEN_REASONS = frozenset(
    reason.value for reason in CancelReason if reason is not CancelReason.OTHER
)
"""A reason chosen by a button is stored by its name and read in each reader's language."""


def reason_words(lang: Lang, note: str) -> str:
    """A cancellation's reason as the customer reads it."""
    return label(lang, f"reason_{note}") if note in CHOSEN_REASONS else note


def status_news(lang: Lang, status: str, workshop: str, note: str | None = None) -> str:
    """What a new status means to the customer, as a sentence, with the workshop's note.

    A label (not escaped): it goes into a message body through `text()`, which escapes it once.
    """
    news = label(lang, f"news_{status}", workshop=workshop)
    if note and status == Status.CANCELLED:
        news += " " + label(lang, "notice_reason", note=reason_words(lang, note))
    elif note:
        news += " " + label(lang, "notice_note", note=note)
    return news


def estimate_news(lang: Lang, estimate: EstimateRecord) -> str:
    """`Estimate 12 500 ₽: replace the battery, you approved it`."""
    amount = money(lang, from_minor(estimate.amount_minor), estimate.currency)
    answer = label(lang, f"news_estimate_{estimate.answer}")
    if estimate.comment:
        return label(
            lang, "news_estimate_comment", amount=amount, comment=estimate.comment, answer=answer
        )
    return label(lang, "news_estimate", amount=amount, answer=answer)


def event_news(
    lang: Lang,
    event: EventRecord,
    estimates: Iterator[EstimateRecord],
    workshop: str,
    zone: ZoneInfo,
) -> str | None:
    """One event as the customer reads it; None for what is told elsewhere or not for them."""
    match event.kind:
        case "booked":
            return label(lang, "news_booked", workshop=workshop)
        case "walk_in":
            return label(lang, "news_received", workshop=workshop)
        case "status" if event.to_status:
            if event.to_status == Status.CANCELLED and event.actor_role == Role.CUSTOMER:
                return label(lang, "news_cancelled_by_you")
            return status_news(lang, event.to_status, workshop, event.note)
        case "will_come":
            return label(lang, "news_will_come")
        case "rescheduled" if event.note:
            start = datetime.fromisoformat(event.note)
            return label(lang, "news_rescheduled", when=when(lang, start, zone))
        case "eta" if event.note:
            return label(lang, "news_eta", eta=long_day(lang, date.fromisoformat(event.note)))
        case "estimate":
            # Estimates and their events are written together, one for one, in order.
            estimate = next(estimates, None)
            return estimate_news(lang, estimate) if estimate else None
        case "rated" if event.note:
            return label(lang, "news_rated", stars=event.note)
        case "comment" if event.note:
            return label(lang, "news_comment", note=event.note)
        case "claimed":
            return label(lang, "news_claimed")
        case "estimate_warranty":
            return label(lang, "news_estimate_warranty")
        case "warranty" if event.note:
            covered = event.note.startswith("yes")
            return label(lang, "news_warranty_yes" if covered else "news_warranty_no")
    # The answer to an estimate shows on the estimate's own line; anything else is internal.
    return None


def customer_story(
    lang: Lang,
    events: Iterable[EventRecord],
    estimates: Iterable[EstimateRecord],
    workshop: str,
    zone: ZoneInfo,
) -> list[str]:
    """The ticket's history for its customer: sentences in their language, no user ids or
    event names, and the workshop speaking for its staff."""
    in_order = iter(estimates)
    lines = []
    for event in events:
        news = event_news(lang, event, in_order, workshop, zone)
        if news is not None:
            lines.append(text(lang, "news_line", when=when(lang, event.at, zone), news=news))
    return lines


async def actor_names(services: Services, events: Iterable[EventRecord]) -> dict[int, str]:
    """The names of the people in a history, as they gave them to Telegram."""
    names: dict[int, str] = {}
    for actor in {event.actor_id for event in events if event.actor_id is not None}:
        if name := await services.customers.name(actor):
            names[actor] = name
    return names


def history_line(
    lang: Lang, event: EventRecord, zone: ZoneInfo, names: Mapping[int, str]
) -> str:
    """One event for staff: when (local time), who (by name where known, and role), and what
    changed."""
    role = label(lang, f"role_{event.actor_role}")
    name = names.get(event.actor_id) if event.actor_id is not None else None
    who = label(lang, "actor", name=name, role=role) if name else role
    # Kinds added later read as they are stored until they get words of their own.
    what = label(lang, f"event_{event.kind}") if f"event_{event.kind}" in CATALOGUE else event.kind
    if event.from_status or event.to_status:
        parts = [status_word(lang, s) for s in (event.from_status, event.to_status) if s]
        what = " → ".join(parts)
    note = event.note
    if note and event.kind == "eta":
        note = long_day(lang, date.fromisoformat(note))
    elif note and event.kind == "rescheduled":
        note = when(lang, datetime.fromisoformat(note), zone)
    elif note and event.to_status == Status.CANCELLED and note in CHOSEN_REASONS:
        note = label(lang, f"btn_reason_{note}")
    elif note and event.kind.startswith("estimate"):
        note = STORED_AMOUNT.sub(lambda found: money(lang, Decimal(found[1]), found[2]), note)
    if note:
        what = f"{what}: {note}"
    return text(lang, "history_line", when=when(lang, event.at, zone), who=who, what=what)


async def warranty_lines(services: Services, lang: Lang, ticket: TicketRecord) -> list[str]:
    """`warranty: likely / no / unknown` by the customer's answer and the category's period,
    then staff's confirmation and the cause, once recorded."""
    record = await services.desk.warranty(ticket)
    category = services.tree.category(ticket.category)
    chance = likelihood(record.purchase_age, category.warranty_months if category else None)
    age = record.purchase_age
    lines = [
        text(
            lang,
            "card_warranty",
            likelihood=label(lang, f"warranty_{chance}"),
            age=label(lang, f"btn_bought_{age}") if age else label(lang, "unknown_value"),
        )
    ]
    if record.confirmed is not None:
        lines.append(text(lang, "card_warranty_yes" if record.confirmed else "card_warranty_no"))
        if record.reason:
            lines.append(text(lang, "card_warranty_reason", reason=record.reason))
    if record.cause is not None:
        lines.append(text(lang, "card_cause", cause=label(lang, f"cause_{record.cause}")))
    return lines
