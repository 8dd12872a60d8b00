"""Two instances of the bot on one database: each message of the outbox goes out once, from
whichever instance claimed it, and one a dead instance claimed goes out once its claim ends."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable

import pytest
from pydantic import SecretStr

from bot.config import Listen, Settings
from bot.fake_telegram.server import FakeBotApi
from bot.handlers.delivery import LEASE
from bot.storage.outbox import Outbox
from tests.flows.test_notifications import book, local
from tests.support.bot_runner import SETTLE_TIMEOUT, BotRunner
from tests.support.clock import FakeClock
from tests.support.day_shop import DAY_WORKSHOP

CUSTOMERS = (1001, 1002, 1003, 1004)
TIMES = ("10:00", "11:00", "12:00", "13:00")
"""Tomorrow's drop-off time of each customer: one booking per slot."""
SECRET = "several-postmen_" + "p" * 32


@pytest.fixture
async def pair(
    api: FakeBotApi, settings: Settings, clock: FakeClock, unused_tcp_port: int
) -> AsyncIterator[tuple[BotRunner, BotRunner]]:
    """Instances A and B on one database and one fake Telegram, in webhook mode (two pollers
    would take each other's updates). Telegram posts every update to A; B only delivers."""
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram"
    shared = settings.model_copy(
        update={
            "workshops_file": DAY_WORKSHOP,
            "webhook_url": url,
            "webhook_secret": SecretStr(SECRET),
        }
    )
    a, b = (
        BotRunner(api, shared.model_copy(update={"webhook_listen": listen}), clock)
        for listen in (
            Listen(host="127.0.0.1", port=unused_tcp_port),
            Listen(host="127.0.0.1", port=0),
        )
    )
    await a.start()
    try:
        await b.start()
        try:
            yield a, b
        finally:
            await b.stop()
    finally:
        await a.stop()


def reminders_per_chat(api: FakeBotApi) -> Counter[int]:
    return Counter(
        call.params["chat_id"]
        for call in api.calls_of("sendMessage")
        if call.ok and "Reminder: tomorrow" in call.params.get("text", "")
    )


async def test_two_instances_delivering_at_once_send_each_reminder_once(
    pair: tuple[BotRunner, BotRunner], clock: FakeClock, api: FakeBotApi
) -> None:
    a, b = pair
    for customer, time in zip(CUSTOMERS, TIMES, strict=True):
        await book(a.person(customer), time=time)

    booked = len(api.calls)

    clock.set(local(26, 18, 0))
    await asyncio.gather(a.tick(), b.tick())
    await asyncio.gather(a.tick(), b.tick())

    assert reminders_per_chat(api) == dict.fromkeys(CUSTOMERS, 1)
    venues = Counter(
        call.params["chat_id"] for call in api.calls[booked:] if call.method == "sendVenue"
    )
    assert venues == dict.fromkeys(CUSTOMERS, 1), "each map pin once, after its reminder"


async def test_reminders_a_dead_instance_had_claimed_go_out_once_its_claim_runs_out(
    pair: tuple[BotRunner, BotRunner], clock: FakeClock, api: FakeBotApi
) -> None:
    a, b = pair
    for customer, time in zip(CUSTOMERS[:2], TIMES[:2], strict=True):
        await book(a.person(customer), time=time)
    clock.set(local(26, 18, 0))
    dead = Outbox(b.app.bot_data["services"].db)
    assert len(await dead.claim_due("gone:1:dead00", clock.now(), LEASE, 50)) == 2

    await asyncio.gather(a.tick(), b.tick())
    assert reminders_per_chat(api) == {}, "still the dead instance's"

    clock.advance(seconds=LEASE.total_seconds())
    await asyncio.gather(a.tick(), b.tick())
    await asyncio.gather(a.tick(), b.tick())

    assert reminders_per_chat(api) == dict.fromkeys(CUSTOMERS[:2], 1)


async def until(condition: Callable[[], bool]) -> None:
    """Wait (by yielding to the event loop, not by timing) until `condition` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_TIMEOUT
    while not condition():
        assert loop.time() < deadline, "never happened"
        await asyncio.sleep(0.001)


async def test_a_slow_batch_keeps_its_claims_so_no_other_instance_sends_its_rest(
    pair: tuple[BotRunner, BotRunner], clock: FakeClock, api: FakeBotApi
) -> None:
    a, b = pair
    anna, boris = CUSTOMERS[:2]
    for customer, time in zip((anna, boris), TIMES[:2], strict=True):
        await book(a.person(customer), time=time)
    gates = {customer: api.hold(customer) for customer in (anna, boris)}
    clock.set(local(26, 18, 0))

    sending = asyncio.create_task(a.app.bot_data["postman"].deliver_due())
    await until(lambda: api.held_calls(anna) == 1)  # A claimed both, sends Anna's first
    clock.advance(seconds=LEASE.total_seconds() * 3 / 4)  # and Telegram is slow to answer
    gates[anna].set()
    await until(lambda: api.held_calls(boris) == 1)
    clock.advance(seconds=LEASE.total_seconds() / 2)  # past the claim A took at first
    other = asyncio.create_task(b.tick())
    await until(lambda: other.done() or api.held_calls(boris) == 2)
    gates[boris].set()
    await asyncio.gather(sending, other)

    assert reminders_per_chat(api) == {anna: 1, boris: 1}
