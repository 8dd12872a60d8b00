"""The one storage handle services hold: its repositories, and units of work over them.

`async with storage.unit() as uow:` is one write transaction on either engine: what the block
wrote through `uow.tickets`, `uow.outbox`... commits together when it ends, and rolls back
together when it raises. `storage.tickets...` runs each statement on its own, as reads do. So
services never hold the engine, and a second engine is one more `Engine`, not a rewrite.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from functools import cached_property
from types import TracebackType

from bot.storage.attachments import Attachments
from bot.storage.broadcasts import Broadcasts
from bot.storage.cases import Cases
from bot.storage.claims import ClaimLinks
from bot.storage.customers import Customers
from bot.storage.database import Executor, ThreadStatements, ThreadTransaction, Transaction
from bot.storage.effects import UpdateEffects
from bot.storage.engine import Engine
from bot.storage.estimates import Estimates
from bot.storage.feedback import Feedback
from bot.storage.outbox import Outbox
from bot.storage.parts import PartsStore
from bot.storage.postgres import PostgresTransaction
from bot.storage.questions import Threads
from bot.storage.roles import Roles
from bot.storage.stats import StatsQueries
from bot.storage.tickets import Tickets
from bot.storage.warranty import Warranties


class Repositories:
    """Every repository the services use, over one executor; each is built when first used,
    as most units touch two or three of them."""

    _executor: Executor

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    @cached_property
    def attachments(self) -> Attachments:
        return Attachments(self._executor)

    @cached_property
    def broadcasts(self) -> Broadcasts:
        return Broadcasts(self._executor)

    @cached_property
    def cases(self) -> Cases:
        return Cases(self._executor)

    @cached_property
    def claims(self) -> ClaimLinks:
        return ClaimLinks(self._executor)

    @cached_property
    def customers(self) -> Customers:
        return Customers(self._executor)

    @cached_property
    def effects(self) -> UpdateEffects:
        return UpdateEffects(self._executor)

    @cached_property
    def estimates(self) -> Estimates:
        return Estimates(self._executor)

    @cached_property
    def feedback(self) -> Feedback:
        return Feedback(self._executor)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self._executor)

    @cached_property
    def parts(self) -> PartsStore:
        return PartsStore(self._executor)

    @cached_property
    def roles(self) -> Roles:
        return Roles(self._executor)

    @cached_property
    def stats(self) -> StatsQueries:
        return StatsQueries(self._executor)

    @cached_property
    def threads(self) -> Threads:
        return Threads(self._executor)

    @cached_property
    def tickets(self) -> Tickets:
        return Tickets(self._executor)

    @cached_property
    def warranties(self) -> Warranties:
        return Warranties(self._executor)


class UnitOfWork(Repositories):
    """One write transaction: its repositories exist only inside `async with`."""

    def __init__(self, engine: Engine | ThreadStatements) -> None:
        self._engine = engine
        self._transaction: (
            AbstractAsyncContextManager[Transaction]
            | AbstractAsyncContextManager[ThreadTransaction]
            | AbstractAsyncContextManager[PostgresTransaction]
            | None
        ) = None

    async def __aenter__(self) -> UnitOfWork:
        if self._transaction is not None:
            raise RuntimeError("a unit of work is entered once; ask the storage for another")
        self._transaction = self._engine.transaction()
        self._executor = await self._transaction.__aenter__()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        assert self._transaction is not None
        return await self._transaction.__aexit__(kind, error, traceback)


class Storage(Repositories):
    """What services are given instead of the engine: its repositories run each statement on
    its own (reads, and writes of one statement that need no transaction), and `unit()`
    groups statements into one write transaction. `aside` is the same for work that may take
    long (a broadcast's audience of every customer), which SQLite runs off the event loop's
    thread; the reports of `stats` always run there."""

    def __init__(self, engine: Engine | ThreadStatements) -> None:
        super().__init__(engine)
        self._engine = engine

    @cached_property
    def aside(self) -> Storage:
        return Storage(self._engine.aside)

    @cached_property
    def stats(self) -> StatsQueries:
        return StatsQueries(self._engine.aside)

    def unit(self) -> UnitOfWork:
        """A new unit of work, to enter with `async with`."""
        return UnitOfWork(self._engine)
