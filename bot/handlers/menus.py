"""Telegram's command menu: each person sees the commands of their role.

The default menu is set for each language Telegram apps report, so a customer sees it in
their app's language. Staff, head office, and anyone who chose a language with /language get
a menu scoped to their own chat, refreshed whenever their role or language changes; the menus
of staff and head office are also refreshed at every start.
"""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.handlers.context import Context
from bot.i18n import Lang, language_for, preferred
from bot.messages import CATALOGUE
from bot.roles import Role
from bot.services import Services

CUSTOMER_COMMANDS = (
    "start",
    "repair",
    "mybookings",
    "status",
    "ask",
    "language",
    "help",
    "cancel",
)
STAFF_COMMANDS = (
    "today",
    "jobs",
    "job",
    "setstatus",
    "eta",
    "quote",
    "walkin",
    "scorecard",
    "help",
)
HEAD_OFFICE_COMMANDS = (
    "questions",
    "jobs",
    "job",
    "setstatus",
    "eta",
    "quote",
    "workshops",
    "stats",
    "scorecard",
    "treestats",
    "overdue",
    "export",
    "staff",
    "addstaff",
    "removestaff",
    "addadmin",
    "removeadmin",
    "broadcast",
    "broadcast_workshop",
    "broadcast_category",
    "broadcast_at",
    "broadcasts",
    "broadcast_cancel",
    "help",
)
log = logging.getLogger(__name__)

ROLE_COMMANDS = {
    Role.CUSTOMER: CUSTOMER_COMMANDS,
    Role.STAFF: STAFF_COMMANDS,
    Role.HEAD_OFFICE: HEAD_OFFICE_COMMANDS,
}


MENU_LANGUAGES: tuple[str | None, ...] = (None, Lang.EN.value, Lang.RU.value)
"""Telegram shows the list set for the app's language, else the one set without a language."""


def commands(role: Role, lang: Lang) -> list[BotCommand]:
    return [BotCommand(name, CATALOGUE[f"cmd_{name}"][lang]) for name in ROLE_COMMANDS[role]]


async def publish_default_menu(application: Application) -> None:
    for code in MENU_LANGUAGES:
        await application.bot.set_my_commands(
            commands(Role.CUSTOMER, language_for(code)), language_code=code
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
                    commands(role, preferred(chosen, code)), scope=scope, language_code=code
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
