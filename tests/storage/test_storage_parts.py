"""Parts and stock on a real file: the ledger and the stock it adds up to, never below zero,
one winner for the last unit, and replayed updates that change nothing twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.config import DATA_DIR
from bot.parts import HQ, Catalogue, load_parts
from bot.roles import Principal, Role
from bot.stock import StockDesk, StockOutcome
from bot.storage.database import Database
from bot.storage.parts import PartsStore
from bot.storage.tickets import NewTicket, Tickets
from bot.storage.unit_of_work import Storage
from bot.storage.warranty import Warranties
from bot.tickets import Status
from bot.troubleshooting import load_tree
from bot.workshops import Network
from tests.support.clock import FakeClock

PUMP = "WP-DRAIN-PUMP"
MIKE = Principal(7001, Role.STAFF, "MSK-CENTER")
NINA = Principal(7002, Role.STAFF, "MSK-CENTER")
PETR = Principal(7003, Role.STAFF, "MSK-NORTH")
OLGA = Principal(9000, Role.HEAD_OFFICE)


@pytest.fixture(scope="module")
def catalogue(network: Network) -> Catalogue:
    tree = load_tree(DATA_DIR / "troubleshooting.yaml")
    return load_parts(DATA_DIR / "parts.yaml", tree, network)


@pytest.fixture
def desk(db: Database, catalogue: Catalogue, network: Network, clock: FakeClock) -> StockDesk:
    return StockDesk(Storage(db), catalogue, network, clock)


async def ticket(db: Database, clock: FakeClock, code: str, workshop: str = "MSK-CENTER") -> str:
    await Tickets(db).insert(
        NewTicket(code, None, workshop, "washer", None, Status.DIAGNOSING, None, None, None),
        clock.now(),
    )
    return code


async def test_two_staff_taking_the_last_pump_at_once_leave_exactly_one_winner(
    db: Database, desk: StockDesk, clock: FakeClock
) -> None:
    first = await ticket(db, clock, "SR-000001")
    second = await ticket(db, clock, "SR-000002")
    await desk.receive(MIKE, "MSK-CENTER", PUMP, 1, origin=1)

    results = await asyncio.gather(
        desk.use(MIKE, first, PUMP, 1, origin=2), desk.use(NINA, second, PUMP, 1, origin=3)
    )

    assert sorted(r.outcome for r in results) == [StockOutcome.DONE, StockOutcome.SHORT]
    [row] = await PartsStore(db).stock("MSK-CENTER", PUMP)
    assert (row.on_hand, row.reserved) == (0, 0)
    reasons = [m.reason for m in await PartsStore(db).movements(PUMP)]
    assert reasons == ["receive", "use"], "the loser left no row in the ledger"


async def test_two_tickets_reserving_the_last_pump_at_once_leave_one_reservation(
    db: Database, desk: StockDesk, clock: FakeClock
) -> None:
    first = await ticket(db, clock, "SR-000001")
    second = await ticket(db, clock, "SR-000002")
    await desk.receive(MIKE, "MSK-CENTER", PUMP, 1, origin=1)

    results = await asyncio.gather(
        desk.need(MIKE, first, PUMP, 1, origin=2), desk.need(NINA, second, PUMP, 1, origin=3)
    )

    assert sorted(r.outcome for r in results) == [StockOutcome.REQUESTED, StockOutcome.RESERVED]
    [row] = await PartsStore(db).stock("MSK-CENTER", PUMP)
    assert (row.on_hand, row.reserved) == (1, 1)


async def test_a_part_reserved_for_a_ticket_is_not_free_for_another(
    db: Database, desk: StockDesk, clock: FakeClock
) -> None:
    first = await ticket(db, clock, "SR-000001")
    second = await ticket(db, clock, "SR-000002")
    await desk.receive(MIKE, "MSK-CENTER", PUMP, 1, origin=1)
    assert (await desk.need(MIKE, first, PUMP, origin=2, quantity=1)).outcome is (
        StockOutcome.RESERVED
    )

    taken = await desk.use(MIKE, second, PUMP, 1, origin=3)
    assert taken.outcome is StockOutcome.SHORT and taken.free == 0

    used = await desk.use(MIKE, first, PUMP, 1, origin=4)
    assert used.outcome is StockOutcome.DONE
    [row] = await PartsStore(db).stock("MSK-CENTER", PUMP)
    assert (row.on_hand, row.reserved) == (0, 0)
    ticket_id = (await Tickets(db).by_code(first)).id
    [part] = await PartsStore(db).used_on(ticket_id)
    assert (part.sku, part.quantity, part.cost_minor) == (PUMP, 1, 250000)


async def test_a_replayed_update_moves_stock_once(
    db: Database, desk: StockDesk, clock: FakeClock
) -> None:
    code = await ticket(db, clock, "SR-000001")
    for _ in range(2):
        await desk.receive(OLGA, HQ, PUMP, 5, origin=10)
        needed = await desk.need(MIKE, code, PUMP, 2, origin=11)
        assert needed.outcome is StockOutcome.REQUESTED and needed.request is not None
        await desk.ship(OLGA, needed.request.code, None, origin=12)
        await desk.arrived(MIKE, needed.request.code, origin=13)
        assert (await desk.use(MIKE, code, PUMP, 1, origin=14)).outcome is StockOutcome.DONE

    reasons = [m.reason for m in await PartsStore(db).movements(PUMP)]
    assert reasons == ["receive", "ship", "arrive", "reserve", "use"]
    assert [r.quantity for r in await PartsStore(db).of_ticket(1)] == [2]
    stock = {row.location: (row.on_hand, row.reserved) for row in await PartsStore(db).stock()}
    assert stock == {HQ: (3, 0), "MSK-CENTER": (1, 1)}


async def test_staff_move_parts_only_at_their_own_workshop(
    db: Database, desk: StockDesk, clock: FakeClock
) -> None:
    theirs = await ticket(db, clock, "SR-000001", workshop="MSK-NORTH")
    assert (await desk.receive(MIKE, HQ, PUMP, 1, origin=1)).outcome is StockOutcome.FORBIDDEN
    assert (await desk.receive(MIKE, "MSK-NORTH", PUMP, 1, origin=2)).outcome is (
        StockOutcome.FORBIDDEN
    )
    assert (await desk.need(MIKE, theirs, PUMP, 1, origin=3)).outcome is StockOutcome.NOT_FOUND
    assert (await desk.use(MIKE, theirs, PUMP, 1, origin=4)).outcome is StockOutcome.NOT_FOUND
    requested = await desk.need(PETR, theirs, PUMP, 1, origin=5)
    assert requested.request is not None
    assert (await desk.ship(MIKE, requested.request.code, None, origin=6)).outcome is (
        StockOutcome.NOT_FOUND
    )
    await desk.receive(OLGA, HQ, PUMP, 1, origin=7)
    await desk.ship(OLGA, requested.request.code, None, origin=8)
    assert (await desk.arrived(MIKE, requested.request.code, origin=9)).outcome is (
        StockOutcome.NOT_FOUND
    )
    assert await PartsStore(db).stock("MSK-CENTER") == []


async def test_parts_used_in_repairs_confirmed_under_warranty_are_counted_apart(
    db: Database, desk: StockDesk, clock: FakeClock
) -> None:
    covered = await ticket(db, clock, "SR-000001")
    paid = await ticket(db, clock, "SR-000002")
    record = await Tickets(db).by_code(covered)
    assert record is not None
    await Warranties(db).confirm(record.id, True, "receipt", MIKE.user_id, clock.now())
    await desk.receive(MIKE, "MSK-CENTER", PUMP, 3, origin=1)
    await desk.use(MIKE, covered, PUMP, 2, origin=2)
    await desk.use(MIKE, paid, PUMP, 1, origin=3)

    figures = await desk.figures(clock.now() - timedelta(days=1), clock.now())

    assert (figures.used_cost_minor, figures.warranty_cost_minor) == (750_000, 500_000)
