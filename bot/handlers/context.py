"""What every handler needs from an update: our services and the user's language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import CallbackContext, ExtBot

from bot.i18n import Lang, preferred
from bot.services import Services

if TYPE_CHECKING:
    from bot.handlers.commands import CommandTable
    from bot.handlers.delivery import Postman

LANG_KEY = "lang"


class Context(CallbackContext[ExtBot[None], dict[str, Any], dict[Any, Any], dict[str, Any]]):
    @property
    def services(self) -> Services:
        services: Services = self.bot_data["services"]
        return services

    @property
    def postman(self) -> Postman:
        postman: Postman = self.bot_data["postman"]
        return postman

    @property
    def commands(self) -> CommandTable:
        commands: CommandTable = self.bot_data["commands"]
        return commands


def lang_of(update: Update, context: Context) -> Lang:
    """The language the user chose with /language, else their Telegram app's language."""
    chosen = context.user_data.get(LANG_KEY) if context.user_data is not None else None
    user = update.effective_user
    return preferred(chosen, user.language_code if user else None)


async def remember_user(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is not None:
        await context.services.customers.remember(
            user.id,
            user.first_name,
            user.last_name,
            user.username,
            user.language_code,
            context.services.clock.now(),
        )
