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

from pydantic import BaseModel, Field, ValidationError
from telegram import Message, ReplyKeyboardRemove, Update
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
from bot.fault_notes import MAX_ATTACHMENTS, MAX_WORDS, Attachment, FaultNotes, MediaKind
from bot.fault_notes import Refusal as NotesRefusal
from bot.fault_reports import Outcome, Step
from bot.handlers import keyboards
from bot.handlers.access import FROM_GROUP
from bot.handlers.callbacks import (
    AnswerPick,
    BookAgain,
    CategoryPick,
    DayPick,
    Decision,
    DescriptionDone,
    FixOutcome,
    MenuPick,
    Nav,
    PurchasePick,
    SlotPick,
    WorkshopPick,
)
from bot.handlers.common import claim, start
from bot.handlers.context import Context, lang_of, remember_user
from bot.handlers.delivery import wake_postman
from bot.handlers.formatting import km, short_day, when
from bot.handlers.leftovers import LABELS, is_exit
from bot.handlers.replies import (
    acknowledge,
    answered,
    offer,
    present,
    pressed,
    retire_buttons,
    rewrite,
    say,
    say_tracked,
    show,
    stale,
    withdraw,
)
from bot.i18n import Lang, pick
from bot.locator import Point
from bot.messages import all_labels, label, text
from bot.phones import contact_number, readable, typed_number
from bot.storage.tickets import TicketRecord
from bot.tickets import MAX_ACTIVE_BOOKINGS
from bot.troubleshooting import BOOK
from bot.warranty import PurchaseAge

CONVERSATION = "repair"
CLAIM_LINK = ~filters.Regex(rf"^/start(@\w+)?\s+{FROM_GROUP}$")
"""`/start <token>` of a walk-in receipt: any argument but the one of the group pointer."""
DRAFT_KEY = "draft"
END = ConversationHandler.END


class Waiting(StrEnum):
    """What the bot waits for; persisted by value, so states may be added safely."""

    CATEGORY = "category"
    TREE_ANSWER = "tree_answer"
    DESCRIPTION = "description"
    PURCHASE = "purchase"
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
    notes: FaultNotes = Field(default_factory=FaultNotes)
    seen: int = 0
    """The last message taken at the description step: one handled again is not added twice."""
    album: str | None = None
    """The album (`media_group_id`) last answered, with that answer's message id: the rest
    of an album gets no answer of its own, only a correction of that one if refused."""
    album_answer: int | None = None
    album_refused: bool = False
    ticket: str | None = None
    """A claimed walk-in ticket being described: no booking follows."""
    purchase_age: PurchaseAge | None = None
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


def echo(typed: str) -> str:
    """What the customer typed, short enough to quote back in an answer."""
    return typed if len(typed) <= 40 else typed[:40] + "…"


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
    return await open_report(update, context)


async def book_again(update: Update, context: Context) -> Waiting:
    """`🔁 Book again` under a notice: the report starts below it, the notice stays as it is."""
    return await open_report(update, context, below=True)


async def open_report(update: Update, context: Context, below: bool = False) -> Waiting:
    """The category question: in place of a pressed menu (taking away a reply keyboard left
    from an abandoned step), or `below` the notice whose button was pressed."""
    await answered(update)
    await abandon_open_case(context)
    await remember_user(update, context)
    lang = lang_of(update, context)
    save_draft(context, Draft())
    message = text(lang, "choose_category")
    markup = keyboards.categories(lang, context.services.tree)
    if below:
        await say(update, message, markup)
    else:
        await present(update, context, message, markup)
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
    typed = update.callback_query is None
    await present(update, context, text(lang_of(update, context), "left"), left_over=typed)
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
        if draft.case_id is not None:
            await context.services.reports.fix_shown(draft.case_id, node.id)
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
        return await ask_description(update, context, draft)
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


# The fault in the customer's own words and pictures


async def ask_description(update: Update, context: Context, draft: Draft) -> Waiting | int:
    """Ask once for words, photos or a video; before a booking, only if one may be made."""
    if draft.ticket is None and await at_booking_limit(update, context):
        return END
    save_draft(context, draft)
    lang = lang_of(update, context)
    await retire_buttons(update)
    await say(
        update,
        text(lang, "ask_description", limit=MAX_WORDS, photos=MAX_ATTACHMENTS),
        description_buttons(lang, draft),
    )
    return Waiting.DESCRIPTION


