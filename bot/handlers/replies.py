"""Small ways of answering: edit the pressed message, send a new one, or say a button is stale."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.handlers.context import Context, lang_of
from bot.message_length import split_message
from bot.messages import text
from bot.runtime.rate_limit import UNREAD


async def post(bot: Bot, method: str, **params: object) -> None:
    """Call a Bot API method whose answer (the message as sent or edited) is never read.

    The library turns every such answer into a `Message`, which costs more CPU than most of
    the rest of handling a tap; here it is dropped unparsed. Errors are raised as usual.
    Method names are case-insensitive in the Bot API; the lower-case spelling tells the
    library that this is meant, not a method it has a wrapper for.
    """
    given = {key: value for key, value in params.items() if value is not None}
    await bot.do_api_request(method.lower(), api_kwargs=given, rate_limit_args=UNREAD)


ALREADY_DONE = ("message is not modified", "query is too old", "query_id_invalid")
"""How Telegram refuses an edit the message already shows, or a second answer to a button:
what a press handled again after a crash meets, and nothing to worry about."""


@contextmanager
def unless_already_done() -> Iterator[None]:
    """Let pass Telegram's refusals that only say this was done before."""
    try:
        yield
    except BadRequest as error:
        if not any(words in error.message.lower() for words in ALREADY_DONE):
            raise


async def show(update: Update, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the message whose button was pressed, or send a new one for typed input.

    An edit cannot grow into several messages: a text over Telegram's limit goes out anew,
    in parts, and the pressed message loses its buttons.
    """
    query = update.callback_query
    if query is not None and query.message is not None and len(split_message(message)) == 1:
        await edit(query, message, markup)
    else:
        await retire_buttons(update)
        await say(update, message, markup)


async def edit(
    query: CallbackQuery, message: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show `message` in place of the pressed one; if it already reads so, leave it."""
    if query.message is None:
        return
    with unless_already_done():
        await post(
            query.get_bot(),
            "editMessageText",
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            text=message,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )


async def acknowledge(
    query: CallbackQuery, message: str | None = None, show_alert: bool = False
) -> None:
    """Answer a button press; one answered before (the same press handled again) stays so."""
    with unless_already_done():
        await query.answer(message, show_alert=show_alert)


async def send(chat: Chat, message: str, markup: object = None) -> None:
    await post(
        chat.get_bot(),
        "sendMessage",
        chat_id=chat.id,
        text=message,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )


async def say(update: Update, message: str, markup: Any = None) -> None:
    """Send a new message; a long list goes out in several, the buttons under the last."""
    if update.effective_chat is None:
        return
    parts = split_message(message)
    for number, part in enumerate(parts, start=1):
        await send(update.effective_chat, part, markup if number == len(parts) else None)


KEYBOARD_KEY = "reply_keyboard"
"""In a person's user data: a reply keyboard was offered and may still be on their screen.

Telegram shows a reply keyboard until the bot sends another or removes it, long after the
step that offered it is over, so whatever starts next must take it away."""


async def offer(
    update: Update, context: Context, message: str, keyboard: ReplyKeyboardMarkup
) -> None:
    """Send a step's reply keyboard, noting it so that what starts next can take it away."""
    if context.user_data is not None:
        context.user_data[KEYBOARD_KEY] = True
    await say(update, message, keyboard)


async def withdraw(update: Update, context: Context, message: str) -> None:
    """Send `message` taking away the reply keyboard on the person's screen."""
    await say(update, message, ReplyKeyboardRemove())
    if context.user_data is not None:
        context.user_data.pop(KEYBOARD_KEY, None)


async def present(
    update: Update,
    context: Context,
    message: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    left_over: bool = False,
) -> None:
    """Show the first message of something new, as `show` does; a reply keyboard left from
    an abandoned step (noted by `offer`, or `left_over` evidently) goes away with it.

    A message carries one markup: the keyboard's removal goes with sending it, its own
    buttons follow by an edit, so the person sees one message and no "keyboard removed".
    """
    noted = context.user_data is not None and bool(context.user_data.get(KEYBOARD_KEY))
    chat = update.effective_chat
    if not (noted or left_over) or chat is None:
        await show(update, message, markup)
        return
    await retire_buttons(update)
    parts = split_message(message)
    sent: Message | None = None
    for number, part in enumerate(parts, start=1):
        removal = ReplyKeyboardRemove() if number == 1 else None
        sent = await chat.send_message(part, parse_mode=ParseMode.HTML, reply_markup=removal)
    if context.user_data is not None:
        context.user_data.pop(KEYBOARD_KEY, None)
    if markup is not None and sent is not None:
        try:
            await post(
                chat.get_bot(),
                "editMessageReplyMarkup",
                chat_id=chat.id,
                message_id=sent.message_id,
                reply_markup=markup,
            )
        except BadRequest:
            # Buttons refused on that message: they come again with its text, never not at all.
            await send(chat, parts[-1], markup)


async def say_tracked(update: Update, message: str, markup: Any = None) -> int | None:
    """Send a short message and return its id, for `rewrite` to correct it later."""
    if update.effective_chat is None:
        return None
    sent = await update.effective_chat.send_message(
        message, parse_mode=ParseMode.HTML, reply_markup=markup
    )
    return sent.message_id


async def rewrite(update: Update, message_id: int, message: str, markup: Any = None) -> None:
    """Correct an earlier message of this chat: one answer to several updates (an album)."""
    chat = update.effective_chat
    if chat is None:
        return
    with unless_already_done():
        await post(
            chat.get_bot(),
            "editMessageText",
            chat_id=chat.id,
            message_id=message_id,
            text=message,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )


async def retire_buttons(update: Update) -> None:
    """Take the buttons off a message whose step is over, so they cannot be pressed again."""
    query = update.callback_query
    if query is not None and query.message is not None:
        with unless_already_done():
            await post(
                query.get_bot(),
                "editMessageReplyMarkup",
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
            )


def pressed(update: Update) -> CallbackQuery:
    """The pressed button's query, left unanswered until the payload has been checked."""
    if update.callback_query is None:
        raise TypeError("a button handler got an update without a button press")
    return update.callback_query


async def answered(update: Update) -> CallbackQuery | None:
    """Stop the button's loading spinner first; the reply itself may take a moment."""
    query = update.callback_query
    if query is not None:
        await acknowledge(query)
    return query


async def stale(update: Update, context: Context) -> Any:
    """A button from an older message, or a forged one: say so and stay where we are."""
    query = update.callback_query
    if query is not None:
        await acknowledge(query, text(lang_of(update, context), "stale_button"))
    return None
