"""A fake Telegram Bot API for tests, benchmarks and local emulation of the bot.

``FakeBotApi`` is the server python-telegram-bot talks to; ``FakeUser`` plays the humans.
Plain aiohttp + stdlib on purpose: the fake must not share code (or bugs) with the client.
"""

from bot.fake_telegram.server import (
    DEFAULT_TOKEN,
    ApiCall,
    ApiError,
    CallbackAnswer,
    FakeBotApi,
    UploadedFile,
    parse_html,
)
from bot.fake_telegram.users import OWN_ID, FakeUser

__all__ = [
    "DEFAULT_TOKEN",
    "OWN_ID",
    "ApiCall",
    "ApiError",
    "CallbackAnswer",
    "FakeBotApi",
    "FakeUser",
    "UploadedFile",
    "parse_html",
]
