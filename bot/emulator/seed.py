"""Demo data for the emulator: a few weeks of a plausible repair network.

Everything goes through the same domain services the bot uses (fault reports, bookings, the
ticket desk) with a clock that is set back to when each thing happened, so tickets carry
real histories, estimates, ratings and outbox entries, exactly as if people had used the bot.
Nothing here writes SQL.

What happened before the emulator started has been "delivered" already: pending messages
that fell due in the past are marked skipped, so the start is quiet. Messages due later
(drop-off reminders, pickup reminders, feedback requests) stay pending and go out when the
page skips time forward.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from bot.booking import BookingRequest, Refusal
from bot.config import Settings
from bot.emulator.personas import FIRST_SEEDED_CUSTOMER_ID, FIRST_SEEDED_STAFF_ID
from bot.fault_reports import Outcome, Step
from bot.i18n import Lang, pick
from bot.roles import Principal, Role
from bot.services import Services
from bot.storage.tickets import TicketRecord
from bot.tickets import Status
from bot.troubleshooting import BOOK, TroubleshootingTree
from bot.workshops import Workshop

HISTORY_DAYS = 27
SEED = 2026

CUSTOMERS: list[tuple[str, str, str]] = [
    ("Olivia", "Bennett", "en"),
    ("James", "Walker", "en"),
    ("Sophie", "Turner", "en"),
    ("Liam", "Hughes", "en"),
    ("Grace", "Mitchell", "en"),
    ("Екатерина", "Морозова", "ru"),
    ("Сергей", "Волков", "ru"),
    ("Наталья", "Козлова", "ru"),
    ("Андрей", "Новиков", "ru"),
    ("Юлия", "Егорова", "ru"),
    ("Михаил", "Зайцев", "ru"),
    ("Светлана", "Павлова", "ru"),
    ("Владимир", "Семёнов", "ru"),
    ("Ксения", "Голубева", "ru"),
]
STAFF_NAMES: list[tuple[str, str, str]] = [
    ("Pavel", "Orlov", "en"),
    ("Ирина", "Волкова", "ru"),
    ("Oleg", "Sidorov", "en"),
    ("Марина", "Белова", "ru"),
    ("Victor", "Romanov", "en"),
    ("Галина", "Титова", "ru"),
    ("Denis", "Makarov", "en"),
    ("Людмила", "Фролова", "ru"),
    ("Roman", "Ivanov", "en"),
    ("Вера", "Комарова", "ru"),
    ("Artem", "Lebedev", "en"),
    ("Оксана", "Гусева", "ru"),
    ("Kirill", "Sokolov", "en"),
    ("Дарья", "Лазарева", "ru"),
    ("Maxim", "Kovalev", "en"),
    ("Полина", "Соболева", "ru"),
    ("Gleb", "Vinogradov", "en"),
    ("Алина", "Медведева", "ru"),
    ("Stepan", "Borisov", "en"),
    ("Зоя", "Крылова", "ru"),
]

# Final status -> (tickets, booked how many days before now: from, to). A ticket stops
# earlier when its next step would still lie in the future.
PLANS: dict[Status, tuple[int, float, float]] = {
    Status.PICKED_UP: (16, 9.0, HISTORY_DAYS),
    Status.READY: (5, 4.0, 12.0),
    Status.REPAIRING: (5, 3.0, 9.0),
    Status.WAITING_PARTS: (5, 4.0, 14.0),
    Status.DIAGNOSING: (5, 1.5, 7.0),
    Status.RECEIVED: (4, 1.0, 4.0),
    Status.BOOKED: (7, 0.0, 2.0),
    Status.CANCELLED: (7, 1.0, HISTORY_DAYS),
    Status.NO_SHOW: (4, 2.0, HISTORY_DAYS),
}
SELF_RESOLVED = 18
ABANDONED = 6
WALK_INS = 4

PRICES: dict[str, tuple[int, int]] = {
    "phone": (2500, 12000),
    "laptop": (3000, 25000),
    "tv": (4000, 30000),
    "washer": (3500, 15000),
    "fridge": (4000, 20000),
    "footwear": (800, 4000),
}
QUOTE_COMMENTS: dict[str, list[str]] = {
    "phone": ["Charging port replacement", "New battery", "Screen replacement"],
    "laptop": ["Fan cleaning and thermal paste", "Keyboard replacement", "New battery"],
    "tv": ["Power board replacement", "Backlight strips", "Main board repair"],
    "washer": ["Drain pump replacement", "Door seal replacement", "Drum bearings"],
    "fridge": ["Compressor relay", "Thermostat replacement", "Refrigerant recharge"],
    "footwear": ["Resoling", "Zip replacement", "Heel repair"],
}
WALK_IN_NOTES = [
    "Cracked screen, brought in by a neighbour",
    "Heel came off; customer has no Telegram",
    "Does not turn on after a fall",
    "Zip broken, customer will call",
]


class SeedClock:
    """A hand-set clock: the seed moves it to when each thing happened."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


