"""Telegram's command menu: each person sees the commands of their role, as the command
table (`bot.handlers.commands`) declares them.

The default menu is set for each language Telegram apps report, so a customer sees it in
their app's language. Staff, head office, and anyone who chose a language with /language get
a menu scoped to their own chat, refreshed whenever their role or language changes; the menus
of staff and head office are also refreshed at every start.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import BotCommandScopeChat
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.handlers.context import Context
from bot.i18n import Lang, language_for, preferred
from bot.roles import Role
from bot.services import Services

if TYPE_CHECKING:
    from bot.handlers.commands import CommandTable

log = logging.getLogger(__name__)

MENU_LANGUAGES: tuple[str | None, ...] = (None, Lang.EN.value, Lang.RU.value)
"""Telegram shows the list set for the app's language, else the one set without a language."""


def table_of(application: Application) -> CommandTable:
    """The table is handed over in `bot_data`: it names the handlers, and they publish menus."""
    table: CommandTable = application.bot_data["commands"]
    return table


async def publish_default_menu(application: Application) -> None:
    for code in MENU_LANGUAGES:
        await application.bot.set_my_commands(
            table_of(application).menu(Role.CUSTOMER, language_for(code)), language_code=code
        )


async def publish_menu(application: Application, services: Services, user_id: int) -> None:
    """Scope the menu to this person's chat, in the language they chose for every app
    language; a customer who chose none gets the default menu back."""
    role = (await services.access.who(user_id)).role
    chosen, _ = await services.customers.languages(user_id)
    scope = BotCommandScopeChat(user_id)
    try:
        for code in MENU_LANGUAGES:
            if role is Role.CUSTOMER and chosen is None:
                await application.bot.delete_my_commands(scope=scope, language_code=code)
            else:
                await application.bot.set_my_commands(
                    table_of(application).menu(role, preferred(chosen, code)),
                    scope=scope,
                    language_code=code,
                )
    except (BadRequest, Forbidden):
        # Telegram refuses a chat scope for someone who never opened the bot; their
        # menu is set the next time the bot starts after they have.
        return
    except TelegramError as error:
        # What the person did (a role, a language) stands; only the menu lags behind
        # until the next change, or the next start for staff and head office.
        log.warning("The command menu of %s was not published: %s", user_id, error)


async def publish_menu_for(context: Context, user_id: int) -> None:
    await publish_menu(context.application, context.services, user_id)


async def publish_all_menus(application: Application, services: Services) -> None:
    await publish_default_menu(application)
    people = await services.access.head_office_ids() | {
        user_id for user_id, _ in await services.access.staff()
    }
    for user_id in sorted(people):
        await publish_menu(application, services, user_id)
