"""Rights checked server-side on every command and button press, never read off a keyboard."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.handlers.context import Context, lang_of
from bot.handlers.replies import acknowledge, say
from bot.messages import text
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
