"""Parts and stock: staff's /stock, /receive, /needpart, /use and /arrived, and head office's
/requests, /ship and /minstock."""

from __future__ import annotations

import re
from datetime import date

from telegram import Update

from bot.handlers import keyboards
from bot.handlers.access import STAFF_OR_HEAD_OFFICE, requires
from bot.handlers.arguments import whole_number
from bot.handlers.callbacks import ShipRequest
from bot.handlers.context import Context, lang_of
from bot.handlers.delivery import wake_postman
from bot.handlers.formatting import money
from bot.handlers.part_views import eta_words, part_name, request_line, stock_lines
from bot.handlers.replies import acknowledge, edit, pressed, say
from bot.handlers.staff import args_of, usage
from bot.handlers.ticket_views import status_word
from bot.i18n import Lang
from bot.messages import label, text
from bot.money import from_minor
from bot.parts import HQ, MAX_QUANTITY, location_of
from bot.roles import Principal, Role
from bot.stock import StockOutcome, StockResult

ETA_WORD = "eta"


def quantity_of(args: list[str], at: int) -> int | None:
    """The quantity at `args[at]`, 1 when it is not given; None when it is not one."""
    return whole_number(args[at], 1, MAX_QUANTITY) if len(args) > at else 1


async def refuse_quantity(update: Update, lang: Lang) -> None:
    await say(update, text(lang, "bad_quantity", max=MAX_QUANTITY))


def result_text(context: Context, lang: Lang, result: StockResult, typed: str) -> str:
    """Why nothing changed, in words; `typed` is the code or SKU the refusal is about."""
    part = result.part
    name = part.title(lang) if part else ""
    sku = part.sku if part else typed[:32]
    request = result.request.code if result.request else typed[:20]
    match result.outcome:
        case StockOutcome.UNKNOWN_PART:
            return text(lang, "part_unknown", sku=typed[:32])
        case StockOutcome.BAD_QUANTITY:
            return text(lang, "bad_quantity", max=MAX_QUANTITY)
        case StockOutcome.CLOSED if result.ticket is not None:
            return text(
                lang,
                "ticket_closed",
                code=result.ticket.code,
                status=status_word(lang, result.ticket.status),
            )
        case StockOutcome.ALREADY if result.request and result.request.status == "arrived":
            return text(lang, "request_arrived_already", request=request)
        case StockOutcome.ALREADY:
            return text(lang, "request_shipped_already", request=request)
        case StockOutcome.NOT_SHIPPED:
            return text(lang, "request_not_shipped", request=request)
        case StockOutcome.BAD_DATE:
            return text(lang, "bad_eta")
        case StockOutcome.SHORT if result.request is not None and result.ticket is None:
            return text(
                lang,
                "ship_short",
                sku=sku,
                name=name,
                request=request,
                free=result.free or 0,
                quantity=result.quantity,
            )
        case StockOutcome.SHORT if result.ticket is not None:
            return text(
                lang,
                "part_short",
                sku=sku,
                name=name,
                location=result.ticket.workshop_code,
                free=result.free or 0,
                quantity=result.quantity,
            )
    if typed.upper().startswith("PR-"):
        return text(lang, "request_unknown", request=typed[:20])
    return text(lang, "ticket_unknown", code=typed[:20])


# /stock


@requires(*STAFF_OR_HEAD_OFFICE)
async def stock(update: Update, context: Context, who: Principal) -> None:
    """Staff: `/stock [text]` at their workshop. Head office: `/stock` or `/stock HQ`, a
    workshop's code, or a SKU across every location."""
    lang = lang_of(update, context)
    args = args_of(context)
    stock_desk = context.services.stock
    location = who.workshop_code if who.is_staff else HQ
    if who.is_head_office and args:
        if (named := location_of(args[0], context.services.network)) is not None:
            location, args = named, args[1:]
        elif len(args) == 1 and (part := stock_desk.catalogue.get(args[0])) is not None:
            await say(update, await part_across(context, lang, part.sku))
            return
    assert location is not None
    typed = " ".join(args)[:50]
    levels = await stock_desk.levels(location, typed)
    if not levels:
        key = "stock_empty" if typed else "stock_none"
        await say(update, text(lang, key, location=location, typed=typed))
        return
    await say(update, "\n".join(stock_lines(lang, location, levels)))


async def part_across(context: Context, lang: Lang, sku: str) -> str:
    stock_desk = context.services.stock
    part = stock_desk.catalogue.parts[sku]
    levels, in_transit = await stock_desk.across(part)
    lines = [
        text(
            lang,
            "stock_part_title",
            sku=part.sku,
            name=part.title(lang),
            price=money(lang, part.price, context.services.settings.currency),
        )
    ]
    lines.extend(
        text(
            lang,
            "stock_part_line",
            location=level.location,
            on_hand=level.on_hand,
            reserved=level.reserved,
            minimum=level.minimum,
            low=label(lang, "stock_low") if level.below_minimum else "",
        )
        for level in levels
    )
    if not levels:
        lines.append(text(lang, "stock_part_nowhere"))
    if in_transit:
        lines.append(text(lang, "stock_in_transit", count=in_transit))
    return "\n".join(lines)


