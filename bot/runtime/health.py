"""`GET /healthz`: whether the bot is doing its work, for a supervisor or a load balancer.

200 with a small JSON when it is; 503 with the same JSON and the reason while it is starting
or stopping, when the database does not answer a trivial query within a few seconds, or
when updates have waited in the inbox for over a minute with none handled (a handler hung,
the loop blocked). An idle bot is healthy however long nobody writes: only a backlog that
does not move is not.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, Literal

from aiohttp import web

from bot.clock import Clock
from bot.runtime.intake import Intake
from bot.runtime.leadership import LeaderElection
from bot.runtime.metrics import State
from bot.storage.broadcasts import Broadcasts
from bot.storage.database import Database
from bot.storage.outbox import Outbox

log = logging.getLogger(__name__)

Phase = Literal["starting", "running", "stopping"]

STUCK_AFTER = timedelta(minutes=1)
DATABASE_TIMEOUT = 3.0
"""Seconds: less than SQLite's busy timeout, so a locked database shows before it gives up."""


class Health:
    def __init__(
        self, db: Database, intake: Intake, clock: Clock, election: LeaderElection
    ) -> None:
        self._db = db
        self._intake = intake
        self._clock = clock
        self._election = election
        self.phase: Phase = "starting"
        """`running` once start-up is over (Telegram reached, left-over work resumed), until
        shutting down begins."""

    async def report(self) -> tuple[int, dict[str, Any]]:
        """The status code and the JSON body of `/healthz`."""
        now = self._clock.now()
        outbox = Outbox(self._db)
        body: dict[str, Any] = {
            "status": "ok",
            "database_reachable": True,
            "last_update_handled_seconds_ago": seconds_since(self._intake.last_handled_at, now),
            "inbox_backlog": self._intake.backlog,
            "outbox_backlog": None,
            "oldest_due_outbox_seconds": None,
            "leader": self._election.is_leader,
        }
        reason = None
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT):
                await self._db.ping()
                body["outbox_backlog"] = sum((await outbox.pending_by_kind()).values())
                oldest = await outbox.oldest_due_at(now)
        except Exception as error:
            body["database_reachable"] = False
            detail = str(error) or f"no answer within {DATABASE_TIMEOUT:g} s"
            reason = f"the database is unreachable: {detail}"
        else:
            body["oldest_due_outbox_seconds"] = seconds_since(oldest, now)
        stuck = self._intake.stuck_for(now)
        if reason is None and stuck > STUCK_AFTER:
            reason = (
                f"the inbox has been stuck for {stuck.total_seconds():.0f} s: "
                f"{self._intake.backlog} updates waiting, none handled"
            )
        if self.phase != "running":
            reason = body["status"] = self.phase
        elif reason is not None:
            body["status"] = "unhealthy"
        if reason is None:
            return 200, body
        return 503, {**body, "reason": reason}

    async def serve(self, request: web.Request) -> web.Response:
        status, body = await self.report()
        return web.json_response(body, status=status)

    async def state(self) -> State:
        """The backlogs `/metrics` shows; without the database's part when it does not answer."""
        now = self._clock.now()
        inbox = self._intake.backlog
        outbox = Outbox(self._db)
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT):
                pending = await outbox.pending_by_kind()
                oldest = await outbox.oldest_due_at(now)
                broadcasts = await Broadcasts(self._db).running_tallies()
        except Exception:
            log.debug("metrics without the database's backlogs", exc_info=True)
            return State(inbox_backlog=inbox, leader=self._election.is_leader)
        return State(
            inbox_backlog=inbox,
            leader=self._election.is_leader,
            outbox_backlog=pending,
            oldest_due_outbox_seconds=seconds_since(oldest, now),
            broadcasts=broadcasts,
        )


def seconds_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, round((now - moment).total_seconds()))
