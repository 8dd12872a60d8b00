"""Webhook mode: Telegram POSTs each update to the bot, which answers once it is stored."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest
from aiohttp import ClientSession
from pydantic import SecretStr
from telegram import Update

from bot.config import Listen, Settings
from bot.fake_telegram.server import FakeBotApi
from bot.fake_telegram.users import FakeUser
from bot.fake_telegram.webhook import SECRET_HEADER
from tests.flows.test_flood import replies_to
from tests.flows.test_inbox import command_update
from tests.flows.test_operator_endpoints import get, samples, value
from tests.flows.test_running_process import bot_environment, start_and_wait, start_bot, stop_bot
from tests.support.bot_runner import BotRunner
from tests.support.clock import FakeClock
from tests.support.database import environment_of, full_disk, inbox_of, inbox_rows_of

SECRET = "webhook-secret_" + "x" * 33
"""48 characters Telegram allows in a secret token."""


@pytest.fixture
def hooked(settings: Settings, unused_tcp_port: int) -> Settings:
    """Webhook mode, Telegram calling the bot directly (tests have no proxy and no TLS)."""
    return settings.model_copy(
        update={
            "webhook_url": f"http://127.0.0.1:{unused_tcp_port}/telegram",
            "webhook_secret": SecretStr(SECRET),
            "webhook_max_connections": 7,
            "webhook_listen": Listen(host="127.0.0.1", port=unused_tcp_port),
        }
    )


@pytest.fixture
async def hook_bot(api: FakeBotApi, hooked: Settings, clock: FakeClock) -> AsyncIterator[BotRunner]:
    runner = BotRunner(api, hooked, clock)
    await runner.start()
    yield runner
    await runner.stop()


async def stored_ids(settings: Settings) -> list[int]:
    rows = await inbox_rows_of(settings, "SELECT update_id FROM inbox ORDER BY update_id")
    return [update_id for (update_id,) in rows]


async def post(settings: Settings, body: bytes, secret: str | None = SECRET) -> int:
    """POST ``body`` to the bot's webhook as Telegram would; the HTTP status it answers."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        ClientSession() as session,
        session.post(settings.webhook_url, data=io.BytesIO(body), headers=headers) as answer,
    ):
        return answer.status


async def test_the_bot_sets_its_webhook_with_its_address_secret_and_connection_limit(
    hook_bot: BotRunner, api: FakeBotApi, hooked: Settings
) -> None:
    (call,) = api.calls_of("setWebhook")

    assert call.params["url"] == hooked.webhook_url
    assert call.params["secret_token"] == SECRET
    assert call.params["max_connections"] == 7
    assert set(call.params["allowed_updates"]) == set(Update.ALL_TYPES)
    assert not api.calls_of("getUpdates"), "a bot with a webhook does not poll"
    assert api.webhook_url == hooked.webhook_url


async def test_a_customer_writing_through_the_webhook_gets_the_answer(
    hook_bot: BotRunner, api: FakeBotApi
) -> None:
    olga = hook_bot.person(4242, "Olga")

    replies = await olga.command("/start")
    # The receiver's answer and the bot's reply travel apart: either may be seen first.
    await api.wait_for(lambda: api.webhook_deliveries)

    assert "Olga" in replies[0]["text"]
    assert [delivery.status for delivery in api.webhook_deliveries] == [200]
    assert len(api.webhook_latencies) == 1


async def test_the_operator_endpoints_share_the_webhook_listener(
    hook_bot: BotRunner, hooked: Settings
) -> None:
    await hook_bot.person(4243, "Oleg").command("/start")
    base = f"http://127.0.0.1:{hooked.webhook_listen.port}"

    async with ClientSession() as session:
        async with session.get(f"{base}/healthz") as answer:
            assert answer.status == 200
            assert (await answer.json())["status"] == "ok"
        async with session.get(f"{base}/metrics") as answer:
            assert answer.status == 200
            assert 'repairbot_updates_received_total{type="message"} 1.0' in await answer.text()


