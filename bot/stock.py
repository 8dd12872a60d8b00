"""Parts moving through the network: received, reserved for a ticket, requested from head
office, shipped, arrived and used.

Every method takes the acting `Principal` and refuses on its own what that person may not
do; a ticket or a request of another workshop reads as one that does not exist. Each change
writes its ledger rows, the stock they add up to and the messages it causes in one
transaction, and takes the Telegram update that asked for it (`origin`): the same update
handled again changes nothing more and answers as the first time did.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.notifications import Kind, tell, tell_customer, tell_workshop
from bot.parts import (
    HQ,
    IN_TRANSIT,
    MAX_QUANTITY,
    WAITING_TOO_LONG_DAYS,
    Catalogue,
    Part,
    may_stock,
    new_request_code,
    normalize_request_code,
)
from bot.roles import Principal
from bot.status_rules import OPEN_STATUSES, may_move
from bot.storage.parts import RequestRecord, StockRow, UsedPart
from bot.storage.tickets import TicketRecord
from bot.storage.unit_of_work import Storage, UnitOfWork
from bot.tickets import Status, normalize_code
from bot.workshops import Network

MAX_ETA_DAYS = 365
MOST_REQUESTED = 5
UNARRIVED = ("open", "shipped")


class StockOutcome(StrEnum):
    DONE = "done"
    RESERVED = "reserved"
    """/needpart: the part was in the workshop and is set aside for the ticket."""
    REQUESTED = "requested"
    """/needpart: head office is asked for it; the ticket waits for parts."""
    NOT_FOUND = "not_found"
    """No such ticket or request, or one of another workshop."""
    UNKNOWN_PART = "unknown_part"
    BAD_QUANTITY = "bad_quantity"
    FORBIDDEN = "forbidden"
    """A location the caller may not move parts in or out of."""
    CLOSED = "closed"
    SHORT = "short"
    """Not enough free parts where they would come from."""
    ALREADY = "already"
    """A request shipped or arrived already."""
    NOT_SHIPPED = "not_shipped"
    BAD_DATE = "bad_date"


@dataclass(frozen=True)
class StockResult:
    outcome: StockOutcome
    part: Part | None = None
    quantity: int = 0
    ticket: TicketRecord | None = None
    request: RequestRecord | None = None
    free: int | None = None
    """What is free now where the parts would have come from (a refusal for `SHORT`)."""


@dataclass(frozen=True)
class Level:
    """One part at one location: on hand, set aside for tickets, and the minimum."""

    part: Part
    location: str
    on_hand: int
    reserved: int
    minimum: int

    @property
    def below_minimum(self) -> bool:
        return self.on_hand < self.minimum


@dataclass(frozen=True)
class Alerts:
    """What the morning digest says about parts."""

    low: list[Level]
    late: list[RequestRecord]

    def __bool__(self) -> bool:
        return bool(self.low or self.late)


@dataclass(frozen=True)
class PartsFigures:
    lead_days: list[float]
    """Request to arrival, in days, of each request that arrived in the period."""
    most_requested: list[tuple[str, int]]
    """SKUs by units requested in the period, the most first."""
    used_cost_minor: int
    """What the parts that went into devices in the period cost."""
    warranty_cost_minor: int
    """The part of it in repairs confirmed under warranty: the network's cost, not the
    customer's."""

    @property
    def warranty_share(self) -> float | None:
        return self.warranty_cost_minor / self.used_cost_minor if self.used_cost_minor else None

    @property
    def median_lead_days(self) -> float | None:
        return statistics.median(self.lead_days) if self.lead_days else None


