"""Long polling that acknowledges an update only once it has been handled.

The library's updater confirms updates to Telegram (the next `getUpdates` offset) as soon as
they are queued, so a crash loses everything received but not yet handled. Here the offset
only moves past an update once its handling finished; with concurrent handling, up to the
oldest update still in flight. Handled update ids are also written to the database, so one
that Telegram delivers again after a crash is recognised and skipped. One cut short between its
handler's commit and that record is handled again; the services key what it does by its update
id (`bot.storage.effects`), so it creates nothing twice.

While updates are in flight Telegram keeps returning them, and answers at once instead of
holding a long poll; those are skipped, not parsed again. Telegram shows at most a hundred
updates from the offset on, so when an answer was full, nothing new can appear until the
oldest updates in flight are done: the poller waits until a quarter of that window has
cleared (or a moment, if fewer), rather than downloading the same hundred again and again.

Updates from someone the flood guard has already silenced are recorded as handled without
being parsed or dispatched (see `bot.flood`).

The bot must never go deaf while it looks alive: every error of a poll is logged and the poll
tried again, after Telegram's ``retry_after`` or a capped exponential back-off. An update the
library cannot read, or whose handling fails, is logged with its id, recorded with the reason
and acknowledged like any other, so it never blocks the ones after it nor comes back after a
restart. Only a token Telegram rejects ends polling, and whatever ends it, other than `stop`,
is reported to ``on_fatal`` so the process can exit and a supervisor see it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import EndPointNotFound, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application, CallbackContext

from bot.clock import Clock
from bot.flood import FloodGuard
from bot.handlers.rate_limit import retry_seconds
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
        processed: ProcessedUpdates,
        clock: Clock,
        flood: FloodGuard,
        sleep: Sleep = asyncio.sleep,
        on_fatal: OnFatal | None = None,
    ) -> None:
        self._application = application
        self._processed = processed
        self._clock = clock
        self._flood = flood
        self._sleep = sleep
        self._on_fatal = on_fatal
        self._in_flight: set[int] = set()
        self._handled: set[int] = set()
        self._max_seen = 0
        self._progress = asyncio.Event()
        self._running = False
        self._task: asyncio.Task[None] | None = None
        self._marked = 0
        self._unmarked: list[int] = []
        self._failures: dict[int, str] = {}
        self._marking: asyncio.Task[None] | None = None

    @property
    def ack_offset(self) -> int:
        """The next offset to send: everything below it has been handled."""
        return min(self._in_flight) if self._in_flight else self._max_seen + 1

    async def start(self) -> None:
        await self._application.bot.delete_webhook()
        self._running = True
        self._task = asyncio.create_task(self._loop(), name="poller")
        self._task.add_done_callback(self._ended)

    async def stop(self) -> None:
        """Stop asking for updates; those already received are still being handled.

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
        """Tell Telegram what has been handled, once handling has stopped."""
        if self._marking is not None:
            await self._marking
        if self._max_seen:
            with contextlib.suppress(TelegramError):
                await self._application.bot.get_updates(offset=self.ack_offset, timeout=0, limit=1)

    async def handled(self, update: object, error: BaseException | None = None) -> None:
        """Called by the update processor when an update's handling has finished.

        The update counts as handled (and the offset may move past it) once its id is in the
        database, failed or not. Ids are written in batches: whatever finished while the
        previous batch was being written goes in the next, one statement for all.
        """
        if isinstance(update, Update):
            if error is not None:
                log.error(
                    "update %d could not be handled and is skipped",
                    update.update_id,
                    exc_info=error,
                )
                self._note(update.update_id, error)
            self._finished(update.update_id)

    async def note_failure(
        self, update: object, context: CallbackContext[Any, Any, Any, Any]
    ) -> None:
        """An error handler: a handler failed on this update, so it is recorded as failed."""
        error = context.error
        if isinstance(update, Update) and update.update_id in self._in_flight and error:
            self._note(update.update_id, error)

    def _note(self, update_id: int, error: BaseException) -> None:
        self._failures.setdefault(update_id, f"{type(error).__name__}: {error}")

    def _finished(self, update_id: int) -> None:
        self._unmarked.append(update_id)
        if self._marking is None:
            self._marking = asyncio.create_task(self._mark(), name="poller-mark")

    async def _mark(self) -> None:
        try:
            while self._unmarked:
                batch, self._unmarked = self._unmarked, []
                failures = {i: self._failures[i] for i in batch if i in self._failures}
                try:
                    await self._processed.mark(batch, self._clock.now(), failures)
                except Exception:
                    # Left in flight, so not acknowledged: tried again with the next batch.
                    log.exception("could not record %d handled updates", len(batch))
                    self._unmarked[:0] = batch
                    return
                for update_id in failures:
                    del self._failures[update_id]
                self._in_flight.difference_update(batch)
                self._handled.update(batch)
                self._progress.set()
                before, self._marked = self._marked, self._marked + len(batch)
                if before // PRUNE_EVERY != self._marked // PRUNE_EVERY:
                    await self._processed.prune()
        finally:
            self._marking = None

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
        """Ask for updates once, hand the new ones over, and wait as long as is worth it."""
        timeout = 0 if self._in_flight else LONG_POLL
        asked = self.ack_offset
        sent = asyncio.get_running_loop().time()
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
        items = self._readable(raw)
        fresh = await self._fresh(items)
        for update in fresh:
            self._in_flight.add(update.update_id)
            await self._application.update_queue.put(update)
        self._forget_confirmed()
        if len(items) >= BATCH:
            await self._window_cleared(asked, sent)
        else:
            await self._pause_or_idle(sent)

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
        ids = [item["update_id"] for item in raw]
        if ids:
            self._max_seen = max(self._max_seen, *ids)
        unseen = [i for i in ids if i not in self._in_flight and i not in self._handled]
        done_before = await self._processed.handled_among(unseen)
        self._handled |= done_before
        wanted = set(unseen) - done_before
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
            elif update := self._parsed(item):
                fresh.append(update)
        return fresh

    def _parsed(self, item: dict[str, Any]) -> Update | None:
        """The update, or None if the library cannot read it: then it is done, as failed."""
        update_id = item["update_id"]
        try:
            return Update.de_json(item, self._application.bot)
        except Exception as error:
            kinds = ", ".join(key for key in item if key != "update_id")
            log.error(
                "update %d (%s) cannot be read and is skipped: %s",
                update_id,
                kinds,
                error,
                exc_info=error,
            )
            self._in_flight.add(update_id)
            self._note(update_id, error)
            self._finished(update_id)
            return None

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
