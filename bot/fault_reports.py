"""Fault reports: a customer's walk through the troubleshooting tree and how it ended.

A report closed as self-resolved is a visit the network avoided, which head office counts,
so the update that opened a case, handled again after a crash, does not open another.
"""

from __future__ import annotations

from enum import StrEnum

from bot.clock import Clock
from bot.storage.cases import Cases
from bot.storage.database import Database
from bot.storage.effects import UpdateEffects


class Outcome(StrEnum):
    SELF_RESOLVED = "self_resolved"
    BOOKED = "booked"
    ABANDONED = "abandoned"


Step = dict[str, str]
"""One thing the customer did in the tree: `{node, answer}` or `{fix, helped}`."""


class FaultReports:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._cases = Cases(db)
        self._clock = clock

    async def start(self, customer_id: int, category: str, origin: int | None = None) -> int:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            effects = UpdateEffects(tx)
            earlier = await effects.recall(origin, "case", now)
            if earlier is not None:
                return int(earlier)
            case_id = await Cases(tx).open(customer_id, category, now)
            await effects.record(origin, "case", case_id, now)
        return case_id

    async def close(self, case_id: int, outcome: Outcome, path: list[Step]) -> bool:
        return await self._cases.close(case_id, outcome.value, path, self._clock.now())

    async def fix_shown(self, case_id: int, fix: str) -> None:
        """Head office counts how often each fix is shown, answered or not."""
        await self._cases.fix_shown(case_id, fix, self._clock.now())

    async def path(self, case_id: int) -> list[Step]:
        """What the customer answered and tried, for the workshop to read."""
        return await self._cases.path(case_id)
