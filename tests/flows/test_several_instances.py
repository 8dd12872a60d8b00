"""Two instances on one PostgreSQL: one leader plans the digests and scheduled broadcasts and
sends broadcasts, and another takes over when it stops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from aiohttp import ClientSession
from pydantic import SecretStr

from bot.config import Listen, Settings
from bot.fake_telegram.server import FakeBotApi
from bot.handlers.broadcasts import WORKERS
from bot.runtime.leadership import TRY_EVERY, LeaderElection
from bot.storage.leadership import LEADER_LOCK
from bot.storage.tickets import NewTicket, Tickets
from tests.flows.test_broadcasts import (
    broadcast_id,
    copies,
    deliveries,
    finish,
    previewed,
    seed_customers,
)
from tests.flows.test_operator_endpoints import get, samples, value
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock
from tests.support.postgres import TEST_DATABASE_URL

pytestmark = pytest.mark.postgresql

HEAD_OFFICE = 9000
MOSCOW = ZoneInfo("Europe/Moscow")
SECRET = "several-instances-secret_" + "x" * 20
DIGEST = "Overdue tickets"


class Naps:
    """An instance's pauses between its election's tries: each ends when the test says."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self._passes: asyncio.Queue[None] = asyncio.Queue()

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await self._passes.get()

    def let_one_pass(self) -> None:
        self._passes.put_nowait(None)


@pytest.fixture
async def instances(
    api: FakeBotApi,
    settings: Settings,
    clock: FakeClock,
    unused_tcp_port_factory: Callable[[], int],
) -> AsyncIterator[tuple[BotRunner, BotRunner]]:
    """Two instances in webhook mode on one database; the second set the webhook last, so
    Telegram sends every update to it."""
    runners = []
    for _ in range(2):
        port = unused_tcp_port_factory()
        hooked = settings.model_copy(
            update={
                "head_office_ids": frozenset({HEAD_OFFICE}),
                "webhook_url": f"http://127.0.0.1:{port}/telegram",
                "webhook_secret": SecretStr(SECRET),
                "webhook_listen": Listen(host="127.0.0.1", port=port),
            }
        )
        runners.append(BotRunner(api, hooked, clock, sleep=Naps()))
    first, second = runners
    try:
        await first.start()
        await second.start()
        yield first, second
    finally:
        await second.stop()
        await first.stop()


def naps(runner: BotRunner) -> Naps:
    sleep = runner.options["sleep"]
    assert isinstance(sleep, Naps)
    return sleep


def election(runner: BotRunner) -> LeaderElection:
    assert runner.app is not None
    leadership: LeaderElection = runner.app.bot_data["leadership"]
    return leadership


async def leads(runner: BotRunner) -> tuple[bool, float | None]:
    """What the instance's /healthz and /metrics say of its leadership."""
    assert runner.app is not None
    port = runner.app.bot_data["web"].port
    async with (
        ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/healthz") as answer,
    ):
        healthz = (await answer.json())["leader"]
    _, exposition = await get(runner, "/metrics")
    return healthz, value(samples(exposition), "repairbot_leader")


async def broadcast_sends(runner: BotRunner) -> float:
    _, exposition = await get(runner, "/metrics")
    return value(samples(exposition), "repairbot_messages_sent_total", lane="broadcast") or 0


def digests(office: Person) -> int:
    return sum(1 for body in office.texts() if DIGEST in body)


async def confirmed(office: Person, command: str, args: str) -> int:
    """Preview and confirm a broadcast; its id."""
    preview = await previewed(office, command, args)
    await office.taps("Confirm", preview["message_id"])
    return broadcast_id(preview)


async def sending_held(
    leader: BotRunner, follower: BotRunner, api: FakeBotApi, body: str
) -> tuple[int, list[int], list[asyncio.Event]]:
    """A broadcast to a dozen customers, confirmed on the follower and sent by the leader,
    whose workers are each stuck in a send Telegram holds; its id, recipients and holds."""
    customers = await seed_customers(leader, range(3001, 3013))
    holds = [api.hold(customer) for customer in customers]
    number = await confirmed(follower.person(HEAD_OFFICE, "Olga"), "/broadcast", body)
    await leader.tick()
    await api.wait_for(lambda: api.held_calls() == WORKERS)
    return number, customers, holds


def moscow(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=MOSCOW)


