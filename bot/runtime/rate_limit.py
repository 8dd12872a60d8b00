"""The library's rate-limiter hook, with two lanes: replies never wait, bulk sends are paced.

The library's own `AIORateLimiter` queues every request behind one overall limiter, so a
running broadcast would hold up the reply to someone's /start; this one does not.

When Telegram answers a reply with "retry after", only that chat waits. A reply whose answer
is never read is not waited for at all: it is handed to the outbox, due when the wait is
over, and the update is done. Waiting inside the update would hold one of the few slots of
updates handled at once, and that chat's next updates, for the whole wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import TelegramObject
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.pacing import Pacer

BULK: dict[str, bool] = {"bulk": True}
"""Pass as `rate_limit_args` on sends that may wait for the overall limit: the outbox."""

BROADCAST: dict[str, bool] = {"bulk": True, "per_chat": True}
"""Sends that also keep to one a second per chat: broadcasts."""

UNREAD: dict[str, bool] = {"unread": True}
"""Pass on replies whose answer is never read: if Telegram says "retry after", they may be
sent later from the outbox instead of being waited for."""

DEFERRABLE = frozenset({"sendmessage", "editmessagetext", "editmessagereplymarkup"})
"""Methods a reply may be made with later: a message or an edit, not a button's answer,
which Telegram only takes within seconds of the press."""

Defer = Callable[[int, str, dict[str, Any], float], Awaitable[None]]
"""Queue a call (method, parameters) for a chat, to be made after this many seconds."""

SENDS = frozenset(
    name.lower()
    for name in (
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVenue",
        "sendLocation",
        "sendContact",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "sendMediaGroup",
    )
)
"""Lower-cased: Bot API method names are case-insensitive, and some calls spell them so."""

RETRIES_ITSELF = frozenset({"getupdates"})
"""The poller waits out a "retry after" on its own, with a sleep tests can drive."""


def lane_of(rate_limit_args: dict[str, bool] | None) -> str:
    """``reply``, ``outbox`` or ``broadcast``: who sent a message, read off its limits."""
    if not rate_limit_args or not rate_limit_args.get("bulk"):
        return "reply"
    return "broadcast" if rate_limit_args.get("per_chat") else "outbox"


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait, whichever type the library gives it in."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class TwoLaneRateLimiter(BaseRateLimiter[dict[str, bool]]):
    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer
        self.defer: Defer | None = None
        """Set once the outbox exists; without it, a held reply waits in its own update."""
        self.sent: Callable[[str], None] | None = None
        """Told the lane of each message Telegram took, for the metrics."""

    async def initialize(self) -> None:
        """Nothing to set up: the pacer lives as long as the application."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, bool] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        chat = chat_id if isinstance(chat_id, int) else None
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        deferrable = (
            chat is not None
            and self.defer is not None
            and bool(rate_limit_args and rate_limit_args.get("unread"))
            and endpoint.lower() in DEFERRABLE
        )
        if not bulk and (held := self.pacer.held_for(chat)) > 0:
            # Behind an earlier reply Telegram made this chat wait for: keep their order.
            if deferrable:
                return await self._defer(chat, endpoint, data, held)
            await asyncio.sleep(held)
        if endpoint.lower() in SENDS:
            if bulk:
                await self.pacer.wait_turn(chat, per_chat=rate_limit_args.get("per_chat", False))
            else:
                self.pacer.note(chat)
        try:
            result = await callback(*args, **kwargs)
        except RetryAfter as error:
            seconds = retry_seconds(error)
            if bulk:
                # Bulk sends keep to the limits, so a 429 there most likely means the bot as a
                # whole went over: the bulk lane pauses, replies do not.
                self.pacer.pause(seconds)
                raise
            if endpoint.lower() in RETRIES_ITSELF:
                raise
            # A 429 on a reply holds that chat only. Telegram does not say whether a wait is
            # for the chat or for the whole bot; if it is bot-wide, the other chats' replies
            # get their own 429s and are held (and deferred) in turn, so nothing is lost,
            # while guessing "bot-wide" from one answer would stop every customer's reply.
            if chat is not None:
                self.pacer.hold(chat, seconds)
            if deferrable:
                return await self._defer(chat, endpoint, data, seconds)
            # A reply whose answer is read is worth a short wait rather than being lost.
            await asyncio.sleep(seconds)
            result = await callback(*args, **kwargs)
        if self.sent is not None and endpoint.lower() in SENDS:
            self.sent(lane_of(rate_limit_args))
        return result

    async def _defer(
        self, chat: int | None, endpoint: str, data: dict[str, Any], seconds: float
    ) -> bool:
        """Hand a refused reply to the outbox; its answer is never read, so True will do."""
        assert chat is not None and self.defer is not None
        params = {
            key: value.to_dict() if isinstance(value, TelegramObject) else value
            for key, value in data.items()
            if key != "chat_id"
        }
        await self.defer(chat, endpoint.lower(), params, seconds)
        return True
