"""The proof that two instances keep the bot's guarantees: two bot processes on one PostgreSQL
behind a load balancer that takes them in turn, a crowd booking a few slots at once, one
instance killed (SIGKILL) midway, then reminders and a broadcast."""

from __future__ import annotations

import asyncio
import re
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from bot.fake_telegram.server import ApiCall, FakeBotApi
from bot.fake_telegram.users import FakeUser
from tests.flows.test_broadcasts import copies, previewed
from tests.flows.test_running_process import bot_environment
from tests.support.balancer import Balancer
from tests.support.bot_runner import Person
from tests.support.clock import FakeClock

pytestmark = pytest.mark.postgresql

FOUR_SLOTS = Path(__file__).parent / "data" / "four_slots.yaml"
SECRET = "two-instances-proof_" + "p" * 24
HEAD_OFFICE = 9000
CUSTOMERS = 100
FIRST_CUSTOMER = 20_001
CAPACITY = 5
"""Drop-offs a slot takes at the workshop in four_slots.yaml."""
WALK = 11
"""Updates from /repair to the confirmation question."""
STEP_TIMEOUT = 60.0
POLL = 0.005
"""Seconds between looks at the shared inbox: waiting, not pacing anything."""
TAKEN = "😔 Sorry, that time has just been taken by someone else."
AFTER_THE_KILL = timedelta(minutes=1)
"""How far time moves once an instance is killed: past any lease it held."""
EVENING = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
"""18:00 in Moscow, the evening before the booked day: the reminders fall due."""
ADOPTED_WITHIN = 5.0
"""Seconds the survivor may take to handle a dead instance's updates, once its leases ran out."""



class Instance:
    """One bot in a process of its own (`tests.support.instance_process`)."""

    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name = name
        self._env = env
        self._logs = logs
        self.port = 0
        self._process: asyncio.subprocess.Process | None = None

    @property
    def running(self) -> bool:
        return self._process is not None

    @property
    def process(self) -> asyncio.subprocess.Process:
        assert self._process is not None, f"instance {self.name} is not running"
        return self._process

    async def start(self, now: datetime) -> None:
        with self._logs.open("a") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.support.instance_process",
                now.isoformat(),
                cwd=self._logs.parent,
                env=self._env,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
            )
        word, _, port = (await self._line()).partition(" ")
        assert word == "ready", f"instance {self.name} did not start; see {self._logs}"
        self.port = int(port)

    async def _line(self) -> str:
        assert self.process.stdout is not None
        return (await asyncio.wait_for(self.process.stdout.readline(), STEP_TIMEOUT)).decode()

    async def ask(self, command: str) -> None:
        """Send a command (``clock MOMENT``, ``tick``, ``sweep``) and wait until it is done."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{command}\n".encode())
        await self.process.stdin.drain()
        assert (await self._line()).strip() == command.split()[0]

    async def kill(self) -> None:
        self.process.kill()
        await self.process.wait()
        self._process = None

    async def stop(self) -> None:
        """Close its stdin, which stops it as SIGTERM stops `python -m bot`."""
        if self._process is None:
            return
        process, self._process = self._process, None
        assert process.stdin is not None
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), STEP_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()

    def errors(self) -> list[str]:
        """What it logged at ERROR or worse, in all its runs."""
        lines = self._logs.read_text().splitlines() if self._logs.exists() else []
        return [line for line in lines if "ERROR" in line or "CRITICAL" in line]

    async def health(self) -> dict[str, Any]:
        """What its /healthz says."""
        url = f"http://127.0.0.1:{self.port}/healthz"
        async with aiohttp.ClientSession() as session, session.get(url) as answer:
            health: dict[str, Any] = await answer.json()
            return health


class Inbox:
    """The shared inbox, read by the test: which of the updates it waits for are handled."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._waiting: dict[int, asyncio.Future[None]] = {}

    @property
    def awaited(self) -> set[int]:
        return set(self._waiting)

    async def handled(self, update_id: int, within: float = STEP_TIMEOUT) -> None:
        if update_id not in self._waiting:
            self._waiting[update_id] = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(asyncio.shield(self._waiting[update_id]), within)
        except TimeoutError:
            raise TimeoutError(f"update {update_id} not handled in {within:.0f} s") from None

    async def watch(self) -> None:
        """Resolve the waits whose updates are recorded handled, as soon as they are."""
        while True:
            if self._waiting:
                rows = await self.pool.fetch(
                    "SELECT update_id FROM inbox WHERE handled_at IS NOT NULL"
                    " AND update_id = ANY($1::bigint[])",
                    list(self._waiting),
                )
                for row in rows:
                    self._waiting.pop(row["update_id"]).set_result(None)
            await asyncio.sleep(POLL)

    async def count_handled(self) -> int:
        return int(
            await self.pool.fetchval("SELECT count(*) FROM inbox WHERE handled_at IS NOT NULL")
        )

    async def unhandled(self) -> set[int]:
        rows = await self.pool.fetch("SELECT update_id FROM inbox WHERE handled_at IS NULL")
        return {row["update_id"] for row in rows}


