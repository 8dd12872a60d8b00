"""Greeting, help, language, and the answers for anything no other handler took."""

from __future__ import annotations

import logging

from telegram import Update

from bot.handlers import keyboards
from bot.handlers.callbacks import LanguagePick, MenuPick
from bot.handlers.context import LANG_KEY, Context, lang_of, remember_user
from bot.handlers.menus import publish_menu_for
from bot.handlers.replies import acknowledge, answered, edit, present, say, stale
from bot.handlers.ticket_views import category_title, workshop_title
from bot.messages import text
from bot.roles import Role
from bot.storage.tickets import TicketRecord

log = logging.getLogger(__name__)


SEEN_KEY = "seen"


async def note_visitor(update: Update, context: Context) -> None:
    """Keep the customer list current (broadcasts reach everyone who talked to the bot),
    writing at most once a day per person."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != "private" or context.user_data is None:
        return
    today = context.services.clock.now().date().isoformat()
    if context.user_data.get(SEEN_KEY) != today:
        await remember_user(update, context)
        context.user_data[SEEN_KEY] = today


async def start(update: Update, context: Context) -> None:
    """Greet and show the main menu (`/start <token>` of a walk-in receipt is the repair
    conversation's: it claims the ticket and asks about the fault)."""
    await remember_user(update, context)
    lang = lang_of(update, context)
    user = update.effective_user
    assert user is not None
    greeting = text(lang, "greeting", name=user.first_name)
    await present(update, context, greeting, keyboards.main_menu(lang))


async def claim(update: Update, context: Context, token: str) -> TicketRecord | None:
    """Bind a walk-in ticket to the person who opened its link, and tell them."""
    await remember_user(update, context)
    lang = lang_of(update, context)
    user = update.effective_user
    assert user is not None
    ticket = await context.services.desk.claim(user.id, token[:64], update.update_id)
    if ticket is None:
        await say(update, text(lang, "claim_invalid"))
        return None
    await say(
        update,
        text(
            lang,
            "claimed",
            code=ticket.code,
            category=category_title(context.services, lang, ticket.category),
            workshop=workshop_title(context.services, lang, ticket.workshop_code),
        ),
    )
    return ticket


async def show_help(update: Update, context: Context) -> None:
    """Explain every command this person's role may use."""
    await answered(update)
    user = update.effective_user
    role = (await context.services.access.who(user.id)).role if user else Role.CUSTOMER
    await say(update, context.commands.help(role, lang_of(update, context)))


async def ask_language(update: Update, context: Context) -> None:
    """Offer the languages the bot speaks."""
    await answered(update)
    await say(update, text(lang_of(update, context), "choose_language"), keyboards.languages())


async def language_chosen(update: Update, context: Context) -> None:
    """Remember the language for this person, in their data, on their customer record and in
    their command menu."""
    query = update.callback_query
    assert query is not None
    payload = LanguagePick.decode(query.data)
    if payload is None:
        await stale(update, context)
        return
    await acknowledge(query)
    await remember_user(update, context)
    if context.user_data is not None:
        context.user_data[LANG_KEY] = payload.lang.value
    await context.services.customers.set_language(query.from_user.id, payload.lang.value)
    await edit(query, text(payload.lang, "language_set"))
    await say(
        update,
        text(payload.lang, "greeting", name=query.from_user.first_name),
        keyboards.main_menu(payload.lang),
    )
    await publish_menu_for(context, query.from_user.id)


async def menu_item(update: Update, context: Context) -> None:
    """Menu buttons other than "Report a fault", which opens the repair conversation."""
    from bot.handlers.bookings import my_bookings

    payload = MenuPick.decode(update.callback_query.data if update.callback_query else None)
    if payload is None:
        await stale(update, context)
    elif payload.item == "bookings":
        await my_bookings(update, context)
    elif payload.item == "language":
        await ask_language(update, context)
    else:
        await show_help(update, context)


async def nothing_to_cancel(update: Update, context: Context) -> None:
    await present(update, context, text(lang_of(update, context), "nothing_to_cancel"))


async def not_understood(update: Update, context: Context) -> None:
    """Anything outside a conversation that no command took: point to what works."""
    message = update.effective_message
    lang = lang_of(update, context)
    if message is not None and message.text and message.text.startswith("/"):
        command = message.text.split()[0][:40]
        await say(update, text(lang, "unknown_command", command=command))
    else:
        await say(update, text(lang, "unknown_input"))


async def on_error(update: object, context: Context) -> None:
    """Log with the traceback and tell the user something went wrong, never leave silence."""
    if not isinstance(update, Update):
        log.error("Error outside any update", exc_info=context.error)
        return
    log.error("Error while handling update %d", update.update_id, exc_info=context.error)
    lang = lang_of(update, context)
    try:
        # A message rather than a button toast: the button may already have been answered.
        if update.effective_chat is not None:
            await update.effective_chat.send_message(text(lang, "error"))
    except Exception:
        log.exception("Could not tell the user about the error")
