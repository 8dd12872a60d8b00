"""Refuse updates from someone sending faster than flood control allows, before any handler."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.flood import Verdict
from bot.handlers.context import Context, lang_of
from bot.handlers.replies import say
from bot.messages import text


async def guard(update: Update, context: Context) -> None:
    """Let the update through, or stop it here: no handler, no write but the bucket's, at most
    one reply.

    Refused updates still count as handled. Once this has warned, further ones are refused at
    intake, before they are even parsed (`silenced` in `bot.flood`).
    """
    user = update.effective_user
    if user is None:
        return
    services = context.services
    message = update.effective_message
    album = message.media_group_id if message is not None else None
    verdict = await services.flood.admit(user.id, services.clock.now(), album)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.WARN:
        notice = text(lang_of(update, context), "slow_down")
        if update.callback_query is not None:
            await update.callback_query.answer(notice, show_alert=True)
        elif update.effective_chat is not None and update.effective_chat.type == "private":
            await say(update, notice)
    raise ApplicationHandlerStop
