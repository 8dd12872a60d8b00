"""/mybookings: a customer's own tickets, and cancelling one not yet dropped off."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.booking import CancelResult
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    CancelAsk,
    CancelConfirm,
    CancelKeep,
    CardCancel,
    EstimateAnswer,
)
from bot.handlers.context import Context, lang_of, remember_user
from bot.handlers.delivery import wake_postman
from bot.handlers.formatting import long_day, money, when
from bot.handlers.replies import (
    acknowledge,
    answered,
    edit,
    pressed,
    retire_buttons,
    say,
    show,
    stale,
)
from bot.handlers.thread_views import thread_lines
from bot.handlers.ticket_views import (
    category_title,
    customer_story,
    status_word,
    workshop_title,
)
from bot.i18n import Lang
from bot.messages import text
from bot.money import from_minor
from bot.storage.tickets import TicketRecord
from bot.ticket_desk import Outcome, normalize_code
from bot.tickets import Status, can_customer_cancel


def describe(context: Context, lang: Lang, ticket: TicketRecord) -> str:
    zone = context.services.network.zone(ticket.workshop_code)
    return text(
        lang,
        "booking_line",
        code=ticket.code,
        status=status_word(lang, ticket.status),
        category=category_title(context.services, lang, ticket.category),
        workshop=workshop_title(context.services, lang, ticket.workshop_code),
        when=when(lang, ticket.slot_start, zone) if ticket.slot_start else "—",
    )


async def my_bookings(update: Update, context: Context) -> None:
    """List the customer's tickets, newest first, with cancel buttons where allowed."""
    await answered(update)
    user = update.effective_user
    assert user is not None
    await remember_user(update, context)
    lang = lang_of(update, context)
    tickets = await context.services.bookings.of_customer(user.id)
    if not tickets:
        await say(update, text(lang, "no_bookings"))
        return
    await say(update, *card(context, lang, tickets))


