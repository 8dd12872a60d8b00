"""Rights checked server-side on every command and button press, never read off a keyboard,
and the chats the bot serves: private ones only, never a group or a channel."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.handlers import keyboards
from bot.handlers.context import Context, lang_of
from bot.handlers.replies import acknowledge, say
from bot.messages import label, text
from bot.roles import Principal, Role

Guarded = Callable[[Update, Context, Principal], Awaitable[Any]]


def requires(*roles: Role) -> Callable[[Guarded], Callable[[Update, Context], Awaitable[Any]]]:
    """Run the handler only for these roles; anyone else gets a refusal that reveals nothing."""

    def decorate(handler: Guarded) -> Callable[[Update, Context], Awaitable[Any]]:
        @functools.wraps(handler)
        async def guarded(update: Update, context: Context) -> Any:
            user = update.effective_user
            if user is None:
                return None
            who = await context.services.access.who(user.id)
            if who.role not in roles:
                await refuse(update, context)
                return None
            return await handler(update, context, who)

        return guarded

    return decorate


async def refuse(update: Update, context: Context) -> None:
    refusal = text(lang_of(update, context), "not_allowed")
    if update.callback_query is not None:
        await acknowledge(update.callback_query, refusal, show_alert=True)
    else:
        await say(update, refusal)


STAFF_OR_HEAD_OFFICE = (Role.STAFF, Role.HEAD_OFFICE)


FROM_GROUP = "group"
"""The `/start` payload of the link a group chat is given: a plain start, never a claim."""


async def drop_edit(update: Update, context: Context) -> None:
    """Stop an edited message: it corrects an old one, it is never a new command or answer."""
    raise ApplicationHandlerStop


async def write_privately(update: Update, context: Context) -> None:
    """Answer a command in a group with a link to a private chat, and nothing of the person's.

    A message sent on behalf of a chat (an anonymous admin, a channel) has nobody to invite.
    """
    message = update.effective_message
    if update.effective_user is not None and message is not None and message.sender_chat is None:
        lang = lang_of(update, context)
        url = f"https://t.me/{context.bot.username}?start={FROM_GROUP}"
        await say(
            update,
            text(lang, "private_only"),
            keyboards.link(label(lang, "btn_write_privately"), url),
        )
    raise ApplicationHandlerStop


async def private_only(update: Update, context: Context) -> None:
    """Let only private chats past: in a group a button gets a toast, anything else silence."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    if update.callback_query is not None:
        await update.callback_query.answer(text(lang_of(update, context), "private_only_button"))
    raise ApplicationHandlerStop
