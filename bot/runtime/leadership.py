"""Whether this instance leads, kept up to date, and who is told when that changes.

The leader is the one instance that plans from the clock (the morning digests, scheduled
broadcasts) and sends broadcasts, so they are planned once and paced by one rate limiter
however many instances run. Every instance tries every `TRY_EVERY` seconds: the leader to
check it still holds the lock, the others to take it once the leader is gone. With SQLite
there is one instance and nothing to contest: it leads from the start, and says nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.runtime.polling import Sleep
from bot.storage.leadership import Leadership, PostgresLeadership

log = logging.getLogger(__name__)

TRY_EVERY = 3.0
"""Seconds between tries: with the server's 10 s to give up a vanished leader, another
instance leads within 15 s of the leader dying."""

OnChange = Callable[[bool], Awaitable[None]]


class LeaderElection:
    def __init__(self, leadership: Leadership, sleep: Sleep = asyncio.sleep) -> None:
        """``sleep`` waits between tries; tests pass one whose naps they end themselves."""
        self._leadership = leadership
        self._sleep = sleep
        self._contested = isinstance(leadership, PostgresLeadership)
        if isinstance(leadership, PostgresLeadership):
            leadership.on_lost = self._lost
        self._listeners: list[OnChange] = []
        self._turn = asyncio.Lock()
        """One try or change at a time: the lock's connection runs one query at once."""
        self._task: asyncio.Task[None] | None = None
        self._losing: asyncio.Task[None] | None = None
        self.is_leader = False

    def on_change(self, listener: OnChange) -> None:
        """Call ``listener(leading)`` after each change, in the order they were added."""
        self._listeners.append(listener)

    async def start(self) -> None:
        """Try once now (so a sole instance leads before anything else starts), then keep
        trying in the background."""
        await self.attempt()
        if self._contested:
            self._task = asyncio.create_task(self._keep_trying(), name="leader-election")

    async def stop(self) -> None:
        """Stop trying and let go of the lock: another instance may lead at once."""
        for task in (self._task, self._losing):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = self._losing = None
        async with self._turn:
            await self._leadership.close()
            await self._become(False)

    async def attempt(self) -> bool:
        """Try to lead (or check that we still do) once; whether this instance leads now."""
        async with self._turn:
            await self._become(await self._leadership.try_lead())
        return self.is_leader

    async def _keep_trying(self) -> None:
        while True:
            await self._sleep(TRY_EVERY)
            await self.attempt()

    def _lost(self) -> None:
        """The lock's connection ended under us: stop leading now, not at the next try."""
        self._losing = asyncio.get_running_loop().create_task(self._step_down())

    async def _step_down(self) -> None:
        async with self._turn:
            await self._become(False)

    async def _become(self, leading: bool) -> None:
        if leading == self.is_leader:
            return
        self.is_leader = leading
        if self._contested:
            log.info(
                "This instance %s the leader (digests, scheduled broadcasts and broadcasts)",
                "is now" if leading else "is no longer",
            )
        for listener in self._listeners:
            try:
                await listener(leading)
            except Exception:
                log.exception("A change of leadership was not taken up in full")