async def test_the_leader_plans_the_digest_and_sends_broadcasts_once_and_another_takes_over(
    instances: tuple[BotRunner, BotRunner],
    api: FakeBotApi,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.runtime.leadership")
    leader, follower = instances
    assert election(leader).is_leader and not election(follower).is_leader
    assert await leads(leader) == (True, 1)
    assert await leads(follower) == (False, 0)
    office = follower.person(HEAD_OFFICE, "Olga")
    await office.command("/start")
    customers = await seed_customers(leader, range(2001, 2006))
    assert leader.app is not None
    await Tickets(leader.app.bot_data["services"].db).insert(
        NewTicket(
            code="SR-LATE",
            customer_id=customers[0],
            workshop_code="SPB-LIGOVSKY",
            category="washer",
            slot_start=None,
            status="received",
            phone=None,
            case_id=None,
            description=None,
        ),
        clock.now() - timedelta(days=3),
    )

    # 09:00, the digest is due: the follower's tick plans nothing, the leader's plans it.
    clock.set(moscow(26, 9))
    await follower.tick()
    assert digests(office) == 0
    await leader.tick()
    await follower.tick()
    assert digests(office) == 1

    # Head office, talking to the follower, starts a broadcast and schedules another.
    now_body = "Our workshops are open on Sunday"
    noon_body = "Lunch offer: express repairs today from 12:00"
    await confirmed(office, "/broadcast", now_body)
    await confirmed(office, "/broadcast_at", f"2026-11-26 12:00 {noon_body}")
    assert sum(copies(api, customer, now_body) for customer in customers) == 0, (
        "the follower sends no broadcast"
    )
    await follower.tick()
    await leader.tick()
    await finish(leader)
    assert [copies(api, customer, now_body) for customer in customers] == [1] * 5

    clock.set(moscow(26, 12))
    await follower.tick()
    await leader.tick()
    await follower.tick()
    await finish(leader)
    assert [copies(api, customer, noon_body) for customer in customers] == [1] * 5
    assert await broadcast_sends(leader) == 10
    assert await broadcast_sends(follower) == 0

    # The leader stops; a broadcast confirmed meanwhile waits for the next leader, which the
    # follower becomes at its next try.
    await leader.stop()
    late_body = "We are hiring mechanics"
    await confirmed(office, "/broadcast", late_body)
    assert sum(copies(api, customer, late_body) for customer in customers) == 0
    took_over = asyncio.Event()

    async def note(leading: bool) -> None:
        if leading:
            took_over.set()

    election(follower).on_change(note)
    naps(follower).let_one_pass()
    async with asyncio.timeout(5):
        await took_over.wait()
    assert naps(follower).asked[0] == TRY_EVERY
    await finish(follower)
    assert [copies(api, customer, late_body) for customer in customers] == [1] * 5
    assert await leads(follower) == (True, 1)
    assert any("is now the leader" in record.message for record in caplog.records)

    # The next morning's digest still goes out once.
    clock.set(moscow(27, 9))
    await follower.tick()
    await follower.tick()
    assert digests(office) == 2


async def test_a_broadcast_cancelled_on_the_follower_stops_on_the_leader(
    instances: tuple[BotRunner, BotRunner], api: FakeBotApi
) -> None:
    leader, follower = instances
    body = "Head office pressed send too early"
    number, _, holds = await sending_held(leader, follower, api, body)

    answer = await previewed(follower.person(HEAD_OFFICE, "Olga"), "/broadcast_cancel", str(number))
    assert answer["text"].startswith(f"✖️ Broadcast #{number} cancelled")
    for hold in holds:
        hold.set()
    assert leader.app is not None
    await leader.app.bot_data["broadcaster"].wait(number)

    assert deliveries(api, body) == WORKERS, "only the messages already on their way went out"


async def test_a_leader_cut_off_midway_stops_and_the_next_finishes_without_second_copies(
    instances: tuple[BotRunner, BotRunner],
    api: FakeBotApi,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.runtime.leadership")
    leader, follower = instances
    body = "Our workshops are open on Sunday"
    number, customers, holds = await sending_held(leader, follower, api, body)
    stepped_down = asyncio.Event()

    async def note(leading: bool) -> None:
        if not leading:
            stepped_down.set()

    election(leader).on_change(note)

    # The leader's connection to the database is cut: the server frees its lock.
    assert settings.database_url is not None
    schema = parse_qs(urlsplit(settings.database_url.get_secret_value()).query)["search_path"][0]
    admin = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        assert await admin.fetchval(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
            " AND classid = $1 AND objid = hashtext($2)::oid AND objsubid = 2",
            LEADER_LOCK,
            schema,
        )
    finally:
        await admin.close()
    async with asyncio.timeout(5):
        await stepped_down.wait()
    assert any("is no longer the leader" in record.message for record in caplog.records)
    for hold in holds:
        hold.set()
    assert leader.app is not None
    await leader.app.bot_data["broadcaster"].wait(number)
    assert deliveries(api, body) == WORKERS, "the old leader stopped after its sends in flight"

    assert await election(follower).attempt()
    await finish(follower)
    assert [copies(api, customer, body) for customer in customers] == [1] * len(customers)
    assert await broadcast_sends(leader) == WORKERS
    assert await broadcast_sends(follower) == len(customers) - WORKERS
    assert not await election(leader).attempt(), "the old leader is a follower now"