def description_buttons(lang: Lang, draft: Draft) -> keyboards.InlineKeyboardMarkup:
    """A walk-in has no troubleshooting step to go back to."""
    return keyboards.description(lang, sent=not draft.notes.empty, back=draft.ticket is None)


def taken_once(draft: Draft, message: Message) -> bool:
    """Note a message as taken; False if it was (the same update handled again)."""
    if message.message_id <= draft.seen:
        return False
    draft.seen = message.message_id
    return True


async def words_sent(update: Update, context: Context) -> Waiting | int:
    """Add typed words to the description; a text that does not fit is refused whole."""
    message = update.effective_message
    assert message is not None and message.text is not None
    if message.text.strip() in all_labels("btn_exit"):
        return await leave(update, context)
    draft = load_draft(context)
    if not taken_once(draft, message):
        return Waiting.DESCRIPTION
    lang = lang_of(update, context)
    refused = draft.notes.add_words(message.text)
    save_draft(context, draft)
    answer = (
        too_long(lang, draft, message.text) if refused else text(lang, "description_noted")
    )
    await say(update, answer, description_buttons(lang, draft))
    return Waiting.DESCRIPTION


def too_long(lang: Lang, draft: Draft, typed: str) -> str:
    return text(
        lang,
        "description_too_long",
        length=len(typed.strip()),
        limit=MAX_WORDS,
        room=draft.notes.room,
    )


def attachment_of(message: Message) -> Attachment:
    if message.photo:
        return Attachment(kind=MediaKind.PHOTO, file_id=message.photo[-1].file_id)
    assert message.video is not None
    return Attachment(kind=MediaKind.VIDEO, file_id=message.video.file_id)


async def media_sent(update: Update, context: Context) -> Waiting:
    """Keep a photo or video; an album, several updates, gets one answer."""
    message = update.effective_message
    assert message is not None
    draft = load_draft(context)
    if not taken_once(draft, message):
        return Waiting.DESCRIPTION
    lang = lang_of(update, context)
    refusals = [draft.notes.add(attachment_of(message))]
    if message.caption:
        refusals.append(draft.notes.add_words(message.caption))
    notes = [refusal_text(lang, draft, refusal, message) for refusal in refusals if refusal]
    answer = "\n\n".join([text(lang, "media_noted"), *notes])
    group = message.media_group_id
    if group is not None and group == draft.album:
        if notes and not draft.album_refused and draft.album_answer is not None:
            draft.album_refused = True
            await rewrite(update, draft.album_answer, answer, description_buttons(lang, draft))
    else:
        draft.album = group
        draft.album_refused = bool(notes)
        draft.album_answer = await say_tracked(update, answer, description_buttons(lang, draft))
    save_draft(context, draft)
    return Waiting.DESCRIPTION


def refusal_text(lang: Lang, draft: Draft, refusal: NotesRefusal, message: Message) -> str:
    if refusal is NotesRefusal.TOO_LONG:
        return too_long(lang, draft, message.caption or "")
    if refusal is NotesRefusal.SECOND_VIDEO:
        return text(lang, "second_video")
    return text(lang, "too_many_attachments", limit=MAX_ATTACHMENTS)


async def description_expected(update: Update, context: Context) -> Waiting:
    """Stickers, voice, documents and the like: say kindly what this step takes."""
    lang = lang_of(update, context)
    markup = description_buttons(lang, load_draft(context))
    await say(update, text(lang, "description_expected"), markup)
    return Waiting.DESCRIPTION


async def description_done(update: Update, context: Context) -> Waiting | int:
    """`Skip` or `➡️ Continue`: on to the booking, or, for a walk-in, to the workshop."""
    query = pressed(update)
    await acknowledge(query)
    draft = load_draft(context)
    if draft.ticket is None:
        return await ask_purchase(update, context)
    lang = lang_of(update, context)
    drop_draft(context)
    if draft.notes.empty:
        await show(update, text(lang, "description_none", code=draft.ticket))
        return END
    described = await context.services.desk.describe(
        query.from_user.id,
        draft.ticket,
        draft.notes.words or None,
        draft.notes.attachments,
        update.update_id,
    )
    if described is None:
        return await stale(update, context)
    await show(update, text(lang, "description_sent", code=described.code))
    return END