class StockDesk:
    def __init__(
        self, storage: Storage, catalogue: Catalogue, network: Network, clock: Clock
    ) -> None:
        self._storage = storage
        self.catalogue = catalogue
        self._network = network
        self._clock = clock

    # Looking

    async def levels(self, location: str, typed: str = "") -> list[Level]:
        """The parts at a location: those matching `typed`, or without it, those it has or
        should have."""
        rows = {row.sku: row for row in await self._storage.parts.stock(location=location)}
        levels = [
            self._level(part, location, rows.get(part.sku))
            for part in self.catalogue.matching(typed)
        ]
        if typed.strip():
            return levels
        return [level for level in levels if level.on_hand or level.reserved or level.minimum]

    async def across(self, part: Part) -> tuple[list[Level], int]:
        """One part at every location that has or should have it, and how many are on the
        way from head office."""
        store = self._storage.parts
        rows = {row.location: row for row in await store.stock(sku=part.sku)}
        locations = sorted({*rows, *part.min_stock}, key=lambda code: (code != HQ, code))
        levels = [self._level(part, location, rows.get(location)) for location in locations]
        shipped = await store.requests(["shipped"])
        return levels, sum(r.quantity for r in shipped if r.sku == part.sku)

    def _level(self, part: Part, location: str, row: StockRow | None) -> Level:
        minimum = part.min_stock.get(location, 0)
        if row is not None and row.min_stock is not None:
            minimum = row.min_stock
        return Level(
            part,
            location,
            row.on_hand if row else 0,
            row.reserved if row else 0,
            minimum,
        )

    async def open_requests(self, who: Principal) -> list[RequestRecord]:
        """Requests not yet shipped, oldest first, for head office to ship."""
        if not who.is_head_office:
            return []
        return await self._storage.parts.requests(["open"])

    async def used_on(self, ticket: TicketRecord) -> list[UsedPart]:
        return await self._storage.parts.used_on(ticket.id)

    async def for_ticket(self, ticket: TicketRecord) -> tuple[dict[str, int], list[RequestRecord]]:
        """What is set aside for a ticket, and what it asked head office for."""
        store = self._storage.parts
        return await store.reservations_of(ticket.id), await store.of_ticket(ticket.id)

    async def alerts(self, workshop_code: str | None, now: datetime) -> Alerts:
        """Parts below their minimum and requests waiting too long: everywhere for head
        office, a workshop's own for its staff."""
        store = self._storage.parts
        rows = {(row.location, row.sku): row for row in await store.stock()}
        wanted = {(location, sku) for location, sku in rows}
        for part in self.catalogue.parts.values():
            wanted |= {(location, part.sku) for location in part.min_stock}
        low = []
        for location, sku in sorted(wanted, key=lambda key: (key[0] != HQ, key)):
            part = self.catalogue.parts.get(sku)
            if part is None or (workshop_code is not None and location != workshop_code):
                continue
            level = self._level(part, location, rows.get((location, sku)))
            if level.below_minimum:
                low.append(level)
        late = await store.requests(
            UNARRIVED, workshop_code, now - timedelta(days=WAITING_TOO_LONG_DAYS)
        )
        return Alerts(low, late)

    async def figures(self, since: datetime, until: datetime) -> PartsFigures:
        store = self._storage.parts
        arrived = await store.arrived_between(since, until)
        used, warranty = await store.cost_used(since, until)
        return PartsFigures(
            lead_days=[
                (r.arrived_at - r.created_at).total_seconds() / 86400
                for r in arrived
                if r.arrived_at is not None
            ],
            most_requested=await store.most_requested(since, until, MOST_REQUESTED),
            used_cost_minor=used,
            warranty_cost_minor=warranty,
        )

    # Moving

    async def receive(
        self, who: Principal, location: str, sku: str, quantity: int, origin: int | None = None
    ) -> StockResult:
        """Parts that came from outside the network: a supplier's delivery to `HQ`, a
        workshop's local purchase."""
        part = self.catalogue.get(sku)
        if refused := _refused_input(part, quantity):
            return refused
        assert part is not None
        if not may_stock(who, location):
            return StockResult(StockOutcome.FORBIDDEN, part, quantity)
        now = self._clock.now()
        async with self._storage.unit() as uow:
            effects = uow.effects
            store = uow.parts
            if await effects.recall(origin, "part_receive", now) is None:
                await store.add(location, part.sku, quantity)
                movement = await store.record(
                    now, who.user_id, part.sku, None, location, quantity, "receive"
                )
                await effects.record(origin, "part_receive", movement, now)
            rows = await store.stock(location, part.sku)
        free = rows[0].on_hand - rows[0].reserved if rows else 0
        return StockResult(StockOutcome.DONE, part, quantity, free=free)

    async def need(
        self,
        who: Principal,
        code: str,
        sku: str,
        quantity: int,
        head_office: Iterable[int] = (),
        origin: int | None = None,
    ) -> StockResult:
        """Set the part aside for the ticket from its workshop's stock; when the workshop
        has too few free, ask `head_office` for it, the ticket waits for parts and the
        customer is told which part."""
        part = self.catalogue.get(sku)
        if refused := _refused_input(part, quantity):
            return refused
        assert part is not None
        now = self._clock.now()
        async with self._storage.unit() as uow:
            store = uow.parts
            effects = uow.effects
            if (earlier := await effects.recall(origin, "part_need", now)) is not None:
                return await _earlier_need(uow, earlier, part, quantity)
            ticket = await uow.tickets.by_code(normalize_code(code))
            if refused := _refused_ticket(who, ticket, part, quantity):
                return refused
            assert ticket is not None
            location = ticket.workshop_code
            if await store.reserve(location, part.sku, quantity):
                await store.change_reservation(ticket.id, part.sku, location, quantity)
                await store.record(
                    now, who.user_id, part.sku, location, location, quantity, "reserve", ticket.id
                )
                await uow.tickets.add_event(
                    ticket.id, now, who.user_id, who.role, "part_reserved",
                    note=f"{part.sku} × {quantity}",
                )
                await effects.record(origin, "part_need", f"ticket:{ticket.id}", now)
                return StockResult(StockOutcome.RESERVED, part, quantity, ticket)
            request = await self._request(uow, who, ticket, part, quantity, now)
            await tell(
                uow, head_office, ticket, Kind.PART_REQUESTED, str(request.id), now,
                request=request.code, sku=part.sku, quantity=quantity,
            )
            await effects.record(origin, "part_need", f"request:{request.id}", now)
            return StockResult(StockOutcome.REQUESTED, part, quantity, request=request)

    async def _request(
        self,
        uow: UnitOfWork,
        who: Principal,
        ticket: TicketRecord,
        part: Part,
        quantity: int,
        now: datetime,
    ) -> RequestRecord:
        store, tickets = uow.parts, uow.tickets
        code = new_request_code()
        while await store.code_taken(code):
            code = new_request_code()
        request_id = await store.add_request(
            code, ticket.workshop_code, ticket.id, part.sku, quantity, who.user_id, now
        )
        await tickets.add_event(
            ticket.id, now, who.user_id, who.role, "part_requested",
            note=f"{code}: {part.sku} × {quantity}",
        )
        current = Status(ticket.status)
        if current is not Status.WAITING_PARTS and may_move(current, Status.WAITING_PARTS):
            await tickets.set_status(ticket.id, Status.WAITING_PARTS, now)
            await tickets.add_event(
                ticket.id, now, who.user_id, who.role, "status",
                from_status=current, to_status=Status.WAITING_PARTS,
            )
        await tell_customer(uow, ticket, Kind.PART_AWAITED, str(request_id), now, sku=part.sku)
        request = await store.request_by_id(request_id)
        assert request is not None
        return request

    async def use(
        self, who: Principal, code: str, sku: str, quantity: int, origin: int | None = None
    ) -> StockResult:
        """The part went into the device: from what was set aside for the ticket first,
        then from the workshop's free stock; it is listed on the ticket with its price."""
        part = self.catalogue.get(sku)
        if refused := _refused_input(part, quantity):
            return refused
        assert part is not None
        now = self._clock.now()
        async with self._storage.unit() as uow:
            store = uow.parts
            effects = uow.effects
            if (earlier := await effects.ticket(origin, "part_use", now)) is not None:
                return StockResult(StockOutcome.DONE, part, quantity, earlier)
            ticket = await uow.tickets.by_code(normalize_code(code))
            if refused := _refused_ticket(who, ticket, part, quantity):
                return refused
            assert ticket is not None
            location = ticket.workshop_code
            from_reserved = min(await store.reserved_for(ticket.id, part.sku), quantity)
            rest = quantity - from_reserved
            # The free stock first: when it is short, nothing has changed yet.
            if rest and not await store.take(location, part.sku, rest):
                rows = await store.stock(location, part.sku)
                free = rows[0].on_hand - rows[0].reserved if rows else 0
                return StockResult(StockOutcome.SHORT, part, quantity, ticket, free=free)
            if from_reserved:
                assert await store.take_reserved(location, part.sku, from_reserved)
                await store.change_reservation(ticket.id, part.sku, location, -from_reserved)
            await store.record(
                now, who.user_id, part.sku, location, None, quantity, "use", ticket.id,
                unit_price_minor=part.price_minor,
            )
            await uow.tickets.add_event(
                ticket.id, now, who.user_id, who.role, "part_used",
                note=f"{part.sku} × {quantity}",
            )
            await effects.record(origin, "part_use", ticket.id, now)
        return StockResult(StockOutcome.DONE, part, quantity, ticket)

    async def ship(
        self, who: Principal, code: str, eta: date | None, origin: int | None = None
    ) -> StockResult:
        """Head office sends a request's parts from `HQ`: the workshop is told, and with an
        ETA the customer's expected date follows it."""
        request_code = normalize_request_code(code)
        if not who.is_head_office or request_code is None:
            return StockResult(StockOutcome.NOT_FOUND)
        now = self._clock.now()
        async with self._storage.unit() as uow:
            store, tickets = uow.parts, uow.tickets
            effects = uow.effects
            if (earlier := await effects.recall(origin, "part_ship", now)) is not None:
                request = await store.request_by_id(int(earlier))
                return StockResult(StockOutcome.DONE, request=request)
            request = await store.request(request_code)
            if request is None:
                return StockResult(StockOutcome.NOT_FOUND)
            part = self.catalogue.get(request.sku)
            if request.status != "open":
                return StockResult(StockOutcome.ALREADY, part, request.quantity, request=request)
            ticket = await tickets.by_id(request.ticket_id)
            assert ticket is not None
            if eta is not None:
                today = now.astimezone(self._network.zone(ticket.workshop_code)).date()
                if not today <= eta <= today + timedelta(days=MAX_ETA_DAYS):
                    return StockResult(StockOutcome.BAD_DATE, part, request=request)
            if not await store.take(HQ, request.sku, request.quantity):
                rows = await store.stock(HQ, request.sku)
                free = rows[0].on_hand - rows[0].reserved if rows else 0
                return StockResult(
                    StockOutcome.SHORT, part, request.quantity, request=request, free=free
                )
            await store.mark_shipped(request.id, eta, now)
            await store.record(
                now, who.user_id, request.sku, HQ, IN_TRANSIT, request.quantity, "ship",
                request.ticket_id, request.id,
            )
            await tickets.add_event(
                ticket.id, now, who.user_id, who.role, "part_shipped",
                note=f"{request.code}: {request.sku} × {request.quantity}",
            )
            if eta is not None and Status(ticket.status) in OPEN_STATUSES:
                await tickets.set_eta(ticket.id, eta, now)
                await tickets.add_event(
                    ticket.id, now, who.user_id, who.role, "eta", note=eta.isoformat()
                )
            params = {"sku": request.sku, "eta": eta.isoformat() if eta else None}
            await tell_customer(uow, ticket, Kind.PART_ON_WAY, str(request.id), now, **params)
            await tell_workshop(
                uow, ticket, Kind.PART_SHIPPED, str(request.id), now,
                request=request.code, quantity=request.quantity, **params,
            )
            await effects.record(origin, "part_ship", request.id, now)
            shipped = await store.request_by_id(request.id)
        return StockResult(StockOutcome.DONE, part, request.quantity, ticket, shipped)

    async def arrived(self, who: Principal, code: str, origin: int | None = None) -> StockResult:
        """A shipment from head office is at the workshop: its stock and the ticket's
        reservation go up, and the customer hears the repair goes on."""
        request_code = normalize_request_code(code)
        if request_code is None:
            return StockResult(StockOutcome.NOT_FOUND)
        now = self._clock.now()
        async with self._storage.unit() as uow:
            store, tickets = uow.parts, uow.tickets
            effects = uow.effects
            if (earlier := await effects.recall(origin, "part_arrived", now)) is not None:
                request = await store.request_by_id(int(earlier))
                return StockResult(StockOutcome.DONE, request=request)
            request = await store.request(request_code)
            if request is None or not may_stock(who, request.workshop_code):
                return StockResult(StockOutcome.NOT_FOUND)
            part = self.catalogue.get(request.sku)
            if request.status != "shipped":
                arrived_before = request.status == "arrived"
                outcome = StockOutcome.ALREADY if arrived_before else StockOutcome.NOT_SHIPPED
                return StockResult(outcome, part, request.quantity, request=request)
            ticket = await tickets.by_id(request.ticket_id)
            assert ticket is not None
            location, sku, quantity = request.workshop_code, request.sku, request.quantity
            await store.mark_arrived(request.id, now)
            await store.add(location, sku, quantity)
            await store.record(
                now, who.user_id, sku, IN_TRANSIT, location, quantity, "arrive",
                ticket.id, request.id,
            )
            await tickets.add_event(
                ticket.id, now, who.user_id, who.role, "part_arrived",
                note=f"{request.code}: {sku} × {quantity}",
            )
            current = Status(ticket.status)
            if current in OPEN_STATUSES:
                assert await store.reserve(location, sku, quantity)
                await store.change_reservation(ticket.id, sku, location, quantity)
                await store.record(
                    now, who.user_id, sku, location, location, quantity, "reserve",
                    ticket.id, request.id,
                )
                await tell_customer(uow, ticket, Kind.PART_ARRIVED, str(request.id), now, sku=sku)
            waiting = [r for r in await store.of_ticket(ticket.id) if r.status in UNARRIVED]
            if current is Status.WAITING_PARTS and not waiting:
                await tickets.set_status(ticket.id, Status.REPAIRING, now)
                await tickets.add_event(
                    ticket.id, now, who.user_id, who.role, "status",
                    from_status=current, to_status=Status.REPAIRING,
                )
            await effects.record(origin, "part_arrived", request.id, now)
            arrived = await store.request_by_id(request.id)
        return StockResult(StockOutcome.DONE, part, quantity, ticket, arrived)

    async def set_minimum(
        self, who: Principal, location: str, sku: str, quantity: int
    ) -> StockResult:
        """Head office's minimum for a part at a location, over the parts file's. Setting
        a value twice is setting it once, so a replayed update needs no record."""
        part = self.catalogue.get(sku)
        if part is None:
            return StockResult(StockOutcome.UNKNOWN_PART)
        if not 0 <= quantity <= MAX_QUANTITY:
            return StockResult(StockOutcome.BAD_QUANTITY, part)
        if not who.is_head_office:
            return StockResult(StockOutcome.FORBIDDEN, part)
        async with self._storage.unit() as uow:
            await uow.parts.set_minimum(location, part.sku, quantity)
        return StockResult(StockOutcome.DONE, part, quantity)