def card(
    context: Context, lang: Lang, tickets: list[TicketRecord]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The /mybookings card: every ticket, and a cancel button for each that allows it."""
    body = "\n\n".join(describe(context, lang, ticket) for ticket in tickets)
    cancellable = [t.code for t in tickets if can_customer_cancel(Status(t.status))]
    buttons = keyboards.cancellable(lang, cancellable).inline_keyboard if cancellable else ()
    asks = keyboards.inline([keyboards.ask_row(lang, t.code, named=True) for t in tickets])
    return (
        f"{text(lang, 'bookings_title')}\n\n{body}",
        InlineKeyboardMarkup([*buttons, *asks.inline_keyboard]),
    )


async def cancel_asked(update: Update, context: Context) -> None:
    """Ask once more before cancelling: a booking is easy to lose and hard to get back."""
    query = pressed(update)
    payload = CancelAsk.decode(query.data)
    ticket = (
        await context.services.bookings.ticket_of_customer(query.from_user.id, payload.code)
        if payload
        else None
    )
    if ticket is None or not can_customer_cancel(Status(ticket.status)):
        await stale(update, context)
        return
    await acknowledge(query)
    await ask_to_cancel(update, context, ticket)


async def card_cancel_asked(update: Update, context: Context) -> None:
    """Cancel on a /mybookings card: first show the card as it is now, as it may be old;
    ask to confirm only if the ticket may still be cancelled."""
    query = pressed(update)
    payload = CardCancel.decode(query.data)
    bookings = context.services.bookings
    customer = query.from_user.id
    ticket = await bookings.ticket_of_customer(customer, payload.code) if payload else None
    if ticket is None:
        await stale(update, context)
        return
    lang = lang_of(update, context)
    current = can_customer_cancel(Status(ticket.status))
    await acknowledge(query, None if current else text(lang, "card_refreshed"))
    await show(update, *card(context, lang, await bookings.of_customer(customer)))
    if current:
        await ask_to_cancel(update, context, ticket)


async def ask_to_cancel(update: Update, context: Context, ticket: TicketRecord) -> None:
    lang = lang_of(update, context)
    zone = context.services.network.zone(ticket.workshop_code)
    await say(
        update,
        text(
            lang,
            "confirm_cancel",
            code=ticket.code,
            when=when(lang, ticket.slot_start, zone) if ticket.slot_start else "—",
        ),
        keyboards.cancel_question(lang, ticket.code),
    )


async def cancel_confirmed(update: Update, context: Context) -> None:
    query = pressed(update)
    payload = CancelConfirm.decode(query.data)
    if payload is None:
        await stale(update, context)
        return
    lang = lang_of(update, context)
    result = await context.services.bookings.cancel(
        query.from_user.id, payload.code, update.update_id
    )
    if result in (CancelResult.NOT_FOUND, CancelResult.ALREADY_CANCELLED):
        await stale(update, context)
        return
    await acknowledge(query)
    key = "cancelled" if result is CancelResult.CANCELLED else "cancel_too_late"
    await edit(query, text(lang, key, code=payload.code))
    await wake_postman(context)


async def cancel_kept(update: Update, context: Context) -> None:
    query = pressed(update)
    payload = CancelKeep.decode(query.data)
    ticket = (
        await context.services.bookings.ticket_of_customer(query.from_user.id, payload.code)
        if payload
        else None
    )
    if payload is None or ticket is None or not can_customer_cancel(Status(ticket.status)):
        await stale(update, context)
        return
    await acknowledge(query)
    lang = lang_of(update, context)
    await edit(query, text(lang, "kept", code=payload.code))


async def ticket_status(update: Update, context: Context) -> None:
    """`/status <ticket>`: one of the customer's own tickets with its history."""
    lang = lang_of(update, context)
    user = update.effective_user
    args = list(context.args or [])
    assert user is not None
    if len(args) != 1:
        await say(update, text(lang, "usage", usage="/status SR-XXXXXX"))
        return
    ticket = await context.services.bookings.ticket_of_customer(user.id, normalize_code(args[0]))
    if ticket is None:
        await say(update, text(lang, "booking_not_found"))
        return
    zone = context.services.network.zone(ticket.workshop_code)
    card = text(
        lang,
        "status_card",
        code=ticket.code,
        status=status_word(lang, ticket.status),
        category=category_title(context.services, lang, ticket.category),
        workshop=workshop_title(context.services, lang, ticket.workshop_code),
        dropoff=when(lang, ticket.slot_start, zone) if ticket.slot_start else "—",
        eta=long_day(lang, ticket.eta) if ticket.eta else "—",
    )
    desk = context.services.desk
    history = customer_story(
        lang,
        await desk.history(ticket),
        await desk.estimates(ticket),
        workshop_title(context.services, lang, ticket.workshop_code),
        zone,
    )
    sections = [card, "\n".join([text(lang, "history_title"), *history])]
    if thread := await thread_lines(context.services, lang, ticket, zone):
        sections.append("\n".join(thread))
    await say(update, "\n\n".join(sections), keyboards.ask_button(lang, ticket.code))


async def estimate_answered(update: Update, context: Context) -> None:
    """Approve / Decline under an estimate: recorded once, the workshop is told."""
    query = pressed(update)
    payload = EstimateAnswer.decode(query.data)
    if payload is None:
        await stale(update, context)
        return
    outcome, ticket, estimate = await context.services.desk.answer_estimate(
        query.from_user.id, payload.estimate, payload.approve == "y", update.update_id
    )
    if outcome is Outcome.SUPERSEDED:
        lang = lang_of(update, context)
        await acknowledge(query, text(lang, "estimate_superseded"), show_alert=True)
        await retire_buttons(update)
        return
    if outcome is not Outcome.DONE or ticket is None or estimate is None:
        await stale(update, context)
        return
    await acknowledge(query)
    lang = lang_of(update, context)
    key = "estimate_approved" if payload.approve == "y" else "estimate_declined"
    await edit(
        query,
        text(
            lang,
            key,
            code=ticket.code,
            amount=money(lang, from_minor(estimate.amount_minor), estimate.currency),
        ),
    )
    await wake_postman(context)