async def description_back(update: Update, context: Context) -> Waiting | int:
    """Back to the last troubleshooting step; what was sent is kept for the way forward."""
    draft = load_draft(context)
    if draft.ticket is not None or not draft.trail:
        return await stale(update, context)
    await answered(update)
    if draft.path:
        draft.path.pop()
    return await show_node(update, context, draft)


# When the product was bought


async def ask_purchase(update: Update, context: Context) -> Waiting:
    """When the product was bought, which tells the workshop whether to expect a warranty
    repair. A walk-in is not asked: staff saw the device and its papers at the counter."""
    lang = lang_of(update, context)
    await show(update, text(lang, "ask_purchase"), keyboards.purchase_ages(lang))
    return Waiting.PURCHASE


async def purchase_chosen(update: Update, context: Context) -> Waiting | int:
    """Keep the answer and go on to where the customer is."""
    query = pressed(update)
    payload = PurchasePick.decode(query.data)
    draft = load_draft(context)
    if payload is None or draft.category is None or draft.ticket is not None:
        return await stale(update, context)
    await acknowledge(query)
    draft.purchase_age = payload.age
    save_draft(context, draft)
    lang = lang_of(update, context)
    await show(update, text(lang, "purchase_line", age=label(lang, f"btn_bought_{payload.age}")))
    return await ask_location(update, context, draft, buttons_left=False)


async def purchase_back(update: Update, context: Context) -> Waiting | int:
    """Back to the description, with what was sent kept."""
    await answered(update)
    return await ask_description(update, context, load_draft(context))


async def walk_in_claimed(update: Update, context: Context) -> Waiting | int:
    """`/start <token>` from a walk-in receipt: claim the ticket, then ask about its fault."""
    await abandon_open_case(context)
    assert context.args
    ticket = await claim(update, context, context.args[0])
    if ticket is None:
        return END
    return await ask_description(update, context, Draft(ticket=ticket.code))


# Where the customer is


def cities_for(context: Context, lang: Lang, category: str | None) -> list[str]:
    names: dict[str, None] = {}
    for workshop in context.services.network.workshops.values():
        if category in workshop.categories:
            names[pick(workshop.city, lang)] = None
    return list(names)


async def at_booking_limit(update: Update, context: Context) -> bool:
    """Refuse, and end the report, for a customer who may not book more now."""
    user = update.effective_user
    assert user is not None
    if await context.services.bookings.active_bookings(user.id) < MAX_ACTIVE_BOOKINGS:
        return False
    await abandon_open_case(context)
    lang = lang_of(update, context)
    await show(update, text(lang, "too_many_bookings", limit=MAX_ACTIVE_BOOKINGS))
    return True