def _refused_input(part: Part | None, quantity: int) -> StockResult | None:
    if part is None:
        return StockResult(StockOutcome.UNKNOWN_PART)
    if not 1 <= quantity <= MAX_QUANTITY:
        return StockResult(StockOutcome.BAD_QUANTITY, part, quantity)
    return None


def _refused_ticket(
    who: Principal, ticket: TicketRecord | None, part: Part, quantity: int
) -> StockResult | None:
    """Why `who` may not put parts on `ticket` now, or None if they may."""
    if ticket is None or not who.may_handle(ticket):
        return StockResult(StockOutcome.NOT_FOUND, part, quantity)
    if Status(ticket.status) not in OPEN_STATUSES:
        return StockResult(StockOutcome.CLOSED, part, quantity, ticket)
    return None


async def _earlier_need(uow: UnitOfWork, earlier: str, part: Part, quantity: int) -> StockResult:
    """What a replayed /needpart did the first time."""
    kind, _, ref = earlier.partition(":")
    store = uow.parts
    if kind == "request":
        return StockResult(
            StockOutcome.REQUESTED, part, quantity, request=await store.request_by_id(int(ref))
        )
    return StockResult(StockOutcome.RESERVED, part, quantity, await uow.tickets.by_id(int(ref)))


async def release_reserved(
    uow: UnitOfWork, ticket: TicketRecord, actor_id: int, now: datetime
) -> None:
    """A closed ticket needs nothing set aside: what was reserved for it is free again, in
    the transaction that closes it."""
    store = uow.parts
    location = ticket.workshop_code
    for sku, quantity in (await store.reservations_of(ticket.id)).items():
        assert await store.unreserve(location, sku, quantity)
        await store.change_reservation(ticket.id, sku, location, -quantity)
        await store.record(now, actor_id, sku, location, location, quantity, "release", ticket.id)