async def test_a_request_without_the_right_secret_is_refused_and_nothing_is_stored(
    hook_bot: BotRunner, api: FakeBotApi, hooked: Settings
) -> None:
    forged = json.dumps(command_update(api, FakeUser(api, 4343, "Olga"), 700_001, "/start"))

    missing = await post(hooked, forged.encode(), secret=None)
    wrong = await post(hooked, forged.encode(), secret=SECRET[:-1] + "y")
    await hook_bot.settle()

    assert (missing, wrong) == (403, 403)
    assert 700_001 not in await stored_ids(hooked)
    assert not api.sent_to(4343)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"message": {"text": "hi"}}',
        b'{"update_id": "700002", "message": {}}',
        b'{"update_id": true}',
    ],
)
async def test_a_body_that_is_not_an_update_gets_400_and_nothing_is_stored(
    hook_bot: BotRunner, hooked: Settings, body: bytes
) -> None:
    before = await stored_ids(hooked)

    assert await post(hooked, body) == 400
    assert await stored_ids(hooked) == before


async def test_a_body_over_a_megabyte_gets_413_and_nothing_is_stored(
    hook_bot: BotRunner, api: FakeBotApi, hooked: Settings
) -> None:
    update = command_update(api, FakeUser(api, 4444, "Olga"), 700_003, "/start")
    update["message"]["text"] += " " + "x" * (1 << 20)

    assert await post(hooked, json.dumps(update).encode()) == 413
    assert 700_003 not in await stored_ids(hooked)


async def test_an_update_posted_with_the_secret_is_answered_200_once_stored_and_handled(
    hook_bot: BotRunner, api: FakeBotApi, hooked: Settings
) -> None:
    update = command_update(api, FakeUser(api, 4545, "Olga"), 700_004, "/start")

    status = await post(hooked, json.dumps(update).encode())
    stored = await stored_ids(hooked)
    hook_bot.last_update_id = 700_004
    await hook_bot.settle()

    assert status == 200
    assert 700_004 in stored, "stored before the answer"
    assert "Olga" in api.sent_to(4545)[0]["text"]


async def test_an_update_that_could_not_be_stored_gets_500_and_is_handled_when_sent_again(
    hook_bot: BotRunner, api: FakeBotApi, hooked: Settings
) -> None:
    api.webhook_backoff = 0
    olga = FakeUser(api, 4141, "Olga")

    async with inbox_of(hooked) as inbox, full_disk(inbox, "inbox", "INSERT"):
        sent = olga.send_command("/start")
        await api.wait_for(lambda: len(api.webhook_deliveries) >= 2)
    hook_bot.last_update_id = sent
    await hook_bot.settle()

    assert {d.status for d in api.webhook_deliveries[:-1]} == {500}
    assert api.webhook_deliveries[-1].status == 200
    assert len(api.sent_to(4141)) == 1


async def test_a_webhook_burst_from_several_chats_is_handled_in_order_within_each_chat(
    hook_bot: BotRunner, api: FakeBotApi
) -> None:
    people = [hook_bot.person(6000 + n, f"User{n}") for n in range(6)]
    gate = api.hold(people[0].id)
    sent = [
        person.user.send_command("/start" if turn % 2 == 0 else "/help")
        for turn in range(4)
        for person in people
    ]

    others = [person.id for person in people[1:]]
    await api.wait_for(lambda: all(len(api.sent_to(chat)) == 4 for chat in others), timeout=10)
    assert not api.sent_to(people[0].id), "the held chat holds back no other"
    gate.set()
    hook_bot.last_update_id = max(sent)
    await hook_bot.settle()

    assert {d.update_id for d in api.webhook_deliveries if d.ok} == set(sent)
    for person in people:
        texts = person.texts()
        assert len(texts) == 4
        assert [person.user.first_name in text for text in texts] == [True, False] * 2, texts


async def test_an_update_sent_while_the_bot_is_down_is_handled_when_it_is_back(
    hook_bot: BotRunner, api: FakeBotApi
) -> None:
    olga = hook_bot.person(4646, "Olga")
    await olga.command("/start")
    await hook_bot.stop()

    olga.user.send_command("/help")
    await api.wait_for(lambda: not api.webhook_deliveries[-1].ok)
    await hook_bot.start()
    hook_bot.last_update_id = api.webhook_deliveries[-1].update_id
    await hook_bot.settle()

    assert len(api.sent_to(4646)) == 2
    assert "/repair" in api.sent_to(4646)[1]["text"]
    assert len(api.calls_of("setWebhook")) == 2
    assert not api.calls_of("deleteWebhook"), "a stopping bot leaves its webhook to the next"


