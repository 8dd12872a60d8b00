"""Updates go into the inbox first, and are handled from there.

Waiting to acknowledge an update until it has been handled keeps Telegram's window of a
hundred updates open behind the slowest one in flight, so one slow booking holds back
everyone's next tap. A batch is stored (raw JSON, one statement) before whoever delivered it
acknowledges it: here for the poller (`receive`), or by the webhook's receiver process, through
its own connection, which tells this one what was new (`arrived`). It is then handed to the
application, whose `ChatOrderedProcessor` keeps each chat in order and runs chats side by side.
An update counts as handled once that is written to the inbox, failed or not; one stored but
not handled when the process died is handled at the next start (`resume`), and one Telegram
delivers again is already stored, so it is ignored. One cut short between its handler's commit
and being marked is handled again; the services key what it does by its update id
(`bot.storage.effects`), so it creates nothing twice.

With several instances on PostgreSQL each stored update also records its chat, and is handled
under that chat's lease by whichever instance holds it (`bot.runtime.shared_chats`), which
marks it handled as it lets the chat go; updates a dead instance stored are taken up here
(`adopt`). Marks are then not batched here: the lease's holder writes them.

Updates from someone the flood guard has already silenced are recorded as handled, without
being parsed or dispatched (see `bot.flood`). An update the library cannot read, or whose
handling fails, is logged with its id, recorded with the reason, and never comes back.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext

from bot.clock import Clock
from bot.flood import Flood
from bot.runtime.metrics import Metrics, raw_update_type, update_type
from bot.runtime.ordering import lane
from bot.storage.chat_leases import StoredUpdate
from bot.storage.inbox import InboxStore, compact

log = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(hours=1)
"""How often the rows too old to be re-delivered are deleted, at most."""


class Intake:
    def __init__(
        self,
        application: Application,
        store: InboxStore,
        clock: Clock,
        flood: Flood,
        metrics: Metrics,
    ) -> None:
        self._application = application
        self._store = store
        self._clock = clock
        self._flood = flood
        self._metrics = metrics
        self._unhandled: set[int] = set()
        self._unmarked: list[int] = []
        self._failures: dict[int, str] = {}
        self._marking: asyncio.Task[None] | None = None
        self._pruned_at: datetime | None = None
        self.last_received = 0
        """The highest update id delivered to the bot, new or not, in this run or before."""
        self.last_handled_at: datetime | None = None
        """When an update was last done with in this run (None before the first)."""
        self._busy_since: datetime | None = None
        """When the backlog last went from empty to not (None while it is empty)."""

    @property
    def backlog(self) -> int:
        """Updates stored but not yet recorded as handled."""
        return len(self._unhandled)

    def stuck_for(self, now: datetime) -> timedelta:
        """How long updates have waited with none done meanwhile (zero with nothing waiting).

        An idle bot is not stuck, however long ago it last handled an update.
        """
        if not self._unhandled or self._busy_since is None:
            return timedelta(0)
        moved = max(self._busy_since, self.last_handled_at or self._busy_since)
        return max(timedelta(0), now - moved)

    def _queued(self, update_ids: Iterable[int]) -> None:
        if not self._unhandled:
            self._busy_since = self._clock.now()
        self._unhandled.update(update_ids)

    async def resume(self) -> None:
        """Handle what was stored but not handled before the last stop: before anything new."""
        rows = await self._store.unhandled()
        if rows:
            log.info("handling %d updates left unhandled by the last run", len(rows))
        self._queued(row["update_id"] for row in rows)
        self.last_received = await self._store.newest()
        for row in rows:
            await self._dispatch(row["update_id"], row["raw"])

    async def receive(self, items: Sequence[dict[str, Any]]) -> None:
        """Store a batch of raw updates (each with an int ``update_id``), then queue the new ones.

        Returns once the batch is stored, so the caller may acknowledge it; raises if it could
        not be, and then nothing of it was stored.
        """
        if not items:
            return
        now = self._clock.now()
        refused, read = self._sorted(items, now)
        received = [
            (item["update_id"], None if item["update_id"] in refused else compact(item))
            for item in items
        ]
        new = await self._store.store(received, now, refused, self._chats(read))
        await self._take(items, new, refused, read, max(item["update_id"] for item in items))

    async def arrived(self, items: Sequence[dict[str, Any]], newest: int) -> None:
        """Queue updates the webhook's receiver stored (all of them new); ``newest`` is the
        highest update id it was sent, new or not.

        Their chats are recorded with them (with several instances a chat's lease goes by
        them); those from someone silenced are recorded as handled without being parsed.
        """
        if not items:
            self.last_received = max(self.last_received, newest)
            return
        now = self._clock.now()
        refused, read = self._sorted(items, now)
        ids = {item["update_id"] for item in items}
        await self._store.arrived(ids, now, refused, self._chats(read))
        await self._take(items, ids, refused, read, newest)

    def _sorted(
        self, items: Sequence[dict[str, Any]], now: datetime
    ) -> tuple[set[int], dict[int, Update | Exception]]:
        """The ids of those from someone the flood guard silenced (refused, not parsed), and
        the others, parsed."""
        refused = set()
        read: dict[int, Update | Exception] = {}
        for item in items:
            sender = sender_of(item)
            if sender is not None and self._flood.silenced(sender, now):
                refused.add(item["update_id"])
            else:
                read[item["update_id"]] = self._read(item)
        return refused, read

    @staticmethod
    def _chats(read: Mapping[int, Update | Exception]) -> dict[int, int]:
        return {i: lane(update) for i, update in read.items() if isinstance(update, Update)}

    async def _take(
        self,
        items: Sequence[dict[str, Any]],
        new: set[int],
        refused: set[int],
        read: Mapping[int, Update | Exception],
        newest: int,
    ) -> None:
        """Count and queue the ``new`` ones of a stored batch, but the ``refused``."""
        fresh = []
        for item in items:
            if item["update_id"] in new:
                self._metrics.received(item)
                if item["update_id"] in refused:
                    self._metrics.handled(raw_update_type(item), "refused")
                else:
                    fresh.append(item)
        self._queued(item["update_id"] for item in fresh)
        self.last_received = max(self.last_received, newest)
        for item in fresh:
            await self._dispatch(item["update_id"], item, read[item["update_id"]])

    async def adopt(self, rows: Iterable[StoredUpdate]) -> None:
        """Handle updates another instance stored and left (it died): those not in hand here.

        One another instance is still handling after all is found handled under its chat's
        lease and skipped.
        """
        taken = [row for row in rows if row.update_id not in self._unhandled]
        if taken:
            log.info(
                "taking up %d updates no instance holds (theirs died, or is far behind)",
                len(taken),
            )
        self._queued(row.update_id for row in taken)
        for row in taken:
            await self._dispatch(row.update_id, row.raw)

    def _read(self, item: dict[str, Any]) -> Update | Exception:
        try:
            return Update.de_json(item, self._application.bot)
        except Exception as error:
            return error

    async def _dispatch(
        self,
        update_id: int,
        raw: dict[str, Any] | str | None,
        read: Update | Exception | None = None,
    ) -> None:
        """Queue for handling (parsed here unless ``read`` is that already); one the library
        cannot read is done, as failed."""
        item: dict[str, Any] | None = None
        try:
            item = json.loads(raw) if isinstance(raw, str) else raw
            update = read if read is not None else self._read(item or {})
            if isinstance(update, Exception):
                raise update
        except Exception as error:
            kinds = ", ".join(key for key in item if key != "update_id") if item else ""
            log.error(
                "update %d (%s) cannot be read and is skipped: %s",
                update_id,
                kinds,
                error,
                exc_info=error,
            )
            self._note(update_id, error)
            self._finished(update_id, raw_update_type(item) if item else "other")
            return
        await self._application.update_queue.put(update)

    async def handled(self, update: object, error: BaseException | None = None) -> None:
        """Called by the update processor when an update's handling has finished.

        The update counts as handled once that is in the database, failed or not. Marks are
        written in batches: whatever finished while the previous batch was being written goes
        in the next, one transaction for all.
        """
        if isinstance(update, Update):
            self.failure(update.update_id, error)
            self._finished(update.update_id, update_type(update))

    async def note_failure(
        self, update: object, context: CallbackContext[Any, Any, Any, Any]
    ) -> None:
        """An error handler: a handler failed on this update, so it is recorded as failed."""
        error = context.error
        if isinstance(update, Update) and update.update_id in self._unhandled and error:
            self._note(update.update_id, error)

    def taken_up(self, update_ids: Iterable[int]) -> None:
        """Updates handled here under their chat's lease, whichever instance received them:
        in hand until `settled`, so failures are noted and the sweep leaves them alone."""
        self._queued(update_ids)

    def failure(self, update_id: int, error: BaseException | None) -> str | None:
        """Why a handled update failed (None: it did not), logged once: ``error`` if its
        handling raised, else what the error handler noted (`note_failure`)."""
        if error is not None:
            log.error("update %d could not be handled and is skipped", update_id, exc_info=error)
            self._note(update_id, error)
        return self._failures.get(update_id)

    def settled(self, handled: Mapping[int, str], elsewhere: Iterable[int] = ()) -> None:
        """Updates recorded as handled under their chat's lease: ``handled`` here (with each
        one's type), or ``elsewhere`` (by another instance, or earlier here). Counted as done,
        and not marked again."""
        self.last_handled_at = self._clock.now()
        for update_id, kind in handled.items():
            outcome = "failed" if self._failures.pop(update_id, None) is not None else "ok"
            self._metrics.handled(kind, outcome)
        self._unhandled.difference_update(handled, elsewhere)

    def let_go(self, update_ids: Iterable[int]) -> None:
        """Updates not handled after all (their chat could not be taken): no longer in hand, so
        the sweep here or elsewhere takes them up again once nobody holds the chat."""
        for update_id in update_ids:
            self._failures.pop(update_id, None)
            self._unhandled.discard(update_id)

    async def flush(self) -> None:
        """Wait until every finished update is recorded as handled (before stopping)."""
        if self._marking is not None:
            await self._marking

    def _note(self, update_id: int, error: BaseException) -> None:
        self._failures.setdefault(update_id, f"{type(error).__name__}: {error}")

    def _finished(self, update_id: int, kind: str) -> None:
        self.last_handled_at = self._clock.now()
        self._metrics.handled(kind, "failed" if update_id in self._failures else "ok")
        self._unmarked.append(update_id)
        if self._marking is None:
            self._marking = asyncio.create_task(self._mark(), name="inbox-mark")

    async def _mark(self) -> None:
        try:
            while self._unmarked:
                batch, self._unmarked = self._unmarked, []
                failures = {i: self._failures[i] for i in batch if i in self._failures}
                try:
                    await self._store.mark(batch, self._clock.now(), failures)
                except Exception:
                    # Still unhandled in the inbox: handled again after a restart at worst.
                    log.exception("could not record %d handled updates", len(batch))
                    self._unmarked[:0] = batch
                    return
                for update_id in failures:
                    del self._failures[update_id]
                await self.prune()
                # Only now, so an empty backlog means every write for the batch is done.
                self._unhandled.difference_update(batch)
        finally:
            self._marking = None

    async def prune(self) -> None:
        """Delete the rows too old to be re-delivered, at most every `PRUNE_EVERY`."""
        now = self._clock.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        try:
            await self._store.prune(now)
        except Exception:
            # Harmless: the rows are deleted at the next attempt, an hour on.
            log.exception("could not delete handled updates older than a day")


def sender_of(item: dict[str, Any]) -> int | None:
    """The user an update comes from, read off the raw JSON (``from`` of its one payload)."""
    for key, value in item.items():
        if key != "update_id" and isinstance(value, dict):
            sender = value.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return int(sender["id"])
    return None
