"""The fault report: category, troubleshooting tree, then a drop-off booking.

State diagram: `repair.mmd` beside this file. Each state has a handler for the input it
waits for and one that kindly asks again for anything else.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError
from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.booking import BookingRequest, Refusal
from bot.fault_reports import Outcome, Step
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    AnswerPick,
    BookAgain,
    CategoryPick,
    DayPick,
    Decision,
    FixOutcome,
    MenuPick,
    Nav,
    SlotPick,
    WorkshopPick,
)
from bot.handlers.common import start
from bot.handlers.context import Context, lang_of, remember_user
from bot.handlers.delivery import wake_postman
from bot.handlers.formatting import short_day, when
from bot.handlers.replies import (
    acknowledge,
    answered,
    pressed,
    retire_buttons,
    say,
    show,
    stale,
)
from bot.i18n import Lang, pick
from bot.locator import Point
from bot.messages import all_labels, label, text
from bot.storage.tickets import TicketRecord
from bot.tickets import MAX_ACTIVE_BOOKINGS
from bot.troubleshooting import BOOK

CONVERSATION = "repair"
DRAFT_KEY = "draft"
END = ConversationHandler.END
Reply = Callable[[Update, str, InlineKeyboardMarkup | None], Awaitable[None]]
"""How a step answers: `show` edits the pressed message, `say` writes a new one."""


class Waiting(StrEnum):
    """What the bot waits for; persisted by value, so states may be added safely."""

    CATEGORY = "category"
    TREE_ANSWER = "tree_answer"
    LOCATION = "location"
    WORKSHOP = "workshop"
    DAY = "day"
    SLOT = "slot"
    PHONE = "phone"
    CONFIRMATION = "confirmation"


class Draft(BaseModel):
    """Everything the customer has told us so far in this report."""

    case_id: int | None = None
    category: str | None = None
    trail: list[str] = []
    path: list[Step] = []
    lat: float | None = None
    lon: float | None = None
    workshop: str | None = None
    day: date | None = None
    slot: int | None = None
    phone: str | None = None

    @property
    def node(self) -> str | None:
        return self.trail[-1] if self.trail else None

    @property
    def here(self) -> Point | None:
        return Point(self.lat, self.lon) if self.lat is not None and self.lon is not None else None


def load_draft(context: Context) -> Draft:
    raw: Any = context.user_data.get(DRAFT_KEY) if context.user_data is not None else None
    try:
        return Draft.model_validate(raw or {})
    except ValidationError:
        return Draft()


def save_draft(context: Context, draft: Draft) -> None:
    if context.user_data is not None:
        context.user_data[DRAFT_KEY] = draft.model_dump(mode="json")


def drop_draft(context: Context) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)


# Entry and leaving


async def begin(update: Update, context: Context) -> Waiting:
    """Start a fault report with the choice of product category."""
    return await open_report(update, context, show)


async def book_again(update: Update, context: Context) -> Waiting:
    """`🔁 Book again` under a notice: the report starts below it, the notice stays as it is."""
    return await open_report(update, context, say)


async def open_report(update: Update, context: Context, reply: Reply) -> Waiting:
    await answered(update)
    await abandon_open_case(context)
    await remember_user(update, context)
    lang = lang_of(update, context)
    save_draft(context, Draft())
    await reply(
        update, text(lang, "choose_category"), keyboards.categories(lang, context.services.tree)
    )
    return Waiting.CATEGORY


async def abandon_open_case(context: Context) -> None:
    """Close the open fault report, if any, as abandoned, and forget the draft."""
    draft = load_draft(context)
    if draft.case_id is not None:
        await context.services.reports.close(draft.case_id, Outcome.ABANDONED, draft.path)
    drop_draft(context)


async def leave(update: Update, context: Context) -> int:
    """Leave the report, wherever the customer is in it."""
    await answered(update)
    await abandon_open_case(context)
    lang = lang_of(update, context)
    if update.callback_query is not None:
        await show(update, text(lang, "left"))
    else:
        await say(update, text(lang, "left"), ReplyKeyboardRemove())
    return END


async def restart_from_menu(update: Update, context: Context) -> int:
    """/start inside a report: drop the report and greet, as the user asked for a fresh start."""
    await abandon_open_case(context)
    await start(update, context)
    return END


# Troubleshooting tree


async def category_chosen(update: Update, context: Context) -> Waiting:
    """Open a case for the category and ask its first question."""
    query = pressed(update)
    payload = CategoryPick.decode(query.data)
    tree = context.services.tree
    category = tree.category(payload.category) if payload else None
    if category is None:
        return await stale(update, context)
    await acknowledge(query)
    case_id = await context.services.reports.start(
        query.from_user.id, category.id, update.update_id
    )
    draft = Draft(case_id=case_id, category=category.id, trail=[category.start])
    return await show_node(update, context, draft)


async def show_node(update: Update, context: Context, draft: Draft) -> Waiting:
    lang = lang_of(update, context)
    node = context.services.tree.node(draft.node or "")
    assert node is not None
    save_draft(context, draft)
    if node.is_fix:
        assert node.fix is not None
        await show(update, text(lang, "fix", fix=pick(node.fix, lang)), keyboards.fix(lang, node))
    else:
        assert node.text is not None
        await show(
            update,
            text(lang, "question", question=pick(node.text, lang)),
            keyboards.question(lang, node),
        )
    return Waiting.TREE_ANSWER


async def answer_chosen(update: Update, context: Context) -> Waiting | int:
    """Follow the option the customer picked."""
    query = pressed(update)
    payload = AnswerPick.decode(query.data)
    draft = load_draft(context)
    node = context.services.tree.node(draft.node or "")
    if payload is None or node is None or node.id != payload.node or node.is_fix:
        return await stale(update, context)
    if payload.option >= len(node.options):
        return await stale(update, context)
    await acknowledge(query)
    option = node.options[payload.option]
    draft.path.append(Step(node=node.id, answer=pick(option.label, Lang.EN)))
    return await follow(update, context, draft, option.next)


async def fix_tried(update: Update, context: Context) -> Waiting | int:
    """Close the case as self-resolved, or go on where the fix's `next` leads."""
    query = pressed(update)
    payload = FixOutcome.decode(query.data)
    draft = load_draft(context)
    node = context.services.tree.node(draft.node or "")
    if payload is None or node is None or node.id != payload.node or not node.is_fix:
        return await stale(update, context)
    await acknowledge(query)
    draft.path.append(Step(fix=node.id, helped=payload.helped))
    if payload.helped == "y":
        lang = lang_of(update, context)
        if draft.case_id is not None:
            await context.services.reports.close(draft.case_id, Outcome.SELF_RESOLVED, draft.path)
        drop_draft(context)
        await show(update, text(lang, "self_resolved"))
        return END
    assert node.next is not None
    return await follow(update, context, draft, node.next)


