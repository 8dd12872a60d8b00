"""Long polling that acknowledges an update only once it has been handled.

The library's updater confirms updates to Telegram (the next `getUpdates` offset) as soon as
they are queued, so a crash loses everything received but not yet handled. Here the offset
only moves past an update once its handling finished; with concurrent handling, up to the
oldest update still in flight. Handled update ids are also written to the database, so one
that Telegram delivers again after a crash is recognised and not applied twice.

While updates are in flight Telegram keeps returning them; those are skipped, and if a poll
brought nothing new, the poller waits for some handling to finish before asking again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.clock import Clock
from bot.storage.updates import ProcessedUpdates

log = logging.getLogger(__name__)

LONG_POLL = 10
READ_MARGIN = 5
"""Seconds of read timeout beyond the long poll, for the network."""
BATCH = 100
COALESCE = 0.01
PRUNE_EVERY = 1000
MAX_BACKOFF = 30.0


class Poller:
    def __init__(self, application: Application, processed: ProcessedUpdates, clock: Clock) -> None:
        self._application = application
        self._processed = processed
        self._clock = clock
        self._in_flight: set[int] = set()
        self._handled: set[int] = set()
        self._max_seen = 0
        self._progress = asyncio.Event()
        self._running = False
        self._task: asyncio.Task[None] | None = None
        self._marked = 0

    @property
    def ack_offset(self) -> int:
        """The next offset to send: everything below it has been handled."""
        return min(self._in_flight) if self._in_flight else self._max_seen + 1

    async def start(self) -> None:
        await self._application.bot.delete_webhook()
        self._running = True
        self._task = asyncio.create_task(self._loop(), name="poller")

    async def stop(self) -> None:
        """Stop asking for updates; those already received are still being handled."""
        self._running = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def confirm(self) -> None:
        """Tell Telegram what has been handled, once handling has stopped."""
        if self._max_seen:
            with contextlib.suppress(TelegramError):
                await self._application.bot.get_updates(offset=self.ack_offset, timeout=0, limit=1)

    async def handled(self, update: object) -> None:
        """Called by the update processor when an update's handling has finished."""
        if not isinstance(update, Update):
            return
        await self._processed.mark(update.update_id, self._clock.now())
        self._in_flight.discard(update.update_id)
        self._handled.add(update.update_id)
        self._progress.set()
        self._marked += 1
        if self._marked % PRUNE_EVERY == 0:
            await self._processed.prune()

    async def _loop(self) -> None:
        backoff = 1.0
        while self._running:
            self._progress.clear()
            timeout = 0 if self._in_flight else LONG_POLL
            try:
                # Raw JSON, to parse only updates not seen yet. Method names are case-insensitive
                # in the Bot API; the lower-case spelling tells the library that we mean it.
                raw = await self._application.bot.do_api_request(
                    "getupdates",
                    api_kwargs={
                        "offset": self.ack_offset,
                        "timeout": timeout,
                        "limit": BATCH,
                        "allowed_updates": Update.ALL_TYPES,
                    },
                    read_timeout=timeout + READ_MARGIN,
                )
            except InvalidToken:
                log.critical("Telegram refused the bot token; polling stops")
                raise
            except (NetworkError, Conflict) as error:
                log.warning("getUpdates failed (%s); retrying in %.0f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 1.0
            fresh = await self._fresh(raw if isinstance(raw, list) else [])
            for update in fresh:
                self._in_flight.add(update.update_id)
                await self._application.update_queue.put(update)
            self._forget_confirmed()
            if self._in_flight:
                # Asking again at once would only bring back the updates in flight: wait
                # until one is done, and a moment more so one poll covers several.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._progress.wait(), timeout=1.0)
                await asyncio.sleep(COALESCE)

    async def _fresh(self, raw: list[dict[str, Any]]) -> list[Update]:
        """Updates neither in flight nor handled before, in this run or an earlier one.

        Only these are parsed: the ones in flight come back with every poll until they are
        done, and parsing them again each time would cost more than handling them.
        """
        ids = [item["update_id"] for item in raw if isinstance(item.get("update_id"), int)]
        if ids:
            self._max_seen = max(self._max_seen, *ids)
        unseen = [i for i in ids if i not in self._in_flight and i not in self._handled]
        done_before = await self._processed.handled_among(unseen)
        self._handled |= done_before
        wanted = set(unseen) - done_before
        bot = self._application.bot
        return [
            update
            for item in raw
            if item.get("update_id") in wanted and (update := Update.de_json(item, bot))
        ]

    def _forget_confirmed(self) -> None:
        floor = self.ack_offset
        self._handled = {update_id for update_id in self._handled if update_id >= floor}
