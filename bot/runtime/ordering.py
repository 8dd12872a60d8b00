"""Updates of different chats handled side by side, each chat's own strictly in order.

The library processes one update at a time by default, so one slow Telegram round trip holds
everyone back; with plain `concurrent_updates(True)` two taps of one customer could overtake
each other. Here every chat has a lock: updates of a chat queue on it in arrival order (asyncio
locks wake waiters first come, first served, and the application starts one task per update
in arrival order), while other chats go ahead. A conversation therefore never sees its own
steps reordered, and its state is only ever touched by one update at a time.

Within the turn, before the handlers run, what the database holds of the update's people
(conversation states, drafts) replaces what the process remembers, and what the handlers
changed is written back before the update counts as done (`Memory`): another instance may
have handled the chat's previous update.

With several instances on PostgreSQL, the turn is not enough: the chat's next update may be
at another instance. So within its turn an update is handed to `shared`, which takes the
chat's lease in the database and handles there, in order, every update of the chat still
waiting, whichever instance received it (`bot.runtime.shared_chats`).

An update takes its chat's turn before one of the slots that bound how many run at once: with
updates acknowledged as soon as they are stored, one chat can have many queued, and those
waiting for their turn must not fill the slots other chats need.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT = 256
"""Updates of different chats handled at once, at most (the library's own default).

It was 100 while Telegram's window of 100 unacknowledged updates was all the bot could hold;
with the inbox the backlog can be larger, and under load an update waiting for a slot was
most of its reply latency (the benchmark's 200 customers back to back: p50 300 ms at 100
slots, 90 ms at 256, and fewer, larger batches of work per turn of the event loop)."""


NO_CHAT = 0
"""The lane of updates with neither a chat nor a user (none the bot acts on): no chat or user
has id 0, so with several instances they queue together rather than go unordered."""

Handle = Callable[[Update, Awaitable[Any]], Awaitable[Exception | None]]
"""Run an update's handlers in a slot; the error they failed with, if any."""


class SharedTurn(Protocol):
    """Another instance may hold the chat: what handles an update within the chat's turn."""

    async def take_turn(
        self, lane: int, update: Update, coroutine: Awaitable[Any], handle: Handle
    ) -> None: ...


class Memory(Protocol):
    """What handlers remember of people between updates, kept outside the process."""

    async def load(self, update: object) -> None: ...

    async def save(self, update: object) -> None: ...


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT,
        on_done: Callable[[object, Exception | None], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self.on_done = on_done
        self.memory: Memory | None = None
        """Loaded before each update's handlers, saved after them."""
        self.took: Callable[[object, float], None] | None = None
        """Told how many seconds the handlers took on an update, for the metrics."""
        self.shared: SharedTurn | None = None
        """With several instances: handles each update under its chat's lease, and records
        it as handled itself (``on_done`` is then not told)."""

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle in the chat's turn, then in a slot; done in any case, failed or not."""
        if self.shared is not None and isinstance(update, Update):
            chat = lane(update)
            async with self._turn(chat):
                await self.shared.take_turn(chat, update, coroutine, self._handle)
            return
        error: Exception | None = None
        try:
            async with self._turn(order_key(update)):
                await super().process_update(update, coroutine)
        except Exception as exc:
            error = exc
        if self.on_done is not None:
            await self.on_done(update, error)

    async def _handle(self, update: Update, coroutine: Awaitable[Any]) -> Exception | None:
        try:
            await super().process_update(update, coroutine)
        except Exception as error:
            return error
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.perf_counter()
        try:
            if self.memory is not None:
                try:
                    await self.memory.load(update)
                except BaseException:
                    close(coroutine)  # never started: handlers must not see a stale state
                    raise
            await coroutine
            if self.memory is not None:
                await self.memory.save(update)
        finally:
            if self.took is not None:
                self.took(update, time.perf_counter() - started)

    @asynccontextmanager
    async def _turn(self, key: int | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def close(coroutine: Awaitable[Any]) -> None:
    """Discard handlers that will not run, without Python warning they were never awaited."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()


def order_key(update: object) -> int | None:
    """The chat whose updates must stay in order (the user, for updates without a chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


def lane(update: Update) -> int:
    """The chat whose lease an update is handled under, with several instances."""
    key = order_key(update)
    return NO_CHAT if key is None else key