async def follow(update: Update, context: Context, draft: Draft, target: str) -> Waiting | int:
    if target == BOOK:
        save_draft(context, draft)
        return await ask_location(update, context, draft)
    draft.trail.append(target)
    return await show_node(update, context, draft)


async def tree_back(update: Update, context: Context) -> Waiting:
    """One step up the tree; from its first question, back to the categories."""
    await answered(update)
    draft = load_draft(context)
    if len(draft.trail) > 1:
        draft.trail.pop()
        if draft.path:
            draft.path.pop()
        return await show_node(update, context, draft)
    return await back_to_categories(update, context)


async def back_to_categories(update: Update, context: Context) -> Waiting:
    await abandon_open_case(context)
    save_draft(context, Draft())
    lang = lang_of(update, context)
    await show(
        update, text(lang, "choose_category"), keyboards.categories(lang, context.services.tree)
    )
    return Waiting.CATEGORY


# Where the customer is


def cities_for(context: Context, lang: Lang, category: str | None) -> list[str]:
    names: dict[str, None] = {}
    for workshop in context.services.network.workshops.values():
        if category in workshop.categories:
            names[pick(workshop.city, lang)] = None
    return list(names)


async def ask_location(update: Update, context: Context, draft: Draft) -> Waiting | int:
    lang = lang_of(update, context)
    user = update.effective_user
    assert user is not None
    active = await context.services.bookings.active_bookings(user.id)
    if active >= MAX_ACTIVE_BOOKINGS:
        await abandon_open_case(context)
        await show(update, text(lang, "too_many_bookings", limit=MAX_ACTIVE_BOOKINGS))
        return END
    await retire_buttons(update)
    await say(
        update,
        text(lang, "ask_location"),
        keyboards.location_request(lang, cities_for(context, lang, draft.category)),
    )
    return Waiting.LOCATION


async def location_shared(update: Update, context: Context) -> Waiting | int:
    message = update.effective_message
    assert message is not None and message.location is not None
    here = Point(message.location.latitude, message.location.longitude)
    if not here.on_earth:
        await say(update, text(lang_of(update, context), "location_unusable"))
        return Waiting.LOCATION
    return await list_workshops(update, context, here)


