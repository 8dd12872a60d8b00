"""The one place where handlers, persistence and services are wired together."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.clock import Clock
from bot.config import Settings
from bot.handlers import bookings, common, repair
from bot.handlers.callbacks import CancelAsk, CancelConfirm, CancelKeep, LanguagePick, MenuPick
from bot.handlers.context import Context
from bot.handlers.persistence import SqlitePersistence, flush_now
from bot.i18n import Lang
from bot.messages import CATALOGUE
from bot.services import Services

log = logging.getLogger(__name__)

FLUSH_GROUP = 1
"""Runs after every other handler, so conversation state is written once it has changed."""

COMMANDS = ("start", "repair", "mybookings", "language", "help", "cancel")


def build_application(settings: Settings, services: Services) -> Application:
    application = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .context_types(ContextTypes(context=Context))
        .persistence(SqlitePersistence(services.conversations, repair.Waiting))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )
    application.bot_data["services"] = services
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    """Register handlers; within group 0 the first match wins, so order matters."""
    button = CallbackQueryHandler
    # Available at every step of a conversation, so they come before it.
    application.add_handlers(
        [
            CommandHandler("help", common.show_help),
            CommandHandler("language", common.ask_language),
            CommandHandler("mybookings", bookings.my_bookings),
            button(
                common.menu_item,
                pattern=lambda data: (
                    (pick := MenuPick.decode(data)) is not None and pick.item != "repair"
                ),
            ),
            button(common.language_chosen, pattern=LanguagePick.matches),
            button(bookings.cancel_asked, pattern=CancelAsk.matches),
            button(bookings.cancel_confirmed, pattern=CancelConfirm.matches),
            button(bookings.cancel_kept, pattern=CancelKeep.matches),
        ]
    )
    application.add_handler(repair.conversation())
    # Outside any conversation: what is left.
    application.add_handlers(
        [
            CommandHandler("start", common.start),
            CommandHandler("cancel", common.nothing_to_cancel),
            button(repair.stale),
            # Only in private chats: in a group, silence is the polite answer to chatter.
            MessageHandler(filters.ChatType.PRIVATE, common.not_understood),
        ]
    )
    application.add_handler(TypeHandler(Update, flush_now), group=FLUSH_GROUP)
    application.add_error_handler(common.on_error)


async def publish_commands(application: Application) -> None:
    """Fill Telegram's command menu in both languages."""
    for lang in Lang:
        commands = [BotCommand(name, CATALOGUE[f"cmd_{name}"][lang]) for name in COMMANDS]
        await application.bot.set_my_commands(
            commands, language_code=None if lang is Lang.EN else lang.value
        )


@asynccontextmanager
async def running_bot(settings: Settings, clock: Clock) -> AsyncIterator[Application]:
    """Open the services, start long polling, and close everything in reverse on exit."""
    services = await Services.open(settings, clock)
    try:
        application = build_application(settings, services)
        async with application:
            await publish_commands(application)
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(
                poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES
            )
            log.info("Bot @%s is polling for updates", application.bot.username)
            try:
                yield application
            finally:
                await application.updater.stop()
                await application.stop()
    finally:
        await services.close()