class Turns:
    """What `Person` needs of a runner, for someone whose updates any instance may handle:
    each step is over once the shared inbox records its update as handled."""

    def __init__(self, api: FakeBotApi, inbox: Inbox) -> None:
        self.api = api
        self.inbox = inbox
        self.sent: dict[int, int] = {}
        """The person's updates, in order, each with how many calls the bot had made before."""

    @property
    def last_update_id(self) -> int:
        return next(reversed(self.sent), 0)

    @last_update_id.setter
    def last_update_id(self, update_id: int) -> None:
        self.sent.setdefault(update_id, len(self.api.calls))

    def answering(self, calls: list[ApiCall], chat_id: int) -> bool:
        """Whether the bot had begun to answer the latest update by the last of ``calls``."""
        since = self.sent.get(self.last_update_id, len(calls))
        return any(call.params.get("chat_id") in (chat_id, str(chat_id)) for call in calls[since:])

    async def settle(self) -> None:
        await self.inbox.handled(self.last_update_id)


class Network:
    """Fake Telegram, the balancer, the shared inbox, the instances "a" and "b", and the
    time they all agree on."""

    def __init__(self, api: FakeBotApi, balancer: Balancer, inbox: Inbox) -> None:
        self.api = api
        self.balancer = balancer
        self.inbox = inbox
        self.instances: dict[str, Instance] = {}
        self.now = FakeClock().now()

    def person(self, user_id: int, first_name: str) -> Person:
        turns: Any = Turns(self.api, self.inbox)
        return Person(turns, FakeUser(self.api, user_id, first_name))

    async def start(self, instance: Instance) -> None:
        """Start it and put it behind the balancer."""
        await instance.start(self.now)
        self.balancer.instances[instance.name] = f"http://127.0.0.1:{instance.port}"

    async def everyone(self, command: str) -> None:
        """The same command to every running instance, at once."""
        running = [instance for instance in self.instances.values() if instance.running]
        await asyncio.gather(*(instance.ask(command) for instance in running))

    async def set_clock(self, moment: datetime) -> None:
        self.now = moment
        await self.everyone(f"clock {moment.isoformat()}")


@pytest.fixture
async def network(api: FakeBotApi, database_url: str, tmp_path: Path) -> AsyncIterator[Network]:
    env = bot_environment(
        tmp_path,
        api,
        DATABASE_URL=database_url,
        WORKSHOPS_FILE=str(FOUR_SLOTS),
        HEAD_OFFICE_IDS=str(HEAD_OFFICE),
        FLOOD_BURST="0",
        LOG_LEVEL="WARNING",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1:0",
    )
    async with (
        Balancer() as balancer,
        asyncpg.create_pool(database_url, min_size=2, max_size=3) as pool,
    ):
        env["WEBHOOK_URL"] = f"{balancer.url}/telegram"
        running = Network(api, balancer, Inbox(pool))
        watcher = asyncio.create_task(running.inbox.watch())
        try:
            for name in ("a", "b"):  # "a" starts first, so it leads
                instance = Instance(name, env, tmp_path / f"{name}.log")
                running.instances[name] = instance
                await running.start(instance)
            yield running
        finally:
            for instance in running.instances.values():
                await instance.stop()
            watcher.cancel()


async def walks_to_confirmation(customer: Person, slot: int) -> None:
    """The booking journey up to its last question, on tomorrow's ``slot``-th time."""
    await customer.reaches_workshops()
    await customer.taps("Four Slots")
    await customer.taps("Tomorrow")
    times = [button for button in customer.buttons() if re.fullmatch(r"\d\d:\d\d", button)]
    await customer.taps(times[slot % len(times)])
    await customer.taps_reply("Skip")  # no phone number


