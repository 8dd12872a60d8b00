"""Fault reports: a customer's walk through the troubleshooting tree and how it ended.

A report closed as self-resolved is a visit the network avoided, which head office counts,
so the update that opened a case, handled again after a crash, does not open another.
"""

from __future__ import annotations

from enum import StrEnum

from bot.clock import Clock
from bot.storage.unit_of_work import Storage


class Outcome(StrEnum):
    SELF_RESOLVED = "self_resolved"
    BOOKED = "booked"
    ABANDONED = "abandoned"


Step = dict[str, str]
"""One thing the customer did in the tree: `{node, answer}` or `{fix, helped}`."""


class FaultReports:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._cases = storage.cases
        self._clock = clock

    async def start(self, customer_id: int, category: str, origin: int | None = None) -> int:
        now = self._clock.now()
        async with self._storage.unit() as uow:
            earlier = await uow.effects.recall(origin, "case", now)
            if earlier is not None:
                return int(earlier)
            case_id = await uow.cases.open(customer_id, category, now)
            await uow.effects.record(origin, "case", case_id, now)
        return case_id

    async def close(self, case_id: int, outcome: Outcome, path: list[Step]) -> bool:
        return await self._cases.close(case_id, outcome.value, path, self._clock.now())

    async def fix_shown(self, case_id: int, fix: str) -> None:
        """Head office counts how often each fix is shown, answered or not."""
        await self._cases.fix_shown(case_id, fix, self._clock.now())

    async def path(self, case_id: int) -> list[Step]:
        """What the customer answered and tried, for the workshop to read."""
        return await self._cases.path(case_id)
