"""Several instances on one PostgreSQL: a chat's updates handled once each, in order, by
whichever instance holds the chat's lease.

A load balancer sends a customer's next tap to any instance, and an instance can die with
updates stored but not handled. So within the chat's local turn (`ChatOrderedProcessor`) an
update waits for the chat's lease in the database (`bot.storage.chat_leases`), kept alive
while the handlers run; under it, every update of the chat still waiting, up to this one, is
handled in update id order, whoever stored it, and this one is skipped if that happened
elsewhere already. Then they are marked handled and the chat let go; while another update of
the chat waits the chat is kept and its holder goes on with it, so nobody waits for a lease
to run out. An instance that dies leaves its chats' leases to run out
(`LEASE_TTL`); every instance sweeps for updates nobody holds (`SWEEP_EVERY`) and takes them
up. An update cut short between its handler's commit and being marked is handled again, and
creates nothing twice: the services key what it does by its update id (`bot.storage.effects`).

With SQLite there is one instance: none of this runs, the local turn is the order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext

from bot.clock import Clock
from bot.runtime.intake import Intake
from bot.runtime.metrics import update_type
from bot.runtime.ordering import Handle, close
from bot.runtime.polling import Sleep
from bot.storage.chat_leases import ChatLeases, StoredUpdate

log = logging.getLogger(__name__)

LEASE_TTL = timedelta(seconds=10)
"""How long a chat stays an instance's without renewal: how long a dead instance's chats wait
at most. Long enough that a busy event loop or a slow database round trip never lets a live
holder's lease run out between renewals (`RENEW_EVERY`)."""
RENEW_EVERY = 3.0
"""Seconds between renewals while a chat's updates are handled: three tries within the TTL."""
RETRY_FIRST = 0.05
RETRY_MOST = 1.0
"""Seconds between tries for a chat another instance holds: doubling from the first, as the
holder is usually a reply's round trip from done, up to the most."""
SWEEP_EVERY = 2.0
"""Seconds between sweeps for updates nobody holds."""
ORPHAN_AGE = timedelta(seconds=5)
"""How long an instance sees an update that nobody holds (and nobody held) before it takes it
up: the instance that stored it takes its chat's lease in milliseconds, unless it died. Timed
by the sweeping instance's own clock from when it first saw the update, since instances'
clocks may differ; an update whose chat's lease ran out is taken up at once."""


class SharedChats:
    def __init__(
        self,
        application: Application,
        intake: Intake,
        leases: ChatLeases,
        clock: Clock,
        holder: str,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """``holder`` names this instance (`bot.runtime.instance`); ``sleep`` waits between
        tries for a held chat and between renewals."""
        self._application = application
        self._intake = intake
        self._leases = leases
        self._clock = clock
        self._holder = holder
        self._sleep = sleep
        self._unheld_since: dict[int, datetime] = {}
        """When this instance's sweeps first saw each update that nobody holds, by its clock."""

    async def take_turn(
        self, lane: int, update: Update, coroutine: Awaitable[Any], handle: Handle
    ) -> None:
        """Handle the chat's waiting updates up to this one under its lease (see above).

        Never raises: should the database fail, the updates not yet recorded are let go, and
        a sweep takes them up again once their chat's lease has run out.
        """
        in_hand = {update.update_id}
        try:
            async with self._held(lane):
                await self._handle_chat(lane, update, coroutine, handle, in_hand)
        except Exception:
            log.exception(
                "update %d: its chat could not be handled now; taken up again later",
                update.update_id,
            )
            self._intake.let_go(in_hand)
        finally:
            close(coroutine)  # when it never ran: handled elsewhere, or the database failed

    async def _handle_chat(
        self,
        lane: int,
        update: Update,
        coroutine: Awaitable[Any],
        handle: Handle,
        in_hand: set[int],
    ) -> None:
        up_to: int | None = update.update_id
        ran = False
        while True:
            rows = await self._leases.pending(lane, up_to)
            in_hand.update(row.update_id for row in rows)
            self._intake.taken_up(row.update_id for row in rows)
            kinds: dict[int, str] = {}
            failures: dict[int, str] = {}
            for row in rows:
                if row.update_id == update.update_id:
                    ran = True
                    item, error = update, await handle(update, coroutine)
                else:
                    item, error = await self._handle_stored(row, handle)
                kinds[row.update_id] = update_type(item)
                reason = self._intake.failure(row.update_id, error)
                if reason is not None:
                    failures[row.update_id] = reason
            let_go = await self._leases.finish(
                kinds, lane, self._holder, self._clock.now(), failures
            )
            await self._intake.prune()
            self._intake.settled(kinds, () if ran else (update.update_id,))
            in_hand.clear()
            if let_go or not await self._leases.take(
                lane, self._holder, self._clock.now(), LEASE_TTL
            ):
                return  # done; or the chat is another instance's now, which goes on with it
            up_to = None  # another of the chat's updates waits: go on with it

    async def _handle_stored(
        self, row: StoredUpdate, handle: Handle
    ) -> tuple[Update | None, Exception | None]:
        """One update of the chat another instance (or an earlier run) stored."""
        try:
            update = Update.de_json(json.loads(row.raw or "null"), self._application.bot)
        except Exception as error:
            return None, error
        return update, await handle(update, self._application.process_update(update))

    @asynccontextmanager
    async def _held(self, lane: int) -> AsyncIterator[None]:
        """Hold the chat's lease (waiting while another instance does), renewed until done.

        Let go by `ChatLeases.finish`; one cut short keeps it until it runs out, as a dead
        instance's would.
        """
        wait = RETRY_FIRST
        while not await self._leases.take(lane, self._holder, self._clock.now(), LEASE_TTL):
            await self._sleep(wait)
            wait = min(wait * 2, RETRY_MOST)
        renewing = asyncio.create_task(self._renew(lane), name=f"chat-lease-{lane}")
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _renew(self, lane: int) -> None:
        while True:
            await self._sleep(RENEW_EVERY)
            try:
                if not await self._leases.renew(
                    lane, self._holder, self._clock.now(), LEASE_TTL
                ):
                    log.warning(
                        "chat %d was taken over while its updates were being handled here",
                        lane,
                    )
                    return
            except Exception:
                log.warning("could not renew the lease of chat %d", lane, exc_info=True)

    async def sweep(self) -> None:
        """Take up the updates nobody holds (their instance died, or is far behind)."""
        now = self._clock.now()
        try:
            unheld = await self._leases.unheld(now)
        except Exception:
            log.warning("could not look for updates nobody holds", exc_info=True)
            return
        seen = self._unheld_since
        self._unheld_since = since = {
            row.update.update_id: seen.get(row.update.update_id, now) for row in unheld
        }
        await self._intake.adopt(
            row.update
            for row in unheld
            if row.lapsed or now - since[row.update.update_id] >= ORPHAN_AGE
        )

    async def on_sweep(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """The sweep's job, every `SWEEP_EVERY` seconds."""
        await self.sweep()
