"""Buttons of a reply keyboard whose step is over.

Telegram keeps showing a reply keyboard until the bot sends another or removes it, and its
buttons send plain messages: a label, a city, a location or a contact. Whatever comes from
one when no step waits for it must lead somewhere: `✖️ Exit` exits, anything else starts
nothing and shows the main menu, and the keyboard goes away.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import filters

from bot.handlers import keyboards
from bot.handlers.context import Context, lang_of
from bot.handlers.replies import present
from bot.i18n import variants
from bot.messages import all_labels, text
from bot.workshops import Network

LABELS = frozenset(
    all_labels("btn_exit")
    | all_labels("btn_back")
    | all_labels("btn_skip")
    | all_labels("btn_send_location")
    | all_labels("btn_share_phone")
)
"""Every text button of the reply keyboards in `keyboards` (location and phone steps)."""

def is_exit(message: Message | None) -> bool:
    return message is not None and (message.text or "").strip() in all_labels("btn_exit")


class FromReplyKeyboard(filters.MessageFilter):
    """What a button of one of our reply keyboards sends: a label, a city of the network,
    a location or a contact."""

    def __init__(self, network: Network) -> None:
        super().__init__(name="FromReplyKeyboard")
        cities = {name for shop in network.workshops.values() for name in variants(shop.city)}
        self._texts = LABELS | cities

    def filter(self, message: Message) -> bool:
        if message.location is not None or message.contact is not None:
            return True
        return message.text is not None and message.text.strip() in self._texts


async def left_over(update: Update, context: Context) -> None:
    """A reply-keyboard button of no current step: show the main menu without the keyboard."""
    lang = lang_of(update, context)
    key = "left" if is_exit(update.effective_message) else "keyboard_left_over"
    await present(update, context, text(lang, key), keyboards.main_menu(lang), left_over=True)
