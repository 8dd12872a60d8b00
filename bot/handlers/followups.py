"""Answers to the bot's own messages: reminder buttons, rescheduling, and feedback."""

from __future__ import annotations

from datetime import UTC, date, datetime

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus

from bot.booking import CancelResult, Refusal
from bot.handlers import keyboards
from bot.handlers.callbacks import Rating, Reschedule, RescheduleDay, RescheduleSlot, WillCome
from bot.handlers.common import not_understood
from bot.handlers.context import Context, lang_of, remember_user
from bot.handlers.delivery import wake_postman
from bot.handlers.formatting import day_label, short_day, when
from bot.handlers.replies import acknowledge, edit, pressed, retire_buttons, say, stale
from bot.handlers.ticket_views import workshop_title
from bot.messages import text
from bot.tickets import Status

MAX_COMMENT = 1000


async def will_come(update: Update, context: Context) -> None:
    """ "I'll be there" under a reminder: noted in the ticket's history."""
    query = pressed(update)
    payload = WillCome.decode(query.data)
    bookings = context.services.bookings
    ticket = (
        await bookings.ticket_of_customer(query.from_user.id, payload.code) if payload else None
    )
    if ticket is None or not await bookings.confirm_attendance(
        query.from_user.id, ticket, update.update_id
    ):
        await stale(update, context)
        return
    assert ticket.slot_start is not None
    lang = lang_of(update, context)
    zone = context.services.network.zone(ticket.workshop_code)
    await acknowledge(
        query, text(lang, "will_come_noted", time=f"{ticket.slot_start.astimezone(zone):%H:%M}")
    )
    await retire_buttons(update)


async def reschedule_asked(update: Update, context: Context) -> None:
    """Offer the open days of the same workshop."""
    query = pressed(update)
    payload = Reschedule.decode(query.data)
    ticket = (
        await context.services.bookings.ticket_of_customer(query.from_user.id, payload.code)
        if payload
        else None
    )
    if ticket is None or ticket.status != Status.BOOKED:
        await stale(update, context)
        return
    await acknowledge(query)
    lang = lang_of(update, context)
    days = await context.services.bookings.open_days(ticket.workshop_code)
    today = context.services.bookings.today(ticket.workshop_code)
    buttons = [
        (day_label(lang, day, today), RescheduleDay(code=ticket.code, day=day)) for day in days
    ]
    await say(
        update,
        text(
            lang,
            "reschedule_day",
            code=ticket.code,
            workshop=workshop_title(context.services, lang, ticket.workshop_code),
        ),
        keyboards.inline(keyboards.chunks(buttons, 3)),
    )


async def reschedule_day(update: Update, context: Context) -> None:
    query = pressed(update)
    payload = RescheduleDay.decode(query.data)
    ticket = (
        await context.services.bookings.ticket_of_customer(query.from_user.id, payload.code)
        if payload
        else None
    )
    if (
        payload is None
        or ticket is None
        or ticket.status != Status.BOOKED
        or not context.services.bookings.within_horizon(ticket.workshop_code, payload.day)
    ):
        await stale(update, context)
        return
    await acknowledge(query)
    await show_new_slots(update, context, ticket.workshop_code, payload.code, payload.day, "")


async def show_new_slots(
    update: Update, context: Context, workshop_code: str, code: str, day: date, note: str
) -> None:
    lang = lang_of(update, context)
    free = await context.services.bookings.free_slots(workshop_code, day)
    zone = context.services.network.zone(workshop_code)
    buttons = [
        (f"{start.astimezone(zone):%H:%M}", RescheduleSlot(code=code, start=int(start.timestamp())))
        for start in free
    ]
    heading = text(lang, "reschedule_slot", code=code, day=short_day(lang, day))
    query = update.callback_query
    assert query is not None
    await edit(
        query,
        f"{note}\n\n{heading}" if note else heading,
        keyboards.inline(keyboards.chunks(buttons, 4)) if buttons else None,
    )


async def reschedule_slot(update: Update, context: Context) -> None:
    """Move the booking; a slot taken meanwhile is reported and the others offered."""
    query = pressed(update)
    payload = RescheduleSlot.decode(query.data)
    bookings = context.services.bookings
    ticket = (
        await bookings.ticket_of_customer(query.from_user.id, payload.code) if payload else None
    )
    if payload is None or ticket is None:
        await stale(update, context)
        return
    start = datetime.fromtimestamp(payload.start, UTC)
    zone = context.services.network.zone(ticket.workshop_code)
    if not bookings.within_horizon(ticket.workshop_code, start.astimezone(zone).date()):
        await stale(update, context)
        return
    result = await bookings.reschedule(query.from_user.id, payload.code, start, update.update_id)
    if isinstance(result, CancelResult):
        await stale(update, context)
        return
    await acknowledge(query)
    lang = lang_of(update, context)
    if isinstance(result, Refusal):
        note = text(lang, "slot_taken" if result is Refusal.SLOT_FULL else "slot_passed")
        await show_new_slots(
            update, context, ticket.workshop_code, ticket.code, start.astimezone(zone).date(), note
        )
        return
    assert result.slot_start is not None
    await edit(
        query, text(lang, "rescheduled", code=result.code, when=when(lang, result.slot_start, zone))
    )
    await wake_postman(context)


async def rated(update: Update, context: Context) -> None:
    """A 1-5 rating, once per ticket; 1 or 2 alerts head office at once."""
    query = pressed(update)
    payload = Rating.decode(query.data)
    if payload is None:
        await stale(update, context)
        return
    services = context.services
    recorded = await services.desk.rate(
        query.from_user.id,
        payload.code,
        payload.stars,
        await services.access.head_office_ids(),
        update.update_id,
    )
    if not recorded:
        await stale(update, context)
        return
    await acknowledge(query)
    lang = lang_of(update, context)
    await edit(query, text(lang, "feedback_thanks", rating=payload.stars))
    if query.message is not None:
        # The thanks replace the rating buttons in the same message, which a comment answers.
        await services.desk.remember_feedback_prompt(payload.code, query.message.message_id)
    await wake_postman(context)


async def comment_received(update: Update, context: Context) -> None:
    """Plain text outside any step: the comment on a recent rating, if there is one.

    Registered after every conversation, so a step waiting for text takes it first.
    """
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    quoted = message.reply_to_message
    recorded = await context.services.desk.comment_feedback(
        user.id,
        quoted.message_id if quoted is not None else None,
        (message.text or "")[:MAX_COMMENT],
        await context.services.access.head_office_ids(),
        update.update_id,
    )
    if not recorded:
        await not_understood(update, context)
        return
    await say(update, text(lang_of(update, context), "feedback_comment_thanks"))
    await wake_postman(context)


async def membership_changed(update: Update, context: Context) -> None:
    """Someone blocked or unblocked the bot: stop or resume writing to them."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
        await context.services.customers.mark_blocked(
            change.from_user.id, context.services.clock.now()
        )
    else:
        await remember_user(update, context)
