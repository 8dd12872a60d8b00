"""How parts read in messages: stock lists, requests, a ticket's parts, the digest's lines
and the customer's notices, in the reader's language."""

from __future__ import annotations

from datetime import date, datetime

from bot.handlers.formatting import long_day, money
from bot.handlers.thread_views import age
from bot.i18n import Lang
from bot.messages import label, text
from bot.money import from_minor
from bot.parts import WAITING_TOO_LONG_DAYS, Catalogue
from bot.services import Services
from bot.stock import Level
from bot.storage.parts import RequestRecord
from bot.storage.tickets import TicketRecord


def part_name(catalogue: Catalogue, lang: Lang, sku: str) -> str:
    """A part's name; a SKU since removed from the parts file reads as itself."""
    part = catalogue.get(sku)
    return part.title(lang) if part else sku


def stock_lines(lang: Lang, location: str, levels: list[Level]) -> list[str]:
    lines = [text(lang, "stock_title", location=location)]
    for level in levels:
        lines.append(
            text(
                lang,
                "stock_line",
                sku=level.part.sku,
                name=level.part.title(lang),
                on_hand=level.on_hand,
                reserved=level.reserved,
                minimum=level.minimum,
                low=label(lang, "stock_low") if level.below_minimum else "",
            )
        )
    return lines


def request_line(services: Services, lang: Lang, request: RequestRecord, now: datetime) -> str:
    return text(
        lang,
        "requests_line",
        request=request.code,
        workshop=request.workshop_code,
        code=request.ticket_code,
        quantity=request.quantity,
        sku=request.sku,
        name=part_name(services.stock.catalogue, lang, request.sku),
        age=age(lang, now - request.created_at),
    )


def eta_words(lang: Lang, eta: date | None) -> str:
    return label(lang, "request_eta", eta=long_day(lang, eta)) if eta else ""


async def ticket_parts(services: Services, lang: Lang, ticket: TicketRecord) -> list[str]:
    """A ticket's parts for its card: used (with their price, for the estimate), set aside,
    and asked for; nothing when it has none."""
    catalogue = services.stock.catalogue
    currency = services.settings.currency
    used = await services.stock.used_on(ticket)
    reserved, requests = await services.stock.for_ticket(ticket)
    if not (used or reserved or requests):
        return []
    lines = [text(lang, "card_parts_title")]
    for part in used:
        lines.append(
            text(
                lang,
                "card_part_used",
                quantity=part.quantity,
                sku=part.sku,
                name=part_name(catalogue, lang, part.sku),
                price=money(lang, from_minor(part.unit_price_minor), currency),
                cost=money(lang, from_minor(part.cost_minor), currency),
            )
        )
    if used:
        total = sum(part.cost_minor for part in used)
        lines.append(text(lang, "card_parts_total", cost=money(lang, from_minor(total), currency)))
    for sku, quantity in reserved.items():
        lines.append(
            text(
                lang,
                "card_part_reserved",
                quantity=quantity,
                sku=sku,
                name=part_name(catalogue, lang, sku),
            )
        )
    for request in requests:
        status = label(lang, f"request_status_{request.status}")
        if request.status == "shipped":
            status += eta_words(lang, request.eta)
        lines.append(
            text(
                lang,
                "card_part_request",
                request=request.code,
                quantity=request.quantity,
                sku=request.sku,
                status=status,
            )
        )
    return lines


async def digest_parts(
    services: Services, lang: Lang, workshop_code: str | None, now: datetime
) -> list[str]:
    """The morning digest's parts below their minimum and requests waiting too long."""
    alerts = await services.stock.alerts(workshop_code, now)
    lines: list[str] = []
    if alerts.low:
        lines.append(text(lang, "digest_parts_low", count=len(alerts.low)))
        lines.extend(
            text(
                lang,
                "digest_part_low",
                location=level.location,
                sku=level.part.sku,
                name=level.part.title(lang),
                on_hand=level.on_hand,
                minimum=level.minimum,
            )
            for level in alerts.low
        )
    if alerts.late:
        lines.append(
            text(lang, "digest_requests_late", days=WAITING_TOO_LONG_DAYS, count=len(alerts.late))
        )
        lines.extend(
            text(
                lang,
                "digest_request_late",
                request=request.code,
                workshop=request.workshop_code,
                code=request.ticket_code,
                sku=request.sku,
                status=label(lang, f"request_status_{request.status}"),
                age=age(lang, now - request.created_at),
            )
            for request in alerts.late
        )
    return lines
