"""The unit of work: the writes of one block stand or fall together, on either engine."""

from __future__ import annotations

import pytest

from bot.storage.engine import Engine
from bot.storage.unit_of_work import Storage
from tests.support.clock import FakeClock

HEAD = 1
ADMIN = 2


async def test_a_unit_of_work_commits_every_repositorys_writes_when_its_block_ends(
    db: Engine, clock: FakeClock
) -> None:
    storage = Storage(db)

    async with storage.unit() as uow:
        await uow.customers.remember(ADMIN, "Вера", None, "vera", "ru", clock.now())
        await uow.roles.add_admin(ADMIN, HEAD, clock.now())

    assert await storage.customers.name(ADMIN) == "Вера"
    assert await storage.roles.is_admin(ADMIN)


async def test_a_unit_of_work_that_raises_leaves_none_of_its_writes(
    db: Engine, clock: FakeClock
) -> None:
    storage = Storage(db)

    with pytest.raises(LookupError):
        await _admit_then_fail(storage, clock)

    assert await storage.customers.name(ADMIN) is None
    assert not await storage.roles.is_admin(ADMIN)


async def test_the_next_unit_of_work_can_write_after_one_rolled_back(
    db: Engine, clock: FakeClock
) -> None:
    storage = Storage(db)
    with pytest.raises(LookupError):
        await _admit_then_fail(storage, clock)

    async with storage.unit() as uow:
        assert await uow.roles.add_admin(ADMIN, HEAD, clock.now())

    assert await storage.roles.admin_ids() == {ADMIN}


async def test_a_unit_of_work_is_entered_once_so_two_blocks_never_share_a_transaction(
    db: Engine,
) -> None:
    unit = Storage(db).unit()
    async with unit:
        pass

    with pytest.raises(RuntimeError, match="entered once"):
        await unit.__aenter__()


async def _admit_then_fail(storage: Storage, clock: FakeClock) -> None:
    """Remember a person and make them an admin, then fail before the block ends."""
    async with storage.unit() as uow:
        await uow.customers.remember(ADMIN, "Вера", None, "vera", "ru", clock.now())
        await uow.roles.add_admin(ADMIN, HEAD, clock.now())
        raise LookupError("the next step found nothing")