async def test_polling_deletes_a_webhook_left_from_an_earlier_run(
    api: FakeBotApi, hooked: Settings, settings: Settings, clock: FakeClock
) -> None:
    earlier = BotRunner(api, hooked, clock)
    await earlier.start()
    await earlier.stop()
    assert api.webhook_url == hooked.webhook_url, "left set, for the next instance"

    polling = BotRunner(api, settings, clock)
    await polling.start()
    try:
        replies = await polling.person(4747, "Olga").command("/start")
    finally:
        await polling.stop()

    assert "Olga" in replies[0]["text"]
    assert api.calls_of("deleteWebhook")
    assert api.webhook_url is None


def webhook_environment(tmp_path: Path, api: FakeBotApi, port: int, **extra: str) -> dict[str, str]:
    return bot_environment(
        tmp_path,
        api,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN=f"127.0.0.1:{port}",
        **extra,
    )


async def test_a_bot_process_in_webhook_mode_answers_and_never_logs_the_secret(
    tmp_path: Path, api: FakeBotApi, unused_tcp_port: int
) -> None:
    process = await start_bot(tmp_path, webhook_environment(tmp_path, api, unused_tcp_port))
    try:
        FakeUser(api, 4848, "Olga").send_command("/start")
        greeting = await api.wait_for(lambda: api.sent_to(4848), timeout=30)
    finally:
        code, logs = await stop_bot(process)

    assert "Olga" in greeting[0]["text"]
    assert code == 0
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram"
    assert f"is receiving updates at {url}" in logs
    assert "<WEBHOOK_SECRET>" in logs, "the DEBUG log shows setWebhook's call, secret hidden"
    assert SECRET not in logs


@pytest.mark.parametrize(
    ("secret", "error"),
    [
        ("", "error: WEBHOOK_SECRET is required when WEBHOOK_URL is set"),
        ("too-short", "error: WEBHOOK_SECRET: must be 32 to 256 characters of A-Z a-z 0-9 _ -"),
        ("x" * 31 + "!", "error: WEBHOOK_SECRET: must be 32 to 256 characters of A-Z a-z 0-9 _ -"),
    ],
)
async def test_a_webhook_without_a_usable_secret_is_one_line_at_start(
    tmp_path: Path, api: FakeBotApi, secret: str, error: str
) -> None:
    env = bot_environment(
        tmp_path, api, WEBHOOK_URL="https://bot.example.com/telegram", WEBHOOK_SECRET=secret
    )

    code, output = await start_and_wait(tmp_path, env)

    assert code == 2
    (line,) = output.strip().splitlines()
    assert line.startswith(error)
    assert not secret or secret not in output
    assert not api.calls


async def test_a_token_rejected_at_set_webhook_is_one_line_and_status_2(
    tmp_path: Path, api: FakeBotApi, unused_tcp_port: int
) -> None:
    api.fail_next("setWebhook", 401, "Unauthorized")
    env = webhook_environment(tmp_path, api, unused_tcp_port, LOG_LEVEL="WARNING")

    code, output = await start_and_wait(tmp_path, env)

    assert code == 2
    assert output.strip().splitlines() == [
        "error: Telegram rejected BOT_TOKEN; check it with @BotFather"
    ]


async def test_a_webhook_address_telegram_refuses_is_one_line_naming_the_setting(
    tmp_path: Path, api: FakeBotApi
) -> None:
    env = bot_environment(
        tmp_path,
        api,
        WEBHOOK_URL="http://bot.example.com/telegram",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1:0",
        LOG_LEVEL="WARNING",
    )

    code, output = await start_and_wait(tmp_path, env)

    assert code == 2
    (line,) = output.strip().splitlines()
    assert line.startswith("error: WEBHOOK_URL: Telegram refused http://bot.example.com/telegram: ")
    assert "https url must be provided" in line.lower()