async def place_typed(update: Update, context: Context) -> Waiting | int:
    """A typed city or address, or the Back / Exit buttons of the reply keyboard."""
    message = update.effective_message
    assert message is not None and message.text is not None
    typed = message.text.strip()
    if typed in all_labels("btn_exit"):
        return await leave(update, context)
    draft = load_draft(context)
    if typed in all_labels("btn_back"):
        if draft.path:
            draft.path.pop()
        await say(update, "↩️", ReplyKeyboardRemove())
        return await show_node(update, context, draft)
    lang = lang_of(update, context)
    here = context.services.locator.locate(typed)
    if here is None:
        shown = typed if len(typed) <= 40 else typed[:40] + "…"
        examples = ", ".join(cities_for(context, lang, draft.category)[:3])
        await say(update, text(lang, "location_unknown", typed=shown, cities=examples))
        return Waiting.LOCATION
    return await list_workshops(update, context, here)


async def location_expected(update: Update, context: Context) -> Waiting:
    await say(update, text(lang_of(update, context), "location_expected"))
    return Waiting.LOCATION


async def list_workshops(update: Update, context: Context, here: Point) -> Waiting | int:
    lang = lang_of(update, context)
    draft = load_draft(context)
    draft.lat, draft.lon = here.lat, here.lon
    save_draft(context, draft)
    await say(update, text(lang, "searching"), ReplyKeyboardRemove())
    return await show_workshops(update, context, draft)


async def show_workshops(update: Update, context: Context, draft: Draft) -> Waiting | int:
    lang = lang_of(update, context)
    here = draft.here
    category = context.services.tree.category(draft.category or "")
    assert here is not None and category is not None
    found = context.services.locator.nearest(category.id, here)
    if not found:
        await abandon_open_case(context)
        await show(update, text(lang, "no_workshops"))
        return END
    await show(
        update,
        text(lang, "choose_workshop", category=pick(category.title, lang).lower()),
        keyboards.workshops(lang, found),
    )
    return Waiting.WORKSHOP


async def back_to_location(update: Update, context: Context) -> Waiting | int:
    await answered(update)
    draft = load_draft(context)
    return await ask_location(update, context, draft)


# Workshop, day and time


async def workshop_chosen(update: Update, context: Context) -> Waiting:
    query = pressed(update)
    payload = WorkshopPick.decode(query.data)
    draft = load_draft(context)
    workshop = context.services.network.get(payload.code) if payload else None
    if workshop is None or draft.category not in workshop.categories:
        return await stale(update, context)
    await acknowledge(query)
    draft.workshop = workshop.code
    save_draft(context, draft)
    return await show_days(update, context, draft)


async def show_days(update: Update, context: Context, draft: Draft, note: str = "") -> Waiting:
    lang = lang_of(update, context)
    workshop = context.services.network.get(draft.workshop or "")
    assert workshop is not None
    open_days = await context.services.bookings.open_days(workshop.code)
    if not open_days:
        await show(
            update,
            text(lang, "no_days", name=workshop.title(lang)),
            keyboards.inline([keyboards.nav_row(lang)]),
        )
        return Waiting.DAY
    heading = text(
        lang,
        "choose_day",
        name=workshop.title(lang),
        address=workshop.where(lang),
        phone=workshop.phone,
    )
    today = context.services.bookings.today(workshop.code)
    await show(
        update,
        f"{note}\n\n{heading}" if note else heading,
        keyboards.days(lang, open_days, today),
    )
    return Waiting.DAY


async def day_chosen(update: Update, context: Context) -> Waiting:
    query = pressed(update)
    payload = DayPick.decode(query.data)
    draft = load_draft(context)
    if (
        payload is None
        or draft.workshop is None
        or not context.services.bookings.within_horizon(draft.workshop, payload.day)
    ):
        return await stale(update, context)
    await acknowledge(query)
    draft.day = payload.day
    save_draft(context, draft)
    return await show_slots(update, context, draft)


async def show_slots(update: Update, context: Context, draft: Draft, note: str = "") -> Waiting:
    lang = lang_of(update, context)
    workshop = context.services.network.get(draft.workshop or "")
    assert workshop is not None and draft.day is not None
    free = await context.services.bookings.free_slots(workshop.code, draft.day)
    if not free:
        full = text(lang, "day_full")
        return await show_days(update, context, draft, note=f"{note}\n{full}" if note else full)
    heading = text(lang, "choose_slot", name=workshop.title(lang), day=short_day(lang, draft.day))
    zone = context.services.network.zone(workshop.code)
    await show(
        update, f"{note}\n\n{heading}" if note else heading, keyboards.slots(lang, free, zone)
    )
    return Waiting.SLOT


