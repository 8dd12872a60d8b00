"""The library's rate-limiter hook, with two lanes: replies never wait, bulk sends are paced.

The library's own `AIORateLimiter` queues every request behind one overall limiter, so a
running broadcast would hold up the reply to someone's /start; this one does not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.pacing import Pacer

BULK: dict[str, bool] = {"bulk": True}
"""Pass as `rate_limit_args` on sends that may wait for the overall limit: the outbox."""

BROADCAST: dict[str, bool] = {"bulk": True, "per_chat": True}
"""Sends that also keep to one a second per chat: broadcasts."""

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


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait, whichever type the library gives it in."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class TwoLaneRateLimiter(BaseRateLimiter[dict[str, bool]]):
    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer

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
        if endpoint.lower() in SENDS:
            if rate_limit_args and rate_limit_args.get("bulk"):
                await self.pacer.wait_turn(chat, per_chat=rate_limit_args.get("per_chat", False))
            else:
                self.pacer.note(chat)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as error:
            seconds = retry_seconds(error)
            self.pacer.pause(seconds)
            bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
            if bulk or endpoint.lower() in RETRIES_ITSELF:
                raise
            # A reply is worth a short wait rather than being lost: try it once more.
            await asyncio.sleep(seconds)
            return await callback(*args, **kwargs)
