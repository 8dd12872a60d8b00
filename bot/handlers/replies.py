"""Small ways of answering: edit the pressed message, send a new one, or say a button is stale."""

from __future__ import annotations

from typing import Any

from telegram import Bot, CallbackQuery, Chat, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.handlers.context import Context, lang_of
from bot.message_length import split_message
from bot.messages import text


async def post(bot: Bot, method: str, **params: object) -> None:
    """Call a Bot API method whose answer (the message as sent or edited) is never read.

    The library turns every such answer into a `Message`, which costs more CPU than most of
    the rest of handling a tap; here it is dropped unparsed. Errors are raised as usual.
    Method names are case-insensitive in the Bot API; the lower-case spelling tells the
    library that this is meant, not a method it has a wrapper for.
    """
    given = {key: value for key, value in params.items() if value is not None}
    await bot.do_api_request(method.lower(), api_kwargs=given)


async def show(update: Update, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the message whose button was pressed, or send a new one for typed input.

    An edit cannot grow into several messages: a text over Telegram's limit goes out anew,
    in parts, and the pressed message loses its buttons.
    """
    query = update.callback_query
    if query is not None and query.message is not None and len(split_message(message)) == 1:
        await post(
            query.get_bot(),
            "editMessageText",
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            text=message,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    else:
        await retire_buttons(update)
        await say(update, message, markup)


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


async def retire_buttons(update: Update) -> None:
    """Take the buttons off a message whose step is over, so they cannot be pressed again."""
    query = update.callback_query
    if query is not None and query.message is not None:
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
        await query.answer()
    return query


async def stale(update: Update, context: Context) -> Any:
    """A button from an older message, or a forged one: say so and stay where we are."""
    query = update.callback_query
    if query is not None:
        await query.answer(text(lang_of(update, context), "stale_button"), show_alert=False)
    return None
