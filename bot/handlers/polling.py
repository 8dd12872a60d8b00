"""Long polling that acknowledges an update only once it has been handled.

The library's updater confirms updates to Telegram (the next `getUpdates` offset) as soon as
they are queued, so a crash loses everything received but not yet handled. Here the offset
only moves past an update once its handling finished; with concurrent handling, up to the
oldest update still in flight. Handled update ids are also written to the database, so one
that Telegram delivers again after a crash is recognised and not applied twice.

While updates are in flight Telegram keeps returning them, and answers at once instead of
holding a long poll; those are skipped, not parsed again. Telegram shows at most a hundred
updates from the offset on, so when an answer was full, nothing new can appear until the
oldest updates in flight are done: the poller waits until a quarter of that window has
cleared (or a moment, if fewer), rather than downloading the same hundred again and again.

Updates from someone the flood guard has already silenced are recorded as handled without
being parsed or dispatched (see `bot.flood`).
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
from bot.flood import FloodGuard
from bot.storage.updates import ProcessedUpdates

log = logging.getLogger(__name__)

LONG_POLL = 10
READ_MARGIN = 5
"""Seconds of read timeout beyond the long poll, for the network."""
BATCH = 100
REFILL = BATCH // 4
"""After a full answer, ask again once the offset has moved this far..."""
REFILL_WAIT = 0.05
"""...or, if it has moved at all, once this many seconds have passed since that poll was sent
(over a slow network, at once) or few are left to do."""
GAP = 0.01
"""While updates are in flight and answers have room to spare, the least time from one poll
to the next: over a slow network a poll takes longer than this, and the next one goes at once."""
PRUNE_EVERY = 1000
MAX_BACKOFF = 30.0


class Poller:
    def __init__(
        self,
        application: Application,
        processed: ProcessedUpdates,
        clock: Clock,
        flood: FloodGuard,
    ) -> None:
        self._application = application
        self._processed = processed
        self._clock = clock
        self._flood = flood
        self._in_flight: set[int] = set()
        self._handled: set[int] = set()
        self._max_seen = 0
        self._progress = asyncio.Event()
        self._running = False
        self._task: asyncio.Task[None] | None = None
        self._marked = 0
        self._unmarked: list[int] = []
        self._marking: asyncio.Task[None] | None = None

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
        if self._marking is not None:
            await self._marking
        if self._max_seen:
            with contextlib.suppress(TelegramError):
                await self._application.bot.get_updates(offset=self.ack_offset, timeout=0, limit=1)

    async def handled(self, update: object) -> None:
        """Called by the update processor when an update's handling has finished.

        The update counts as handled (and the offset may move past it) once its id is in the
        database. Ids are written in batches: whatever finished while the previous batch was
        being written goes in the next, one statement for all.
        """
        if isinstance(update, Update):
            self._finished(update.update_id)

    def _finished(self, update_id: int) -> None:
        self._unmarked.append(update_id)
        if self._marking is None:
            self._marking = asyncio.create_task(self._mark(), name="poller-mark")

    async def _mark(self) -> None:
        try:
            while self._unmarked:
                batch, self._unmarked = self._unmarked, []
                try:
                    await self._processed.mark(batch, self._clock.now())
                except Exception:
                    # Left in flight, so not acknowledged: tried again with the next batch.
                    log.exception("could not record %d handled updates", len(batch))
                    self._unmarked[:0] = batch
                    return
                self._in_flight.difference_update(batch)
                self._handled.update(batch)
                self._progress.set()
                before, self._marked = self._marked, self._marked + len(batch)
                if before // PRUNE_EVERY != self._marked // PRUNE_EVERY:
                    await self._processed.prune()
        finally:
            self._marking = None

    async def _loop(self) -> None:
        backoff = 1.0
        while self._running:
            timeout = 0 if self._in_flight else LONG_POLL
            asked = self.ack_offset
            sent = asyncio.get_running_loop().time()
            try:
                # Raw JSON, to parse only updates not seen yet. Method names are case-insensitive
                # in the Bot API; the lower-case spelling tells the library that we mean it.
                raw = await self._application.bot.do_api_request(
                    "getupdates",
                    api_kwargs={
                        "offset": asked,
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
            items = raw if isinstance(raw, list) else []
            fresh = await self._fresh(items)
            for update in fresh:
                self._in_flight.add(update.update_id)
                await self._application.update_queue.put(update)
            self._forget_confirmed()
            if len(items) >= BATCH:
                await self._window_cleared(asked, sent)
            else:
                await self._pause_or_idle(sent)

    async def _window_cleared(self, asked: int, sent: float) -> None:
        """Wait until an answer from the current offset can hold updates not seen yet."""
        deadline = sent + REFILL_WAIT
        while self._in_flight:
            moved = self.ack_offset - asked
            left = deadline - asyncio.get_running_loop().time()
            if moved >= REFILL or (moved and (left <= 0 or len(self._in_flight) < REFILL)):
                return
            await self._next_progress(left if moved else None)

    async def _pause_or_idle(self, sent: float) -> None:
        """A short pause while updates are in flight; none left means a long poll at once."""
        deadline = sent + GAP
        while self._in_flight:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            await self._next_progress(left)

    async def _next_progress(self, within: float | None) -> None:
        """Until some update is done, or ``within`` seconds (None: no limit)."""
        self._progress.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._progress.wait(), within)

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
        now = self._clock.now()
        fresh = []
        for item in raw:
            update_id = item.get("update_id")
            if update_id not in wanted:
                continue
            sender = sender_of(item)
            if sender is not None and self._flood.silenced(sender, now):
                # Refused anyway (see bot.flood): done without parsing or handling.
                self._in_flight.add(update_id)
                self._finished(update_id)
            elif update := Update.de_json(item, bot):
                fresh.append(update)
        return fresh

    def _forget_confirmed(self) -> None:
        floor = self.ack_offset
        self._handled = {update_id for update_id in self._handled if update_id >= floor}


def sender_of(item: dict[str, Any]) -> int | None:
    """The user an update comes from, read off the raw JSON (``from`` of its one payload)."""
    for key, value in item.items():
        if key != "update_id" and isinstance(value, dict):
            sender = value.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return int(sender["id"])
    return None