async def ask_location(
    update: Update, context: Context, draft: Draft, *, buttons_left: bool = True
) -> Waiting | int:
    """``buttons_left``: the pressed message still has its buttons (not already replaced)."""
    lang = lang_of(update, context)
    if await at_booking_limit(update, context):
        return END
    if buttons_left:
        await retire_buttons(update)
    await offer(
        update,
        context,
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
    if typed in all_labels("btn_back"):
        await say(update, "↩️", ReplyKeyboardRemove())
        return await ask_purchase(update, context)
    lang = lang_of(update, context)
    place = context.services.locator.locate(typed)
    if place is None:
        await say(update, text(lang, "location_unknown", typed=echo(typed)))
        return Waiting.LOCATION
    return await list_workshops(update, context, place.point, pick(place.name, lang))


async def location_expected(update: Update, context: Context) -> Waiting:
    await say(update, text(lang_of(update, context), "location_expected"))
    return Waiting.LOCATION


async def list_workshops(
    update: Update, context: Context, here: Point, place: str | None = None
) -> Waiting | int:
    """Search from `here`; a typed `place` is named, so a misread one is noticed at once."""
    lang = lang_of(update, context)
    draft = load_draft(context)
    draft.lat, draft.lon = here.lat, here.lon
    save_draft(context, draft)
    searching = text(lang, "searching_near", place=place) if place else text(lang, "searching")
    await say(update, searching, ReplyKeyboardRemove())
    return await show_workshops(update, context, draft)


async def show_workshops(update: Update, context: Context, draft: Draft) -> Waiting | int:
    lang = lang_of(update, context)
    here = draft.here
    category = context.services.tree.category(draft.category or "")
    assert here is not None and category is not None
    reach = context.services.settings.max_distance_km
    offer = context.services.locator.offer(category.id, here, reach)
    nearest = offer.nearest
    if nearest is None:
        await abandon_open_case(context)
        await show(update, text(lang, "no_workshops"))
        return END
    if not offer.near:
        await show(
            update,
            text(
                lang,
                "none_near",
                category=pick(category.title, lang).lower(),
                reach=km(lang, reach),
                name=nearest.workshop.title(lang),
                city=pick(nearest.workshop.city, lang),
                km=km(lang, nearest.km),
            ),
            keyboards.none_near(lang, nearest),
        )
        return Waiting.WORKSHOP
    await show(
        update,
        text(lang, "choose_workshop", category=pick(category.title, lang).lower()),
        keyboards.workshops(lang, offer.near),
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
    await offer(update, context, text(lang, "ask_phone"), keyboards.phone_request(lang))
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
    region = context.services.settings.default_region
    return await phone_given(update, context, contact_number(message.contact.phone_number, region))


async def phone_given(update: Update, context: Context, phone: str) -> Waiting:
    """Keep the number for this booking and as the customer's own, then show the summary."""
    user = update.effective_user
    assert user is not None
    draft = load_draft(context)
    draft.phone = phone
    save_draft(context, draft)
    await context.services.customers.set_phone(user.id, phone)
    await say(update, text(lang_of(update, context), "phone_noted"), ReplyKeyboardRemove())
    return await show_summary(update, context, draft)


async def phone_step_text(update: Update, context: Context) -> Waiting | int:
    """A typed phone number, or Skip, Back and Exit from the reply keyboard."""
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
    phone = typed_number(typed, context.services.settings.default_region)
    if phone is not None:
        return await phone_given(update, context, phone)
    if any(char.isdigit() for char in typed):
        await say(update, text(lang, "phone_invalid", typed=echo(typed)))
    else:
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
    summary = text(
        lang,
        "summary",
        category=pick(category.title, lang),
        workshop=workshop.title(lang),
        address=workshop.where(lang),
        when=when(lang, datetime.fromtimestamp(draft.slot, UTC), zone),
        phone=readable(draft.phone) if draft.phone else label(lang, "no_phone"),
    )
    await say(
        update,
        "\n".join([summary, *notes_lines(lang, draft.notes)]),
        keyboards.confirmation(lang),
    )
    return Waiting.CONFIRMATION


def notes_lines(lang: Lang, notes: FaultNotes) -> list[str]:
    """What the workshop will get besides the booking: the words, and how many pictures."""
    lines = [text(lang, "fault_words", words=notes.words)] if notes.words else []
    if notes.attachments:
        lines.append(text(lang, "attachments_count", count=len(notes.attachments)))
    return lines


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
                description=draft.notes.words or None,
                attachments=tuple(draft.notes.attachments),
                purchase_age=draft.purchase_age,
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
    await offer(update, context, text(lang, "ask_phone"), keyboards.phone_request(lang))
    return Waiting.PHONE


# Anything unexpected


def resumes(step: Waiting) -> Callable[[Update, Context], Awaitable[Waiting | int]]:
    """The answer at `step` to a button of a reply keyboard left from another step."""

    async def resume(update: Update, context: Context) -> Waiting | int:
        """Exit exits; any other left-over button takes the keyboard away and asks again."""
        if is_exit(update.effective_message):
            return await leave(update, context)
        lang = lang_of(update, context)
        await withdraw(update, context, text(lang, "step_resumed"))
        draft = load_draft(context)
        match step:
            case Waiting.CATEGORY:
                tree = context.services.tree
                await say(update, text(lang, "choose_category"), keyboards.categories(lang, tree))
                return step
            case Waiting.TREE_ANSWER:
                return await show_node(update, context, draft)
            case Waiting.PURCHASE:
                return await ask_purchase(update, context)
            case Waiting.LOCATION:
                return await ask_location(update, context, draft)
            case Waiting.WORKSHOP:
                return await show_workshops(update, context, draft)
            case Waiting.DAY:
                return await show_days(update, context, draft)
            case Waiting.SLOT:
                return await show_slots(update, context, draft)
            case Waiting.PHONE:
                return await summary_back(update, context)
            case Waiting.CONFIRMATION:
                return await show_summary(update, context, draft)

    return resume


async def use_buttons(update: Update, context: Context) -> None:
    await say(update, text(lang_of(update, context), "use_buttons"))


async def unknown_command(update: Update, context: Context) -> None:
    message = update.effective_message
    command = (message.text or "").split()[0] if message and message.text else "/"
    await say(update, text(lang_of(update, context), "unknown_command", command=command[:40]))


def conversation(from_keyboard: filters.MessageFilter) -> ConversationHandler[Context]:
    """The report as a conversation; `from_keyboard` tells what a reply keyboard sends."""
    button = CallbackQueryHandler

    def left_over(step: Waiting, sent: filters.BaseFilter = from_keyboard) -> MessageHandler:
        """At a step: a button of a reply keyboard this step did not offer."""
        return MessageHandler(sent, resumes(step))

    # What the location keyboard sends, where the phone step waits; and the reverse.
    cities_or_location = from_keyboard & ~filters.CONTACT & ~filters.Text(sorted(LABELS))
    skip_or_contact = filters.CONTACT | filters.Text(sorted(all_labels("btn_skip")))
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
                CommandHandler("start", walk_in_claimed, filters=CLAIM_LINK, has_args=1),
                button(book_again, pattern=BookAgain.matches),
            ],
            states={
                Waiting.CATEGORY: [
                    button(category_chosen, pattern=CategoryPick.matches),
                    left_over(Waiting.CATEGORY),
                ],
                Waiting.TREE_ANSWER: [
                    button(answer_chosen, pattern=AnswerPick.matches),
                    button(fix_tried, pattern=FixOutcome.matches),
                    back,
                    left_over(Waiting.TREE_ANSWER),
                ],
                Waiting.DESCRIPTION: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, words_sent),
                    MessageHandler(filters.PHOTO | filters.VIDEO, media_sent),
                    MessageHandler(~filters.COMMAND, description_expected),
                    button(description_done, pattern=DescriptionDone.matches),
                    button(description_back, pattern=Nav(to="back").encode()),
                ],
                Waiting.PURCHASE: [
                    button(purchase_chosen, pattern=PurchasePick.matches),
                    button(purchase_back, pattern=Nav(to="back").encode()),
                    left_over(Waiting.PURCHASE),
                ],
                Waiting.LOCATION: [
                    left_over(Waiting.LOCATION, skip_or_contact),
                    MessageHandler(filters.LOCATION, location_shared),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, place_typed),
                    MessageHandler(~filters.COMMAND, location_expected),
                ],
                Waiting.WORKSHOP: [
                    button(workshop_chosen, pattern=WorkshopPick.matches),
                    button(back_to_location, pattern=Nav(to="back").encode()),
                    left_over(Waiting.WORKSHOP),
                    # Another place typed while choosing: the search starts again from there.
                    MessageHandler(filters.TEXT & ~filters.COMMAND, place_typed),
                ],
                Waiting.DAY: [
                    button(day_chosen, pattern=DayPick.matches),
                    button(day_back, pattern=Nav(to="back").encode()),
                    left_over(Waiting.DAY),
                ],
                Waiting.SLOT: [
                    button(slot_chosen, pattern=SlotPick.matches),
                    button(slot_back, pattern=Nav(to="back").encode()),
                    left_over(Waiting.SLOT),
                ],
                Waiting.PHONE: [
                    MessageHandler(filters.CONTACT, contact_shared),
                    left_over(Waiting.PHONE, cities_or_location),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, phone_step_text),
                    MessageHandler(~filters.COMMAND, phone_expected),
                ],
                Waiting.CONFIRMATION: [
                    button(decided, pattern=Decision.matches),
                    button(summary_back, pattern=Nav(to="back").encode()),
                    left_over(Waiting.CONFIRMATION),
                ],
            },
            fallbacks=fallbacks,
            name=CONVERSATION,
            persistent=True,
            allow_reentry=True,
        )