async def test_updates_stored_when_the_process_is_killed_are_handled_once_at_the_next_start(
    tmp_path: Path, api: FakeBotApi, unused_tcp_port: int, settings: Settings
) -> None:
    env = webhook_environment(
        tmp_path, api, unused_tcp_port, LOG_LEVEL="WARNING", **environment_of(settings)
    )
    olga = FakeUser(api, 4949, "Olga")
    first = await start_bot(tmp_path, env)
    try:
        await api.wait_for(lambda: api.webhook_url, timeout=30)
        gate = api.hold(olga.chat_id)  # the greeting's send hangs: /help waits its turn
        olga.send_command("/start")
        help_id = olga.send_command("/help")
        # Both answered 200, so Telegram has let go of them: only the inbox holds /help now.
        await api.wait_for(lambda: api.pending_updates() == 0, timeout=30)
    finally:
        first.kill()
        await first.communicate()
    gate.set()

    second = await start_bot(tmp_path, env)
    try:
        await api.wait_for(
            lambda: any("/repair" in m.get("text", "") for m in api.sent_to(olga.chat_id)),
            timeout=30,
        )
    finally:
        code, _ = await stop_bot(second)

    assert code == 0
    texts = [m.get("text", "") for m in api.sent_to(olga.chat_id)]
    assert any("Olga" in text for text in texts), texts
    assert sum("/repair" in text for text in texts) == 1, texts
    assert [d.update_id for d in api.webhook_deliveries].count(help_id) == 1, "not re-sent"
    [(handled,)] = await inbox_rows_of(
        settings, "SELECT handled_at FROM inbox WHERE update_id = ?", (help_id,)
    )
    assert handled is not None


def children(pid: int) -> list[int]:
    """The processes ``pid`` started and that still run (Linux's own list)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def port_is_free(port: int) -> bool:
    with closing(socket.socket()) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def test_the_webhook_receiver_ends_with_a_killed_bot_and_frees_the_port(
    tmp_path: Path, api: FakeBotApi, unused_tcp_port: int
) -> None:
    env = webhook_environment(tmp_path, api, unused_tcp_port, LOG_LEVEL="WARNING")
    process = await start_bot(tmp_path, env)
    try:
        await api.wait_for(lambda: api.webhook_url, timeout=30)
        assert len(children(process.pid)) == 1, "the receiver"
        assert not port_is_free(unused_tcp_port)
    finally:
        process.kill()
        # The receiver writes to the bot's standard error too: it ends once the receiver has.
        await asyncio.wait_for(process.communicate(), timeout=30)

    assert port_is_free(unused_tcp_port)


async def test_a_bot_whose_webhook_receiver_dies_says_so_in_one_critical_line_and_exits_1(
    tmp_path: Path, api: FakeBotApi, unused_tcp_port: int
) -> None:
    env = webhook_environment(tmp_path, api, unused_tcp_port, LOG_LEVEL="WARNING")
    process = await start_bot(tmp_path, env)
    try:
        await api.wait_for(lambda: api.webhook_url, timeout=30)
        (receiver,) = children(process.pid)
        os.kill(receiver, signal.SIGKILL)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert process.returncode == 1
    critical = [line for line in stderr.decode().splitlines() if "CRITICAL" in line]
    assert len(critical) == 1, stderr.decode()
    assert f"the webhook receiver (process {receiver}) ended with status -9" in critical[0]


async def test_a_webhook_port_already_taken_gets_one_line_naming_the_setting(
    tmp_path: Path, api: FakeBotApi
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = webhook_environment(tmp_path, api, port, LOG_LEVEL="WARNING")
        code, output = await start_and_wait(tmp_path, env)

    assert code == 2
    assert output.strip().splitlines() == [
        f"error: WEBHOOK_LISTEN: cannot listen on 127.0.0.1:{port}: address already in use"
    ]
    assert not api.calls, "refused before Telegram is reached"


async def test_updates_from_someone_silenced_are_recorded_handled_unparsed_through_the_webhook(
    api: FakeBotApi, hooked: Settings, clock: FakeClock
) -> None:
    defaults = Settings.model_fields
    limited = hooked.model_copy(
        update={
            "flood_burst": defaults["flood_burst"].default,
            "flood_rate": defaults["flood_rate"].default,
        }
    )
    runner = BotRunner(api, limited, clock)
    await runner.start()
    try:
        flooder = runner.person(602, "Fedor")
        for number in range(limited.flood_burst + 5):
            await flooder.says(f"spam {number}")
        _, exposition = await get(runner, "/metrics")
    finally:
        await runner.stop()

    assert len(replies_to(api, 602)) == limited.flood_burst + 1, "the burst, then one notice"
    found = samples(exposition)
    assert value(found, "repairbot_updates_handled_total", type="message", outcome="refused") == 4
    rows = await inbox_rows_of(limited, "SELECT COUNT(*), COUNT(handled_at) FROM inbox")
    assert rows == [(limited.flood_burst + 5,) * 2]
