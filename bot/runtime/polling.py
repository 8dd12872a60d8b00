"""Long polling into the inbox: each batch is stored, then acknowledged with the next poll.

Telegram counts a batch as delivered once getUpdates is asked for the offset past it. The
batch is stored in the inbox first (`bot.runtime.intake`), so whatever is acknowledged is
never lost, and the poller never waits for handling: the next poll goes out at once.

The bot must never go deaf while it looks alive: every error of a poll is logged and the poll
tried again, after Telegram's ``retry_after`` or a capped exponential back-off; a batch that
could not be stored is not acknowledged, so Telegram offers it again. Only a token Telegram
rejects ends polling, and whatever ends it, other than `stop`, is reported to ``on_fatal`` so
the process can exit and a supervisor see it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import EndPointNotFound, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application

from bot.runtime.intake import Intake
from bot.runtime.rate_limit import retry_seconds

log = logging.getLogger(__name__)

LONG_POLL = 10
READ_MARGIN = 5
"""Seconds of read timeout beyond the long poll, for the network."""
BATCH = 100
GAP = 0.01
"""After a batch that was not full, the least time from one poll to the next: over a fast
network, polling at once would fetch one update at a time, each with a poll and a write of
its own; over a slow one a poll takes longer than this, and the next one goes at once."""
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0
TOKEN_REJECTED = "Telegram rejected BOT_TOKEN while polling; the bot stops"

Sleep = Callable[[float], Awaitable[None]]
OnFatal = Callable[[BaseException], None]


class PollingStopped(Exception):
    """Polling ended though nobody asked it to: the bot would be deaf, so the process ends."""


class BadAnswer(Exception):
    """getUpdates answered with something that is not a list of updates."""


class Poller:
    def __init__(
        self,
        application: Application,
        intake: Intake,
        sleep: Sleep = asyncio.sleep,
        on_fatal: OnFatal | None = None,
    ) -> None:
        self._application = application
        self._intake = intake
        self._sleep = sleep
        self._on_fatal = on_fatal
        self._offset = 0
        """The next offset to ask for: everything below it is stored (0: nothing yet)."""
        self._running = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._application.bot.delete_webhook()
        self._running = True
        self._task = asyncio.create_task(self._loop(), name="poller")
        self._task.add_done_callback(self._ended)

    async def stop(self) -> None:
        """Stop asking for updates; those already stored are still being handled.

        Never raises, even after polling ended on an error: shutting down must go on.
        """
        self._running = False
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])

    def _ended(self, task: asyncio.Task[None]) -> None:
        """Whatever ended the loop, unless `stop` did: logged, and reported as fatal."""
        if not self._running:
            return
        self._running = False
        error = None if task.cancelled() else task.exception()
        reason: BaseException
        if isinstance(error, InvalidToken):
            log.critical(TOKEN_REJECTED)
            reason = error
        else:
            log.critical("Polling stopped unexpectedly; the bot stops", exc_info=error)
            reason = PollingStopped(f"polling stopped unexpectedly: {error!r}")
        if self._on_fatal is not None:
            self._on_fatal(reason)

    async def confirm(self) -> None:
        """Acknowledge the last stored batch, so the next start does not download it again."""
        if self._offset:
            with contextlib.suppress(TelegramError):
                await self._application.bot.get_updates(offset=self._offset, timeout=0, limit=1)

    async def _loop(self) -> None:
        """Poll until stopped; only a rejected token ends it (raising `InvalidToken`)."""
        backoff = FIRST_BACKOFF
        while self._running:
            try:
                await self._poll()
            except (InvalidToken, EndPointNotFound):
                # Once the bot is initialised the library reports 401 and 404 on a method
                # it knows as EndPointNotFound; getUpdates exists, so the token is refused.
                raise InvalidToken(TOKEN_REJECTED) from None
            except RetryAfter as error:
                wait = retry_seconds(error)
                log.warning("getUpdates: Telegram asks to wait %.0f s; waiting", wait)
                await self._sleep(wait)
            except TelegramError as error:
                log.warning("getUpdates failed (%s); retrying in %.0f s", error, backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            except Exception:
                log.exception("Polling failed; retrying in %.0f s", backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            else:
                backoff = FIRST_BACKOFF

    async def _poll(self) -> None:
        """Ask for updates once (acknowledging the previous batch) and store what came."""
        sent = asyncio.get_running_loop().time()
        # Raw JSON: the inbox stores it as it came, and an update is parsed only if it is new.
        # Method names are case-insensitive in the Bot API; the lower-case spelling tells the
        # library that we mean it.
        raw = await self._application.bot.do_api_request(
            "getupdates",
            api_kwargs={
                "offset": self._offset,
                "timeout": LONG_POLL,
                "limit": BATCH,
                "allowed_updates": Update.ALL_TYPES,
            },
            read_timeout=LONG_POLL + READ_MARGIN,
        )
        items = self._readable(raw)
        if items:
            await self._intake.receive(items)
            self._offset = max(item["update_id"] for item in items) + 1
            left = sent + GAP - asyncio.get_running_loop().time()
            if len(items) < BATCH and left > 0:
                await asyncio.sleep(left)

    @staticmethod
    def _readable(raw: object) -> list[dict[str, Any]]:
        """The updates of an answer that carry an id; the others cannot even be acknowledged.

        An answer with nothing usable in it counts as a failed poll (retried with back-off),
        so Telegram answering nonsense at once does not make the loop spin.
        """
        if not isinstance(raw, list):
            raise BadAnswer(f"getUpdates answered {type(raw).__name__}, not a list")
        items = []
        for item in raw:
            if isinstance(item, dict) and type(item.get("update_id")) is int:
                items.append(item)
            else:
                log.error("getUpdates returned an update without an id; skipped: %.200r", item)
        if raw and not items:
            raise BadAnswer("getUpdates answered no update with an id")
        return items