async def slot_chosen(update: Update, context: Context) -> Waiting:
    query = pressed(update)
    payload = SlotPick.decode(query.data)
    draft = load_draft(context)
    if payload is None or draft.workshop is None or draft.day is None:
        return await stale(update, context)
    await acknowledge(query)
    start = datetime.fromtimestamp(payload.start, UTC)
    free = await context.services.bookings.free_slots(draft.workshop, draft.day)
    lang = lang_of(update, context)
    if start not in free:
        return await show_slots(update, context, draft, note=text(lang, "slot_taken"))
    draft.slot = payload.start
    save_draft(context, draft)
    zone = context.services.network.zone(draft.workshop)
    await show(update, f"🕒 {when(lang, start, zone)}")
    await say(update, text(lang, "ask_phone"), keyboards.phone_request(lang))
    return Waiting.PHONE


async def day_back(update: Update, context: Context) -> Waiting | int:
    """From the days back to the list of workshops."""
    await answered(update)
    draft = load_draft(context)
    draft.workshop = None
    save_draft(context, draft)
    return await show_workshops(update, context, draft)


async def slot_back(update: Update, context: Context) -> Waiting:
    """From the times back to the days."""
    await answered(update)
    draft = load_draft(context)
    draft.day = None
    save_draft(context, draft)
    return await show_days(update, context, draft)


# Phone and confirmation


async def contact_shared(update: Update, context: Context) -> Waiting:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.contact is not None and user is not None
    lang = lang_of(update, context)
    if message.contact.user_id != user.id:
        await say(update, text(lang, "phone_not_own"))
        return Waiting.PHONE
    draft = load_draft(context)
    draft.phone = message.contact.phone_number
    save_draft(context, draft)
    await context.services.customers.set_phone(user.id, draft.phone)
    await say(update, text(lang, "phone_noted"), ReplyKeyboardRemove())
    return await show_summary(update, context, draft)


async def phone_step_text(update: Update, context: Context) -> Waiting | int:
    """Skip, Back and Exit from the reply keyboard; anything else is asked again."""
    message = update.effective_message
    assert message is not None and message.text is not None
    typed = message.text.strip()
    lang = lang_of(update, context)
    draft = load_draft(context)
    if typed in all_labels("btn_exit"):
        return await leave(update, context)
    if typed in all_labels("btn_skip"):
        draft.phone = None
        save_draft(context, draft)
        await say(update, text(lang, "phone_skipped"), ReplyKeyboardRemove())
        return await show_summary(update, context, draft)
    if typed in all_labels("btn_back"):
        draft.slot = None
        save_draft(context, draft)
        await say(update, "↩️", ReplyKeyboardRemove())
        return await show_slots(update, context, draft)
    await say(update, text(lang, "phone_expected"))
    return Waiting.PHONE


async def phone_expected(update: Update, context: Context) -> Waiting:
    await say(update, text(lang_of(update, context), "phone_expected"))
    return Waiting.PHONE


async def show_summary(update: Update, context: Context, draft: Draft) -> Waiting:
    lang = lang_of(update, context)
    workshop = context.services.network.get(draft.workshop or "")
    category = context.services.tree.category(draft.category or "")
    assert workshop is not None and category is not None and draft.slot is not None
    zone = context.services.network.zone(workshop.code)
    await say(
        update,
        text(
            lang,
            "summary",
            category=pick(category.title, lang),
            workshop=workshop.title(lang),
            address=workshop.where(lang),
            when=when(lang, datetime.fromtimestamp(draft.slot, UTC), zone),
            phone=draft.phone or label(lang, "no_phone"),
        ),
        keyboards.confirmation(lang),
    )
    return Waiting.CONFIRMATION


