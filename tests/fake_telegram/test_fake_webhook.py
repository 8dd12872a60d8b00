"""The fake Bot API's webhook: updates POSTed to the bot the way Telegram does it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from bot.fake_telegram import DEFAULT_TOKEN, FakeBotApi, FakeUser
from bot.fake_telegram.webhook import SECRET_HEADER

SECRET = "a-secret_token-of-the-right-shape-0123456789"


@dataclass
class Receiver:
    """A webhook endpoint that answers each request with the next of ``statuses`` (then 200)
    and, while ``gate`` is closed, keeps requests waiting."""

    statuses: list[int] = field(default_factory=list)
    seen: list[tuple[int, str | None]] = field(default_factory=list)
    open_now: dict[int, int] = field(default_factory=dict)
    most_open: int = 0
    most_open_in_one_chat: int = 0
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        update = json.loads(await request.read())
        chat = update["message"]["chat"]["id"]
        self.seen.append((update["update_id"], request.headers.get(SECRET_HEADER)))
        self.arrived.set()
        self.open_now[chat] = self.open_now.get(chat, 0) + 1
        self.most_open = max(self.most_open, sum(self.open_now.values()))
        self.most_open_in_one_chat = max(self.most_open_in_one_chat, self.open_now[chat])
        await self.gate.wait()
        self.open_now[chat] -= 1
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    endpoint = Receiver()
    endpoint.gate.set()
    app = web.Application()
    app.router.add_post("/hook", endpoint.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    endpoint.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield endpoint
    await runner.cleanup()


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        fake.webhook_backoff = 0
        yield fake


@pytest_asyncio.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(DEFAULT_TOKEN, base_url=api.base_url) as client:
        yield client


@pytest.mark.asyncio
async def test_with_a_webhook_set_updates_are_posted_with_the_secret_and_polling_conflicts(
    api: FakeBotApi, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    sent = FakeUser(api, 1001, "Anna").send_text("hi")

    await api.wait_for(lambda: api.pending_updates() == 0)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    info = await bot.get_webhook_info()

    assert receiver.seen == [(sent, SECRET)]
    assert len(api.webhook_latencies) == 1
    assert info.url == receiver.url
    assert info.pending_update_count == 0


@pytest.mark.asyncio
async def test_an_update_answered_with_an_error_is_sent_again_until_answered_200(
    api: FakeBotApi, bot: Bot, receiver: Receiver
) -> None:
    receiver.statuses = [500, 503]
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    sent = FakeUser(api, 1001, "Anna").send_text("hi")

    await api.wait_for(lambda: api.pending_updates() == 0)
    info = await bot.get_webhook_info()

    assert [update_id for update_id, _ in receiver.seen] == [sent] * 3
    assert [d.status for d in api.webhook_deliveries] == [500, 503, 200]
    assert len(api.webhook_latencies) == 1
    assert "503" in (info.last_error_message or "")


@pytest.mark.asyncio
async def test_one_request_per_chat_at_a_time_and_no_more_than_max_connections_overall(
    api: FakeBotApi, bot: Bot, receiver: Receiver
) -> None:
    receiver.gate.clear()
    await bot.set_webhook(receiver.url, secret_token=SECRET, max_connections=3)
    people = [FakeUser(api, 2000 + n, f"User{n}") for n in range(5)]
    sent = [person.send_text(f"{turn}") for turn in range(3) for person in people]

    while len(receiver.seen) < 3:
        receiver.arrived.clear()
        await receiver.arrived.wait()
    receiver.gate.set()
    await api.wait_for(lambda: api.pending_updates() == 0)

    assert receiver.most_open == 3
    assert receiver.most_open_in_one_chat == 1
    assert sorted(update_id for update_id, _ in receiver.seen) == sent
    for person in people:
        theirs = [u for u, _ in receiver.seen if u in sent[people.index(person) :: 5]]
        assert theirs == sorted(theirs), "each chat's updates in order"


@pytest.mark.asyncio
async def test_deleting_the_webhook_leaves_its_undelivered_updates_to_get_updates(
    api: FakeBotApi, bot: Bot, receiver: Receiver
) -> None:
    receiver.statuses = [500] * 1000
    api.webhook_backoff = 0.01
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    sent = FakeUser(api, 1001, "Anna").send_text("hi")
    await api.wait_for(lambda: api.webhook_deliveries)
    with pytest.raises(Conflict):
        await bot.get_updates(offset=sent + 1, timeout=0)

    await bot.delete_webhook()
    updates = await bot.get_updates(timeout=0)

    assert [update.update_id for update in updates] == [sent]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("url", "secret", "refusal"),
    [
        ("http://bot.example.com/hook", SECRET, "https url must be provided"),
        ("https://bot.example.com:8080/hook", SECRET, "ports 80, 88, 443 or 8443"),
        ("https://bot.example.com/hook", "not allowed!", "unallowed characters"),
    ],
)
async def test_a_webhook_telegram_could_not_call_is_refused(
    bot: Bot, url: str, secret: str, refusal: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.set_webhook(url, secret_token=secret)

    assert refusal in caught.value.message.lower()