@dataclass(frozen=True)
class SeededPerson:
    user_id: int
    first_name: str
    last_name: str
    language: str
    workshop: str | None = None
    workshop_name: str | None = None


@dataclass
class SeedResult:
    customers: list[SeededPerson] = field(default_factory=list)
    staff: list[SeededPerson] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    self_resolved: int = 0
    estimates: int = 0

    @property
    def tickets(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> str:
        spread = ", ".join(f"{status} {n}" for status, n in sorted(self.statuses.items()))
        return (
            f"{self.tickets} tickets ({spread}); {self.self_resolved} faults fixed at home; "
            f"{len(self.customers)} customers, {len(self.staff)} staff"
        )


async def seed_demo_data(
    settings: Settings, now: datetime, head_office_id: int, seed: int = SEED
) -> SeedResult:
    """Fill the (fresh) database of `settings` with a few weeks of history up to `now`."""
    clock = SeedClock(now - timedelta(days=HISTORY_DAYS + 1))
    services = await Services.open(settings, clock)
    try:
        seeder = _Seeder(services, clock, now, head_office_id, random.Random(seed))
        return await seeder.run()
    finally:
        await services.close()


class _Seeder:
    def __init__(
        self,
        services: Services,
        clock: SeedClock,
        now: datetime,
        head_office_id: int,
        rng: random.Random,
    ) -> None:
        self.services = services
        self.clock = clock
        self.now = now
        self.head_office_id = head_office_id
        self.rng = rng
        self.result = SeedResult()
        self.staff_of: dict[str, list[int]] = {}

    # ------------------------------------------------------------------ people

    async def run(self) -> SeedResult:
        await self._people()
        workshops = list(self.services.network.workshops.values())
        finals = [status for status, (count, _, _) in PLANS.items() for _ in range(count)]
        self.rng.shuffle(finals)
        for final in finals:
            await self._story(self.rng.choice(workshops), final)
        for number in range(WALK_INS):
            await self._walk_in(self.rng.choice(workshops), WALK_IN_NOTES[number])
        for _ in range(SELF_RESOLVED):
            await self._report(resolved=True)
        for _ in range(ABANDONED):
            await self._report(resolved=False)
        await self._quiet_past()
        return self.result

    async def _people(self) -> None:
        self.clock.moment = self.now - timedelta(days=HISTORY_DAYS + 1)
        customers = self.services.customers
        for number, (first, last, language) in enumerate(CUSTOMERS):
            person = SeededPerson(FIRST_SEEDED_CUSTOMER_ID + number, first, last, language)
            await customers.remember(person.user_id, first, last, None, language, self.clock.now())
            self.result.customers.append(person)
        roles = self.services.storage.roles
        names = itertools.cycle(STAFF_NAMES)
        user_id = FIRST_SEEDED_STAFF_ID
        for code in self.services.network.workshops:
            for _ in range(2):
                first, last, language = next(names)
                await customers.remember(user_id, first, last, None, language, self.clock.now())
                await roles.set_staff(user_id, code, self.head_office_id, self.clock.now())
                name = self.services.network.workshops[code].title(Lang.EN)
                self.result.staff.append(SeededPerson(user_id, first, last, language, code, name))
                self.staff_of.setdefault(code, []).append(user_id)
                user_id += 1

    def _staff(self, code: str) -> Principal:
        return Principal(self.rng.choice(self.staff_of[code]), Role.STAFF, code)

    # ------------------------------------------------------------------ the tree

    def _walk(self, category: str, resolve: bool) -> tuple[list[Step], bool] | None:
        """A path through the tree: to a fix that helped, or on to a booking."""
        tree: TroubleshootingTree = self.services.tree
        found = tree.category(category)
        assert found is not None
        for _ in range(20):
            node = tree.node(found.start)
            path: list[Step] = []
            while node is not None:
                if node.is_fix:
                    if resolve:
                        path.append(Step(fix=node.id, helped="y"))
                        return path, True
                    path.append(Step(fix=node.id, helped="n"))
                    target = node.next or BOOK
                else:
                    option = self.rng.choice(node.options)
                    path.append(Step(node=node.id, answer=pick(option.label, Lang.EN)))
                    target = option.next
                if target == BOOK:
                    break
                node = tree.node(target)
            if not resolve:
                return path, False
        return None

    async def _report(self, resolved: bool) -> None:
        customer = self.rng.choice(self.result.customers)
        category = self.rng.choice(list(self.services.tree.categories))
        self.clock.moment = self.now - timedelta(days=self.rng.uniform(0.2, HISTORY_DAYS))
        walked = self._walk(category, resolve=resolved)
        if walked is None:
            return
        path, _ = walked
        reports = self.services.reports
        case_id = await reports.start(customer.user_id, category)
        self.clock.moment += timedelta(minutes=self.rng.uniform(1, 8))
        if resolved:
            await reports.close(case_id, Outcome.SELF_RESOLVED, path)
            self.result.self_resolved += 1
        else:
            await reports.close(case_id, Outcome.ABANDONED, path[:1])

    # ------------------------------------------------------------------ tickets

    async def _book(
        self, customer: SeededPerson, workshop: Workshop, at: datetime, future: bool
    ) -> TicketRecord | None:
        services = self.services
        category = self.rng.choice(workshop.categories)
        walked = self._walk(category, resolve=False)
        if walked is None:
            return None
        path, _ = walked
        self.clock.moment = at
        case_id = await services.reports.start(customer.user_id, category)
        self.clock.moment = at + timedelta(minutes=self.rng.uniform(2, 10))
        zone = services.network.zone(workshop.code)
        earliest = (self.now if future else self.clock.now()).astimezone(zone).date()
        earliest += timedelta(days=self.rng.choice([0, 1, 1, 2, 3]))
        days = [d for d in await services.bookings.open_days(workshop.code) if d >= earliest]
        if not days:
            await services.reports.close(case_id, Outcome.ABANDONED, path)
            return None
        slots = await services.bookings.free_slots(workshop.code, days[0])
        slots = [s for s in slots if s > self.now] if future else slots
        if not slots:
            await services.reports.close(case_id, Outcome.ABANDONED, path)
            return None
        phone = None
        if self.rng.random() < 0.7:
            phone = f"+7 9{self.rng.randint(10, 99)} {self.rng.randint(100, 999)} "
            phone += f"{self.rng.randint(10, 99)} {self.rng.randint(10, 99)}"
            await services.customers.set_phone(customer.user_id, phone)
        booked = await services.bookings.book(
            BookingRequest(
                customer_id=customer.user_id,
                workshop_code=workshop.code,
                category=category,
                slot_start=self.rng.choice(slots[: max(1, len(slots) // 2)]),
                phone=phone,
                case_id=case_id,
                path=path,
            )
        )
        if isinstance(booked, Refusal):
            await services.reports.close(case_id, Outcome.ABANDONED, path)
            return None
        return booked

    async def _story(self, workshop: Workshop, final: Status) -> None:
        """One customer's ticket from booking to `final`, or as far as time allows."""
        _, low, high = PLANS[final]
        at = self.now - timedelta(days=self.rng.uniform(low, high))
        ticket = None
        for customer in self.rng.sample(self.result.customers, 4):
            ticket = await self._book(customer, workshop, at, future=final is Status.BOOKED)
            if ticket is not None:
                break
        if ticket is None:
            return
        assert ticket.customer_id is not None and ticket.slot_start is not None
        status = await self._lifecycle(ticket, final, ticket.customer_id)
        self.result.statuses[status] += 1

    async def _walk_in(self, workshop: Workshop, note: str) -> None:
        self.clock.moment = self.now - timedelta(days=self.rng.uniform(1, 15))
        category = self.rng.choice(workshop.categories)
        created = await self.services.desk.walk_in(self._staff(workshop.code), category, note)
        final = self.rng.choice([Status.DIAGNOSING, Status.REPAIRING, Status.PICKED_UP])
        status = await self._after_receipt(created.ticket, final, None, Status.RECEIVED)
        self.result.statuses[status] += 1

    async def _move(
        self, ticket: TicketRecord, status: Status, after: timedelta, note: str | None = None
    ) -> bool:
        """Move on `after` the current moment, unless that moment is still to come."""
        moment = self.clock.now() + after
        if moment > self.now:
            return False
        self.clock.moment = moment
        moved = await self.services.desk.move(
            self._staff(ticket.workshop_code), ticket.code, status, note
        )
        return moved.ticket is not None and moved.ticket.status == status

    def _hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))

    async def _lifecycle(self, ticket: TicketRecord, final: Status, customer_id: int) -> Status:
        assert ticket.slot_start is not None
        if final is Status.BOOKED:
            return Status.BOOKED
        if final is Status.CANCELLED and self.rng.random() < 0.6:
            # The customer cancels before the drop-off.
            moment = self.clock.now() + (ticket.slot_start - self.clock.now()) * self.rng.uniform(
                0.2, 0.8
            )
            if moment <= self.now:
                self.clock.moment = moment
                await self.services.bookings.cancel(customer_id, ticket.code)
                return Status.CANCELLED
            return Status.BOOKED
        self.clock.moment = max(self.clock.now(), ticket.slot_start)
        if final is Status.NO_SHOW:
            done = await self._move(ticket, Status.NO_SHOW, self._hours(2, 5))
            return Status.NO_SHOW if done else Status.BOOKED
        if not await self._move(ticket, Status.RECEIVED, self._hours(0, 0.4)):
            return Status.BOOKED
        return await self._after_receipt(ticket, final, customer_id, Status.RECEIVED)

    async def _after_receipt(
        self, ticket: TicketRecord, final: Status, customer_id: int | None, status: Status
    ) -> Status:
        desk = self.services.desk
        if final is Status.RECEIVED:
            return status
        if not await self._move(ticket, Status.DIAGNOSING, self._hours(2, 20)):
            return status
        status = Status.DIAGNOSING
        if final is Status.DIAGNOSING:
            return status
        declined = False
        if customer_id is not None and self.rng.random() < 0.55:
            self.clock.moment = min(self.now, self.clock.now() + self._hours(1, 8))
            low, high = PRICES.get(ticket.category, (1000, 10000))
            amount = Decimal(self.rng.randrange(low, high, 100))
            comment = self.rng.choice(QUOTE_COMMENTS.get(ticket.category, ["Repair"]))
            await desk.quote(self._staff(ticket.workshop_code), ticket.code, amount, comment)
            self.result.estimates += 1
            answer_at = self.clock.now() + self._hours(1, 30)
            estimate = await desk.latest_estimate(ticket)
            if estimate is not None and answer_at <= self.now:
                self.clock.moment = answer_at
                approved = self.rng.random() < 0.75
                await desk.answer_estimate(customer_id, estimate.id, approved)
                declined = not approved
            elif final not in (Status.CANCELLED,):
                return status  # still waiting for the customer's answer
        if final is Status.CANCELLED:
            done = await self._move(ticket, Status.CANCELLED, self._hours(1, 24), "Repair refused")
            return Status.CANCELLED if done else status
        if declined:
            if not await self._move(
                ticket, Status.READY, self._hours(1, 10), "Returned without repair"
            ):
                return status
            status = Status.READY
            if final is not Status.PICKED_UP:
                return status
        else:
            if self.rng.random() < 0.35 or final is Status.WAITING_PARTS:
                if not await self._move(
                    ticket, Status.WAITING_PARTS, self._hours(1, 8), "Part ordered"
                ):
                    return status
                status = Status.WAITING_PARTS
                if final is Status.WAITING_PARTS:
                    return status
                after = timedelta(days=self.rng.uniform(1, 6))
            else:
                after = self._hours(1, 12)
            if not await self._move(ticket, Status.REPAIRING, after):
                return status
            status = Status.REPAIRING
            if self.rng.random() < 0.4:
                zone = self.services.network.zone(ticket.workshop_code)
                eta = self.clock.now().astimezone(zone).date() + timedelta(
                    days=self.rng.randint(1, 5)
                )
                await desk.set_eta(self._staff(ticket.workshop_code), ticket.code, eta)
            if final is Status.REPAIRING:
                return status
            if not await self._move(ticket, Status.READY, self._hours(3, 60)):
                return status
            status = Status.READY
        if final is Status.READY:
            return status
        if not await self._move(ticket, Status.PICKED_UP, self._hours(3, 90)):
            return status
        status = Status.PICKED_UP
        rating_at = self.clock.now() + self._hours(1, 20)
        if customer_id is not None and self.rng.random() < 0.6 and rating_at <= self.now:
            self.clock.moment = rating_at
            stars = self.rng.choices([1, 2, 3, 4, 5], [1, 1, 2, 6, 10])[0]
            await desk.rate(customer_id, ticket.code, stars, [self.head_office_id])
        return status

    # ------------------------------------------------------------------ the outbox

    async def _quiet_past(self) -> None:
        """What fell due before now counts as delivered back then: mark it skipped."""
        outbox = self.services.storage.outbox
        people = [self.head_office_id]
        people += [p.user_id for p in self.result.customers + self.result.staff]
        for chat_id in people:
            for record in await outbox.of_chat(chat_id):
                if record.status == "pending" and record.due_at <= self.now:
                    await outbox.finish(record.id, "skipped", self.now, "demo data: in the past")