# /receive


@requires(*STAFF_OR_HEAD_OFFICE)
async def receive(update: Update, context: Context, who: Principal) -> None:
    """Staff: `/receive <SKU> <qty>` at their workshop. Head office: `/receive HQ <SKU>
    <qty>` (or a workshop's code)."""
    lang = lang_of(update, context)
    args = args_of(context)
    network = context.services.network
    if len(args) == 3:
        location = location_of(args[0], network)
        if location is None:
            codes = ", ".join(network.workshops)
            await say(update, text(lang, "stock_location_unknown", code=args[0][:32], codes=codes))
            return
        args = args[1:]
    elif len(args) == 2 and who.is_staff:
        location = who.workshop_code
    else:
        await usage(update, context, f"/receive {label(lang, 'args_receive')}")
        return
    assert location is not None
    quantity = whole_number(args[1], 1, MAX_QUANTITY)
    if quantity is None:
        await refuse_quantity(update, lang)
        return
    stock_desk = context.services.stock
    result = await stock_desk.receive(who, location, args[0], quantity, update.update_id)
    if result.outcome is StockOutcome.FORBIDDEN:
        await say(update, text(lang, "stock_location_forbidden", code=who.workshop_code or HQ))
    elif result.outcome is StockOutcome.DONE and result.part is not None:
        await say(
            update,
            text(
                lang,
                "parts_received",
                quantity=quantity,
                sku=result.part.sku,
                name=result.part.title(lang),
                location=location,
                free=result.free,
            ),
        )
    else:
        await say(update, result_text(context, lang, result, args[0]))


# /needpart and /use


@requires(Role.STAFF)
async def need_part(update: Update, context: Context, who: Principal) -> None:
    """`/needpart SR-XXXXXX <SKU> [qty]`: reserve it from the workshop's stock, or ask head
    office for it."""
    lang = lang_of(update, context)
    args = args_of(context)
    if len(args) not in (2, 3):
        await usage(update, context, f"/needpart {label(lang, 'args_ticket_part')}")
        return
    quantity = quantity_of(args, 2)
    if quantity is None:
        await refuse_quantity(update, lang)
        return
    services = context.services
    head_office = await services.access.head_office_ids()
    result = await services.stock.need(
        who, args[0], args[1], quantity, head_office, origin=update.update_id
    )
    part = result.part
    if result.outcome is StockOutcome.RESERVED and part and result.ticket:
        await say(
            update,
            text(
                lang,
                "part_reserved",
                quantity=quantity,
                sku=part.sku,
                name=part.title(lang),
                code=result.ticket.code,
            ),
        )
    elif result.outcome is StockOutcome.REQUESTED and part and result.request:
        await say(
            update,
            text(
                lang,
                "part_requested",
                quantity=quantity,
                sku=part.sku,
                name=part.title(lang),
                request=result.request.code,
                code=result.request.ticket_code,
            ),
        )
        await wake_postman(context)
    else:
        await say(update, result_text(context, lang, result, _about(result, args)))


@requires(Role.STAFF)
async def use(update: Update, context: Context, who: Principal) -> None:
    """`/use SR-XXXXXX <SKU> [qty]`: the part went into the device."""
    lang = lang_of(update, context)
    args = args_of(context)
    if len(args) not in (2, 3):
        await usage(update, context, f"/use {label(lang, 'args_ticket_part')}")
        return
    quantity = quantity_of(args, 2)
    if quantity is None:
        await refuse_quantity(update, lang)
        return
    result = await context.services.stock.use(who, args[0], args[1], quantity, update.update_id)
    part = result.part
    if result.outcome is StockOutcome.DONE and part and result.ticket:
        cost = from_minor(part.price_minor * quantity)
        await say(
            update,
            text(
                lang,
                "part_used",
                quantity=quantity,
                sku=part.sku,
                name=part.title(lang),
                code=result.ticket.code,
                cost=money(lang, cost, context.services.settings.currency),
            ),
        )
    else:
        await say(update, result_text(context, lang, result, _about(result, args)))


def _about(result: StockResult, args: list[str]) -> str:
    """What a refusal of a ticket's part names: the SKU when the part is unknown, else the
    ticket."""
    return args[1] if result.outcome is StockOutcome.UNKNOWN_PART else args[0]


# /arrived


@requires(Role.STAFF)
async def arrived(update: Update, context: Context, who: Principal) -> None:
    """`/arrived PR-XXXXXX`: a shipment from head office is at the workshop."""
    lang = lang_of(update, context)
    args = args_of(context)
    if len(args) != 1:
        await usage(update, context, "/arrived PR-XXXXXX")
        return
    result = await context.services.stock.arrived(who, args[0], update.update_id)
    request = result.request
    if result.outcome is StockOutcome.DONE and request is not None:
        await say(
            update,
            text(
                lang,
                "request_arrived",
                quantity=request.quantity,
                sku=request.sku,
                name=part_name(context.services.stock.catalogue, lang, request.sku),
                code=request.ticket_code,
            ),
        )
        await wake_postman(context)
    else:
        await say(update, result_text(context, lang, result, args[0]))