async def decided(update: Update, context: Context) -> Waiting | int:
    """Book on Confirm; on Cancel, drop the draft.

    Also registered outside the conversation: a Confirm handled again after a crash may
    find the conversation over and the draft gone; the booking it made is the answer.
    """
    query = pressed(update)
    payload = Decision.decode(query.data)
    draft = load_draft(context)
    lang = lang_of(update, context)
    if payload is None:
        return await stale(update, context)
    if payload.confirm == "no":
        await acknowledge(query)
        await abandon_open_case(context)
        await show(update, text(lang, "booking_dropped"))
        return END
    bookings = context.services.bookings
    result: TicketRecord | Refusal | None
    if draft.workshop is None or draft.slot is None or draft.category is None:
        result = await bookings.booked_by(update.update_id)
    else:
        result = await bookings.book(
            BookingRequest(
                customer_id=query.from_user.id,
                workshop_code=draft.workshop,
                category=draft.category,
                slot_start=datetime.fromtimestamp(draft.slot, UTC),
                phone=draft.phone,
                case_id=draft.case_id,
                path=draft.path,
            ),
            update.update_id,
        )
    if result is None:
        return await stale(update, context)
    await acknowledge(query)
    if result in (Refusal.SLOT_FULL, Refusal.SLOT_GONE):
        draft.slot = None
        save_draft(context, draft)
        note = text(lang, "slot_taken" if result is Refusal.SLOT_FULL else "slot_passed")
        return await show_slots(update, context, draft, note=note)
    if result is Refusal.TOO_MANY_BOOKINGS:
        await abandon_open_case(context)
        await show(update, text(lang, "too_many_bookings", limit=MAX_ACTIVE_BOOKINGS))
        return END
    if isinstance(result, Refusal):
        await abandon_open_case(context)
        await show(update, text(lang, "not_served"))
        return END
    drop_draft(context)
    workshop = context.services.network.workshops[result.workshop_code]
    zone = context.services.network.zone(workshop.code)
    assert result.slot_start is not None
    await show(
        update,
        text(
            lang,
            "booked",
            code=result.code,
            workshop=workshop.title(lang),
            address=workshop.where(lang),
            when=when(lang, result.slot_start, zone),
            phone=workshop.phone,
        ),
    )
    await wake_postman(context)
    if update.effective_chat is not None:
        await update.effective_chat.send_venue(
            latitude=workshop.lat,
            longitude=workshop.lon,
            title=workshop.title(lang),
            address=workshop.where(lang),
        )
    return END


async def summary_back(update: Update, context: Context) -> Waiting:
    await answered(update)
    lang = lang_of(update, context)
    await retire_buttons(update)
    await say(update, text(lang, "ask_phone"), keyboards.phone_request(lang))
    return Waiting.PHONE


# Anything unexpected


async def use_buttons(update: Update, context: Context) -> None:
    await say(update, text(lang_of(update, context), "use_buttons"))


async def unknown_command(update: Update, context: Context) -> None:
    message = update.effective_message
    command = (message.text or "").split()[0] if message and message.text else "/"
    await say(update, text(lang_of(update, context), "unknown_command", command=command[:40]))


def conversation() -> ConversationHandler[Context]:
    button = CallbackQueryHandler
    back = button(tree_back, pattern=Nav(to="back").encode())
    fallbacks: list[BaseHandler[Update, Context, Any]] = [
        CommandHandler("cancel", leave),
        CommandHandler("start", restart_from_menu),
        button(leave, pattern=Nav(to="exit").encode()),
        button(stale),
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.ALL, use_buttons),
    ]
    # Buttons are tracked per chat, not per message: the conversation mixes typed input
    # and buttons, and stale buttons are caught by checking their payload instead.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("repair", begin),
                button(begin, pattern=MenuPick(item="repair").encode()),
                button(book_again, pattern=BookAgain.matches),
            ],
            states={
                Waiting.CATEGORY: [button(category_chosen, pattern=CategoryPick.matches)],
                Waiting.TREE_ANSWER: [
                    button(answer_chosen, pattern=AnswerPick.matches),
                    button(fix_tried, pattern=FixOutcome.matches),
                    back,
                ],
                Waiting.LOCATION: [
                    MessageHandler(filters.LOCATION, location_shared),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, place_typed),
                    MessageHandler(~filters.COMMAND, location_expected),
                ],
                Waiting.WORKSHOP: [
                    button(workshop_chosen, pattern=WorkshopPick.matches),
                    button(back_to_location, pattern=Nav(to="back").encode()),
                ],
                Waiting.DAY: [
                    button(day_chosen, pattern=DayPick.matches),
                    button(day_back, pattern=Nav(to="back").encode()),
                ],
                Waiting.SLOT: [
                    button(slot_chosen, pattern=SlotPick.matches),
                    button(slot_back, pattern=Nav(to="back").encode()),
                ],
                Waiting.PHONE: [
                    MessageHandler(filters.CONTACT, contact_shared),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, phone_step_text),
                    MessageHandler(~filters.COMMAND, phone_expected),
                ],
                Waiting.CONFIRMATION: [
                    button(decided, pattern=Decision.matches),
                    button(summary_back, pattern=Nav(to="back").encode()),
                ],
            },
            fallbacks=fallbacks,
            name=CONVERSATION,
            persistent=True,
            allow_reentry=True,
        )
