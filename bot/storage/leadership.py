"""Which instance leads: the one that plans digests and scheduled broadcasts and sends broadcasts.

On SQLite there is one instance, so it always leads. On PostgreSQL the leader is whoever holds
a session advisory lock on a connection of its own. The lock lives exactly as long as that
connection: a leader that dies, or whose connection drops, frees it, and another instance
takes it at its next try. The connection asks the server to probe the peer often (TCP
keepalives, a user timeout), so a leader whose machine vanished without closing its socket
is given up within `SERVER_GIVES_UP` seconds; the leader itself checks its connection at each
try, with a shorter timeout, so it stops leading before anyone else can start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

from bot.storage.postgres import describe

log = logging.getLogger(__name__)

LEADER_LOCK = 0x5245_504C
"""The advisory lock's first key ("REPL"); the second is the schema's hash, so bots that share
a database in schemas of their own each have their leader."""
CONNECT_TIMEOUT = 5.0
CHECK_TIMEOUT = 2.0
"""Seconds the leader waits for its connection to answer before it stops leading."""
KEEPALIVE = {
    "tcp_keepalives_idle": "4",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "10000",
    "application_name": "repairbot-leadership",
}
"""Server settings of the lock's connection: a silent peer is dropped after 4 + 2 x 3 s idle,
or 10 s of unacknowledged data, so a dead leader's lock is freed within that."""
SERVER_GIVES_UP = 10.0


class SoleLeadership:
    """SQLite: one instance, always the leader."""

    async def try_lead(self) -> bool:
        return True

    async def close(self) -> None:
        """Nothing held."""


class PostgresLeadership:
    def __init__(self, url: str, on_lost: Callable[[], None] | None = None) -> None:
        """``on_lost`` is told at once when the held lock's connection ends under us, before the
        next try would notice."""
        self._url = url
        self._where = describe(url)
        self._connection: asyncpg.Connection | None = None
        self._holding = False
        self.on_lost = on_lost

    async def try_lead(self) -> bool:
        """Take the lock if it is free, or check that it is still ours; whether we lead now.

        Never raises: a database that does not answer means not leading, and the next try
        connects afresh.
        """
        try:
            if self._connection is None or self._connection.is_closed():
                self._holding = False
                self._connection = await asyncpg.connect(
                    self._url, timeout=CONNECT_TIMEOUT, server_settings=KEEPALIVE
                )
                self._connection.add_termination_listener(self._terminated)
            async with asyncio.timeout(CHECK_TIMEOUT):
                if self._holding:
                    await self._connection.fetchval("SELECT 1")
                else:
                    self._holding = await self._connection.fetchval(
                        "SELECT pg_try_advisory_lock($1, hashtext(current_schema()))",
                        LEADER_LOCK,
                    )
        except Exception as error:
            log.debug("leadership: database %s did not answer: %r", self._where, error)
            await self._drop()
        return self._holding

    async def close(self) -> None:
        """Let go of the lock (with its connection): another instance may lead at once."""
        self._holding = False
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.remove_termination_listener(self._terminated)
            try:
                await asyncio.wait_for(connection.close(), CHECK_TIMEOUT)
            except Exception:
                connection.terminate()

    async def _drop(self) -> None:
        """Give up a connection that failed; the server frees its lock when it sees it gone."""
        self._holding = False
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.remove_termination_listener(self._terminated)
            connection.terminate()

    def _terminated(self, connection: asyncpg.Connection) -> None:
        if connection is not self._connection:
            return
        held, self._holding = self._holding, False
        if held and self.on_lost is not None:
            self.on_lost()


Leadership = SoleLeadership | PostgresLeadership


def leadership_for(database_url: str | None) -> Leadership:
    """PostgreSQL's lock when DATABASE_URL names a server, else SQLite's one instance."""
    return PostgresLeadership(database_url) if database_url else SoleLeadership()
