"""Talking to a person through the bot: `💬 Ask a question`, `/ask`, `↩️ Reply`, `/questions`.

After `💬 Ask a question` or `↩️ Reply` the bot waits for one message (text, or a photo with
a caption). What it waits for is kept in the person's user data, which is persisted, so a
restart in between loses nothing. Telegram's own reply to a delivered question or answer
continues its thread without any button.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import filters

from bot.handlers.access import requires
from bot.handlers.callbacks import Ask, HandOver, ThreadReply
from bot.handlers.common import not_understood
from bot.handlers.context import Context, lang_of, remember_user
from bot.handlers.delivery import wake_postman
from bot.handlers.followups import comment_received
from bot.handlers.replies import acknowledge, answered, pressed, retire_buttons, say, stale
from bot.handlers.thread_views import answerer_title, open_questions
from bot.i18n import Lang
from bot.message_length import utf16_len
from bot.messages import label, text
from bot.questions import MAX_QUESTION, Outcome, answerer
from bot.roles import Principal, Role
from bot.storage.tickets import TicketRecord
from bot.ticket_desk import normalize_code

ASKING_KEY = "asking"
ASKING_VALID = timedelta(hours=1)
"""After this, a message is no longer taken as the question the bot asked for."""
ALBUM_VALID = timedelta(minutes=1)
"""The photos of one album arrive as several messages within seconds of each other."""
SHOWN = 10
"""Questions listed (with their buttons) by /questions at a time."""


class Asking(BaseModel):
    """What the bot waits for: a new question (about `code`, or none) or the next message
    of `thread`; `album` lets the other photos of an album follow the first one."""

    code: str | None = None
    thread: int | None = None
    album: str | None = None
    since: datetime


class AwaitingMessage(filters.MessageFilter):
    """Lets through the messages of people the bot asked to write something (what it waits
    for is under `key` in their user data: a question by default).

    Reads the application's user data (restored from the database at start-up), so the
    message is taken before any conversation could mistake it for its own input.
    """

    def __init__(self, user_data: Mapping[int, dict[Any, Any]], key: str = ASKING_KEY) -> None:
        super().__init__(name="AwaitingMessage")
        self._user_data = user_data
        self._key = key

    def filter(self, message: Message) -> bool:
        user = message.from_user
        data = self._user_data.get(user.id) if user is not None else None
        return data is not None and self._key in data


def waiting_for(context: Context) -> Asking | None:
    raw = context.user_data.get(ASKING_KEY) if context.user_data is not None else None
    try:
        return Asking.model_validate(raw) if raw else None
    except ValidationError:
        return None


def wait_for(context: Context, asking: Asking | None) -> None:
    if context.user_data is None:
        return
    if asking is None:
        context.user_data.pop(ASKING_KEY, None)
    else:
        context.user_data[ASKING_KEY] = asking.model_dump(mode="json")


async def ask_command(update: Update, context: Context) -> None:
    """`/ask` (to head office) or `/ask SR-XXXXXX` (to the ticket's workshop)."""
    args = list(context.args or [])
    await begin_asking(update, context, normalize_code(args[0]) if args else None)


async def ask_pressed(update: Update, context: Context) -> None:
    """`💬 Ask a question` in the menu, on a ticket card, or under a notice."""
    payload = Ask.decode(pressed(update).data)
    if payload is None:
        await stale(update, context)
        return
    await begin_asking(update, context, payload.code)


async def begin_asking(update: Update, context: Context, code: str | None) -> None:
    user = update.effective_user
    assert user is not None
    lang = lang_of(update, context)
    ticket: TicketRecord | None = None
    if code is not None:
        ticket = await context.services.bookings.ticket_of_customer(user.id, code)
        if ticket is None:
            if update.callback_query is not None:
                await stale(update, context)
            else:
                await say(update, text(lang, "booking_not_found"))
            return
    await answered(update)
    await remember_user(update, context)
    wait_for(context, Asking(code=code, since=context.services.clock.now()))
    await say(update, prompt(context, lang, ticket))


def prompt(context: Context, lang: Lang, ticket: TicketRecord | None) -> str:
    if ticket is None:
        return text(lang, "ask_general")
    if answerer(ticket) is None:
        return text(lang, "ask_closed", code=ticket.code)
    return text(
        lang,
        "ask_ticket",
        code=ticket.code,
        workshop=answerer_title(context.services, lang, ticket.workshop_code),
    )


async def reply_pressed(update: Update, context: Context) -> None:
    """`↩️ Reply` under a question or an answer, or `Answer` in /questions."""
    query = pressed(update)
    payload = ThreadReply.decode(query.data)
    who = await context.services.access.who(query.from_user.id)
    thread = await context.services.questions.thread_for(who, payload.thread) if payload else None
    if thread is None:
        await stale(update, context)
        return
    await acknowledge(query)
    lang = lang_of(update, context)
    wait_for(context, Asking(thread=thread.id, since=context.services.clock.now()))
    if thread.customer_id == who.user_id:
        await say(update, text(lang, "ask_follow_up"))
    else:
        name = await context.services.customers.first_name(thread.customer_id) or "—"
        await say(update, text(lang, "answer_prompt", name=name))


async def forget_on_new_action(update: Update, context: Context) -> None:
    """A command or a button starts something else: stop waiting for a question, so a city
    typed in a new fault report is never sent to head office as one."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE or waiting_for(context) is None:
        return
    command = update.message.text if update.message and update.message.text else ""
    if update.callback_query is not None or (
        command.startswith("/") and command.split()[0] != "/cancel"
    ):
        wait_for(context, None)


async def cancel_asking(update: Update, context: Context) -> None:
    """`/cancel` while the bot waits for a question or an answer."""
    wait_for(context, None)
    await say(update, text(lang_of(update, context), "ask_cancelled"))


async def received(update: Update, context: Context) -> None:
    """The message the bot asked for: passed on, and the writer told so."""
    message = update.effective_message
    assert message is not None
    if (thread_id := await replied_thread(update, context)) is not None:
        # Telegram's reply names its thread, whatever the bot waited for.
        await pass_on(update, context, Asking(thread=thread_id, since=context.services.clock.now()))
        return
    asking = waiting_for(context)
    now = context.services.clock.now()
    if asking is not None and asking.album is not None:
        if message.media_group_id == asking.album and now - asking.since <= ALBUM_VALID:
            await pass_on(update, context, asking, quietly=True)
            return
        asking = None
    if asking is None or now - asking.since > ASKING_VALID:
        wait_for(context, None)
        await not_understood(update, context)
        return
    await pass_on(update, context, asking)


async def replied(update: Update, context: Context) -> None:
    """Telegram's reply to a delivered question or answer continues its thread; a reply to
    anything else is what it was before (a rating's comment, say)."""
    message = update.effective_message
    assert message is not None
    thread_id = await replied_thread(update, context)
    if thread_id is None:
        if message.text:
            await comment_received(update, context)
        else:
            await not_understood(update, context)
        return
    await pass_on(update, context, Asking(thread=thread_id, since=context.services.clock.now()))


async def replied_thread(update: Update, context: Context) -> int | None:
    """The thread of the delivered question or answer this message replies to, if any."""
    message = update.effective_message
    if message is None or message.reply_to_message is None:
        return None
    return await context.services.questions.thread_of_reply(
        message.chat.id, message.reply_to_message.message_id
    )


async def pass_on(
    update: Update, context: Context, asking: Asking, quietly: bool = False
) -> None:
    """Check the message and hand it to the question desk; `quietly` for the rest of an album."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    lang = lang_of(update, context)
    photo = message.photo[-1].file_id if message.photo else None
    body = (message.text or message.caption or "").strip()
    if not body and photo is None:
        await say(update, text(lang, "ask_text_only"))
        return
    if utf16_len(body) > MAX_QUESTION:
        await say(
            update, text(lang, "ask_too_long", length=utf16_len(body), limit=MAX_QUESTION)
        )
        return
    services = context.services
    head_office = await services.access.head_office_ids()
    who = await services.access.who(user.id)
    if asking.thread is not None:
        posted = await services.questions.post(
            who, asking.thread, body, photo, head_office, update.update_id
        )
    else:
        posted = await services.questions.ask(
            user.id, asking.code, body, photo, head_office, update.update_id
        )
    if posted.outcome is Outcome.NOT_FOUND or posted.thread is None:
        wait_for(context, None)
        await say(update, text(lang, "booking_not_found"))
        return
    thread = posted.thread
    album = message.media_group_id
    wait_for(
        context,
        Asking(thread=thread.id, album=album, since=services.clock.now()) if album else None,
    )
    if not quietly:
        if thread.customer_id == user.id:
            who_answers = answerer_title(services, lang, thread.workshop_code)
            await say(update, text(lang, "ask_sent", who=who_answers))
        else:
            name = await services.customers.first_name(thread.customer_id) or "—"
            await say(update, text(lang, "answer_sent", name=name))
    await wake_postman(context)


@requires(Role.HEAD_OFFICE)
async def list_questions(update: Update, context: Context, who: Principal) -> None:
    """Head office's `/questions`: the unanswered ones, oldest first."""
    lang = lang_of(update, context)
    body, markup = await open_questions(
        context.services, lang, context.services.clock.now(), SHOWN
    )
    await say(update, body, markup)


async def hand_over_pressed(update: Update, context: Context) -> None:
    """Head office gives a ticket's question to its workshop, whose clock starts again."""
    query = pressed(update)
    payload = HandOver.decode(query.data)
    services = context.services
    who = await services.access.who(query.from_user.id)
    thread = (
        await services.questions.hand_over(
            who, payload.thread, await services.access.head_office_ids(), update.update_id
        )
        if payload
        else None
    )
    if thread is None:
        await stale(update, context)
        return
    lang = lang_of(update, context)
    await acknowledge(
        query,
        label(lang, "handed_over", workshop=answerer_title(services, lang, thread.workshop_code)),
    )
    await retire_buttons(update)
    await wake_postman(context)
