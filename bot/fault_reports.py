"""Fault reports: a customer's walk through the troubleshooting tree and how it ended.

A report closed as self-resolved is a visit the network avoided, which head office counts.
"""

from __future__ import annotations

from enum import StrEnum

from bot.clock import Clock
from bot.storage.cases import Cases


class Outcome(StrEnum):
    SELF_RESOLVED = "self_resolved"
    BOOKED = "booked"
    ABANDONED = "abandoned"


Step = dict[str, str]
"""One thing the customer did in the tree: `{node, answer}` or `{fix, helped}`."""


class FaultReports:
    def __init__(self, cases: Cases, clock: Clock) -> None:
        self._cases = cases
        self._clock = clock

    async def start(self, customer_id: int, category: str) -> int:
        return await self._cases.open(customer_id, category, self._clock.now())

    async def close(self, case_id: int, outcome: Outcome, path: list[Step]) -> bool:
        return await self._cases.close(case_id, outcome.value, path, self._clock.now())

    async def path(self, case_id: int) -> list[Step]:
        """What the customer answered and tried, for the workshop to read."""
        return await self._cases.path(case_id)
