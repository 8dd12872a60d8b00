"""Telegram's command menu: each person sees the commands of their role.

Customers get the default menu; staff and head office get a menu scoped to their own chat,
refreshed whenever their role changes and at every start.
"""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application

from bot.handlers.context import Context
from bot.i18n import Lang
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
STAFF_COMMANDS = ("today", "jobs", "job", "setstatus", "eta", "quote", "walkin", "help")
HEAD_OFFICE_COMMANDS = (
    "questions",
    "jobs",
    "job",
    "setstatus",
    "eta",
    "quote",
    "workshops",
    "stats",
    "overdue",
    "export",
    "staff",
    "addstaff",
    "removestaff",
    "addadmin",
    "removeadmin",
    "help",
)
ROLE_COMMANDS = {
    Role.CUSTOMER: CUSTOMER_COMMANDS,
    Role.STAFF: STAFF_COMMANDS,
    Role.HEAD_OFFICE: HEAD_OFFICE_COMMANDS,
}


def commands(role: Role, lang: Lang) -> list[BotCommand]:
    return [BotCommand(name, CATALOGUE[f"cmd_{name}"][lang]) for name in ROLE_COMMANDS[role]]


async def publish_default_menu(application: Application) -> None:
    for lang in Lang:
        await application.bot.set_my_commands(
            commands(Role.CUSTOMER, lang), language_code=None if lang is Lang.EN else lang.value
        )


async def publish_menu(application: Application, services: Services, user_id: int) -> None:
    """Scope the menu to this person's chat, or drop the scope when they are a customer."""
    role = (await services.access.who(user_id)).role
    scope = BotCommandScopeChat(user_id)
    try:
        for lang in Lang:
            language = None if lang is Lang.EN else lang.value
            if role is Role.CUSTOMER:
                await application.bot.delete_my_commands(scope=scope, language_code=language)
            else:
                await application.bot.set_my_commands(
                    commands(role, lang), scope=scope, language_code=language
                )
    except (BadRequest, Forbidden):
        # Telegram refuses a chat scope for someone who never opened the bot; their
        # menu is set the next time the bot starts after they have.
        return


async def publish_menu_for(context: Context, user_id: int) -> None:
    await publish_menu(context.application, context.services, user_id)


async def publish_all_menus(application: Application, services: Services) -> None:
    await publish_default_menu(application)
    people = await services.access.head_office_ids() | {
        user_id for user_id, _ in await services.access.staff()
    }
    for user_id in sorted(people):
        await publish_menu(application, services, user_id)
