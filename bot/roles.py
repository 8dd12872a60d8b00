"""Who may do what: head office, workshop staff, and everyone else (customers).

Rights come only from configuration (`HEAD_OFFICE_IDS`) and from the database, and are
looked up again for every command and every button press.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock
from bot.storage.roles import Roles
from bot.storage.tickets import TicketRecord
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
        self, roles: Roles, configured: frozenset[int], network: Network, clock: Clock
    ) -> None:
        self._roles = roles
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

    async def add_admin(self, by: Principal, user_id: int) -> RoleChange:
        if user_id in self._configured:
            return RoleChange.CONFIGURED
        added = await self._roles.add_admin(user_id, by.user_id, self._clock.now())
        if added:
            log.info("Role change: %s made %s head office", by.user_id, user_id)
        return RoleChange.DONE if added else RoleChange.UNCHANGED

    async def remove_admin(self, by: Principal, user_id: int) -> RoleChange:
        """An id from the configuration stays head office: only the operator can change it."""
        if user_id in self._configured:
            return RoleChange.CONFIGURED
        removed = await self._roles.remove_admin(user_id)
        if removed:
            log.info("Role change: %s removed %s from head office", by.user_id, user_id)
        return RoleChange.DONE if removed else RoleChange.UNCHANGED

    async def add_staff(self, by: Principal, user_id: int, workshop_code: str) -> RoleChange:
        if workshop_code not in self._network.workshops:
            return RoleChange.UNKNOWN_WORKSHOP
        if (await self.who(user_id)).is_head_office:
            return RoleChange.IS_HEAD_OFFICE
        before = await self._roles.set_staff(user_id, workshop_code, by.user_id, self._clock.now())
        if before == workshop_code:
            return RoleChange.UNCHANGED
        log.info(
            "Role change: %s made %s staff of %s (before: %s)",
            by.user_id,
            user_id,
            workshop_code,
            before or "none",
        )
        return RoleChange.DONE

    async def remove_staff(self, by: Principal, user_id: int) -> RoleChange:
        removed = await self._roles.remove_staff(user_id)
        if removed:
            log.info("Role change: %s removed %s from staff", by.user_id, user_id)
        return RoleChange.DONE if removed else RoleChange.UNCHANGED

    async def staff(self) -> list[tuple[int, str]]:
        return await self._roles.staff()

    async def staff_of(self, workshop_code: str) -> list[int]:
        return await self._roles.staff_of(workshop_code)
