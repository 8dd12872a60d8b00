"""Who may do what: head office, workshop staff, and everyone else (customers).

Rights come only from configuration (`HEAD_OFFICE_IDS`) and from the database, and are
looked up again for every command and every button press. A change of roles handled again
after a crash (the same update) changes nothing more and gets the first answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.clock import Clock
from bot.storage.roles import Roles
from bot.storage.tickets import TicketRecord
from bot.storage.unit_of_work import Storage
from bot.workshops import Network

log = logging.getLogger(__name__)


class Role(StrEnum):
    HEAD_OFFICE = "head_office"
    STAFF = "staff"
    CUSTOMER = "customer"


@dataclass(frozen=True)
class Principal:
    user_id: int
    role: Role
    workshop_code: str | None = None

    @property
    def is_head_office(self) -> bool:
        return self.role is Role.HEAD_OFFICE

    @property
    def is_staff(self) -> bool:
        return self.role is Role.STAFF

    def may_handle(self, ticket: TicketRecord) -> bool:
        """Head office may act on any ticket; staff only on their own workshop's."""
        return self.is_head_office or (self.is_staff and ticket.workshop_code == self.workshop_code)


class RoleChange(StrEnum):
    DONE = "done"
    UNCHANGED = "unchanged"
    CONFIGURED = "configured"
    UNKNOWN_WORKSHOP = "unknown_workshop"
    IS_HEAD_OFFICE = "is_head_office"


class Access:
    def __init__(
        self, storage: Storage, configured: frozenset[int], network: Network, clock: Clock
    ) -> None:
        self._storage = storage
        self._roles = storage.roles
        self._configured = configured
        self._network = network
        self._clock = clock

    async def who(self, user_id: int) -> Principal:
        if user_id in self._configured or await self._roles.is_admin(user_id):
            return Principal(user_id, Role.HEAD_OFFICE)
        workshop = await self._roles.workshop_of(user_id)
        if workshop is not None and workshop in self._network.workshops:
            return Principal(user_id, Role.STAFF, workshop)
        return Principal(user_id, Role.CUSTOMER)

    async def head_office_ids(self) -> set[int]:
        return set(self._configured) | await self._roles.admin_ids()

    async def add_admin(
        self, by: Principal, user_id: int, origin: int | None = None
    ) -> RoleChange:
        if user_id in self._configured:
            return RoleChange.CONFIGURED

        async def add(roles: Roles, now: datetime) -> bool:
            return await roles.add_admin(user_id, by.user_id, now)

        return await self._change_once(
            origin, "add_admin", add, f"{by.user_id} made {user_id} head office"
        )

    async def remove_admin(
        self, by: Principal, user_id: int, origin: int | None = None
    ) -> RoleChange:
        """An id from the configuration stays head office: only the operator can change it."""
        if user_id in self._configured:
            return RoleChange.CONFIGURED

        async def remove(roles: Roles, now: datetime) -> bool:
            return await roles.remove_admin(user_id)

        return await self._change_once(
            origin, "remove_admin", remove, f"{by.user_id} removed {user_id} from head office"
        )

    async def add_staff(
        self, by: Principal, user_id: int, workshop_code: str, origin: int | None = None
    ) -> RoleChange:
        if workshop_code not in self._network.workshops:
            return RoleChange.UNKNOWN_WORKSHOP
        if (await self.who(user_id)).is_head_office:
            return RoleChange.IS_HEAD_OFFICE
        before: list[str | None] = []

        async def add(roles: Roles, now: datetime) -> bool:
            before.append(await roles.set_staff(user_id, workshop_code, by.user_id, now))
            return before[0] != workshop_code

        return await self._change_once(
            origin,
            "add_staff",
            add,
            lambda: f"{by.user_id} made {user_id} staff of {workshop_code} "
            f"(before: {before[0] or 'none'})",
        )

    async def remove_staff(
        self, by: Principal, user_id: int, origin: int | None = None
    ) -> RoleChange:
        async def remove(roles: Roles, now: datetime) -> bool:
            return await roles.remove_staff(user_id)

        return await self._change_once(
            origin, "remove_staff", remove, f"{by.user_id} removed {user_id} from staff"
        )

    async def _change_once(
        self,
        origin: int | None,
        kind: str,
        change: Callable[[Roles, datetime], Awaitable[bool]],
        done: str | Callable[[], str],
    ) -> RoleChange:
        """Apply `change` (True if it changed anything) once per update, answering as then;
        a change made is logged as `done` says (who changed whom, by ids)."""
        now = self._clock.now()
        async with self._storage.unit() as uow:
            earlier = await uow.effects.recall(origin, kind, now)
            if earlier is not None:
                return RoleChange(earlier)
            result = RoleChange.DONE if await change(uow.roles, now) else RoleChange.UNCHANGED
            await uow.effects.record(origin, kind, result.value, now)
        if result is RoleChange.DONE:
            log.info("Role change: %s", done() if callable(done) else done)
        return result

    async def staff(self) -> list[tuple[int, str]]:
        return await self._roles.staff()

    async def staff_of(self, workshop_code: str) -> list[int]:
        return await self._roles.staff_of(workshop_code)