async def halfway(network: Network) -> None:
    """Wait until half the crowd's walk is handled."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STEP_TIMEOUT
    while await network.inbox.count_handled() < CUSTOMERS * WALK // 2:
        assert loop.time() < deadline, "the crowd never got halfway"
        await asyncio.sleep(POLL)


def replies(api: FakeBotApi, chat_id: int) -> Counter[str]:
    """How often the bot sent each text to a chat."""
    return Counter(
        call.params["text"]
        for call in api.calls_of("sendMessage")
        if call.ok and int(call.params["chat_id"]) == chat_id
    )


async def test_two_instances_book_a_crowd_exactly_survive_a_kill_and_remind_and_broadcast_once(
    network: Network, api: FakeBotApi
) -> None:
    a, b = network.instances["a"], network.instances["b"]
    customers = [network.person(FIRST_CUSTOMER + n, f"C{n}") for n in range(CUSTOMERS)]

    # The crowd walks to the last question; halfway, the leader, "a", is killed.
    walks = [
        asyncio.create_task(walks_to_confirmation(customer, n))
        for n, customer in enumerate(customers)
    ]
    await halfway(network)
    await a.kill()
    calls = list(api.calls)
    unhandled = await network.inbox.unhandled()
    assert network.balancer.given["a"] & unhandled, "the kill came mid-run"
    # Updates the kill may have cut short: given to "a", or already being answered (by
    # whichever instance handles the chat), and not recorded handled.
    cut_short = {
        c.id
        for c in customers
        if c.runner.last_update_id in unhandled
        and (
            c.runner.last_update_id in network.balancer.given["a"]
            or c.runner.answering(calls, c.id)
        )
    }
    # What "a" stored and never handled, and the chats it was in the middle of, "b" takes
    # up by itself (once it has seen them unheld for a while, or their leases ran out):
    # "a" stays dead to the end.
    await network.everyone("sweep")
    await network.set_clock(network.now + AFTER_THE_KILL)
    await network.everyone("sweep")
    await asyncio.gather(*walks)
    assert set(network.balancer.passed) == {"a", "b"}

    # Everyone confirms at once, on both instances: the slots fill, exactly.
    await asyncio.gather(*(customer.taps("Confirm") for customer in customers))
    per_slot = await network.inbox.pool.fetch(
        "SELECT slot_start, count(*) AS booked FROM tickets WHERE status = 'booked'"
        " GROUP BY slot_start ORDER BY slot_start"
    )
    assert [row["booked"] for row in per_slot] == [CAPACITY] * 4
    booked = [c for c in customers if any("Booked!" in text for text in c.texts())]
    turned_away = [c for c in customers if any(TAKEN in text for text in c.texts())]
    assert len(booked) == 4 * CAPACITY
    assert len(turned_away) == CUSTOMERS - len(booked)
    assert not {c.id for c in booked} & {c.id for c in turned_away}

    # The evening before, on both instances: a reminder to each who booked.
    await network.set_clock(EVENING)
    await network.everyone("tick")
    await api.wait_for(
        lambda: all(any("⏰ Reminder" in text for text in c.texts()) for c in booked),
        timeout=STEP_TIMEOUT,
    )

    # Head office broadcasts, through whichever instance; the leader, now "b", sends it.
    assert (await b.health())["leader"]
    office = network.person(HEAD_OFFICE, "Olga")
    body = "Our workshops are open on Sunday"
    preview = await previewed(office, "/broadcast", body)
    await office.taps("Confirm", preview["message_id"])
    await network.everyone("tick")
    await api.wait_for(
        lambda: all(copies(api, customer.id, body) for customer in customers),
        timeout=STEP_TIMEOUT,
    )
    await network.everyone("tick")  # nothing due is left to go out a second time

    for customer in customers:
        sent = replies(api, customer.id)
        reminders = [text for text in sent if "⏰ Reminder" in text]
        assert len(reminders) == (customer in booked)
        assert sent[body] == 1
        # Each reply once, except that an update whose handling the kill cut short between
        # its replies and being recorded handled is handled again: its replies go out twice.
        once = 2 if customer.id in cut_short else 1
        assert max(sent.values()) <= once, f"customer {customer.id} got {sent}"
    assert a.errors() == b.errors() == []


async def test_what_a_killed_instance_stored_is_handled_by_the_survivor_within_seconds(
    network: Network, api: FakeBotApi
) -> None:
    a, b = network.instances["a"], network.instances["b"]
    stranded = [network.person(FIRST_CUSTOMER + n, f"S{n}") for n in range(5)]
    holds = [api.hold(customer.id) for customer in stranded]
    network.balancer.route = "a"
    update_ids = [customer.user.send_command("/repair") for customer in stranded]
    await api.wait_for(lambda: api.held_calls() == len(stranded), timeout=STEP_TIMEOUT)
    await a.kill()  # each one mid-answer: stored in the inbox, not handled
    for hold in holds:
        hold.set()
    network.balancer.route = ""

    await network.set_clock(network.now + AFTER_THE_KILL)
    await b.ask("tick")
    waits = (network.inbox.handled(update, ADOPTED_WITHIN) for update in update_ids)
    await asyncio.gather(*waits)
    for customer in stranded:
        await customer.command("/help")