# Head office: /requests, /ship, /minstock


@requires(Role.HEAD_OFFICE)
async def requests(update: Update, context: Context, who: Principal) -> None:
    """Open requests oldest first, with workshop, ticket and age, each with a Ship button."""
    body, markup = await requests_list(context, lang_of(update, context), who)
    await say(update, body, markup)


async def requests_list(
    context: Context, lang: Lang, who: Principal
) -> tuple[str, keyboards.InlineKeyboardMarkup | None]:
    services = context.services
    found = await services.stock.open_requests(who)
    if not found:
        return text(lang, "requests_empty"), None
    now = services.clock.now()
    lines = [text(lang, "requests_title", count=len(found))]
    lines.extend(request_line(services, lang, request, now) for request in found)
    buttons = [
        (label(lang, "btn_ship", request=request.code), ShipRequest(code=request.code))
        for request in found
    ]
    return "\n".join(lines), keyboards.inline(keyboards.chunks(buttons, 2))


def eta_of(args: list[str]) -> tuple[bool, date | None]:
    """`[eta] YYYY-MM-DD` after the request code: whether it reads, and the date if given."""
    rest = args[1:]
    if rest and rest[0].lower() == ETA_WORD:
        rest = rest[1:]
        if not rest:
            return False, None
    if not rest:
        return True, None
    # fromisoformat also reads "20261201" and week dates; the command says YYYY-MM-DD.
    if len(rest) != 1 or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", rest[0]):
        return False, None
    try:
        return True, date.fromisoformat(rest[0])
    except ValueError:
        return False, None


@requires(Role.HEAD_OFFICE)
async def ship(update: Update, context: Context, who: Principal) -> None:
    """`/ship PR-XXXXXX [eta YYYY-MM-DD]`: send the parts from HQ."""
    lang = lang_of(update, context)
    args = args_of(context)
    if not args:
        await usage(update, context, "/ship PR-XXXXXX [eta YYYY-MM-DD]")
        return
    readable, eta = eta_of(args)
    if not readable:
        await say(update, text(lang, "bad_eta"))
        return
    await say(update, await shipped_text(context, lang, who, args[0], eta, update.update_id))


@requires(Role.HEAD_OFFICE)
async def ship_pressed(update: Update, context: Context, who: Principal) -> None:
    """`📦 Ship` under /requests: the same as /ship without a date; the list shows what is
    left to ship."""
    query = pressed(update)
    payload = ShipRequest.decode(query.data)
    lang = lang_of(update, context)
    if payload is None:
        await acknowledge(query, text(lang, "stale_button"))
        return
    await acknowledge(query)
    shipped = await shipped_text(context, lang, who, payload.code, None, update.update_id)
    body, markup = await requests_list(context, lang, who)
    await edit(query, body, markup)
    await say(update, shipped)


async def shipped_text(
    context: Context, lang: Lang, who: Principal, code: str, eta: date | None, origin: int
) -> str:
    result = await context.services.stock.ship(who, code, eta, origin)
    request = result.request
    if result.outcome is not StockOutcome.DONE or request is None:
        return result_text(context, lang, result, code)
    await wake_postman(context)
    workshop = context.services.network.get(request.workshop_code)
    return text(
        lang,
        "request_shipped",
        request=request.code,
        quantity=request.quantity,
        sku=request.sku,
        workshop=workshop.title(lang) if workshop else request.workshop_code,
        code=request.ticket_code,
        eta=eta_words(lang, request.eta),
    )


@requires(Role.HEAD_OFFICE)
async def min_stock(update: Update, context: Context, who: Principal) -> None:
    """`/minstock <LOCATION> <SKU> <qty>`: below it, the morning digest says so."""
    lang = lang_of(update, context)
    args = args_of(context)
    network = context.services.network
    if len(args) != 3:
        await usage(update, context, f"/minstock {label(lang, 'args_minstock')}")
        return
    location = location_of(args[0], network)
    if location is None:
        codes = ", ".join(network.workshops)
        await say(update, text(lang, "stock_location_unknown", code=args[0][:32], codes=codes))
        return
    quantity = whole_number(args[2], 0, MAX_QUANTITY)
    if quantity is None:
        await say(update, text(lang, "bad_minimum", max=MAX_QUANTITY))
        return
    result = await context.services.stock.set_minimum(who, location, args[1], quantity)
    if result.outcome is StockOutcome.DONE and result.part is not None:
        await say(
            update,
            text(
                lang,
                "minstock_set",
                sku=result.part.sku,
                name=result.part.title(lang),
                location=location,
                quantity=quantity,
            ),
        )
    else:
        await say(update, result_text(context, lang, result, args[1]))

