"""What an operator's monitoring sees: /healthz and /metrics on the bot's HTTP listener."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import ClientSession
from prometheus_client.parser import text_string_to_metric_families

from bot.fake_telegram.server import FakeBotApi
from tests.support.bot_runner import BotRunner
from tests.support.clock import FakeClock


async def get(bot: BotRunner, path: str) -> tuple[int, str]:
    assert bot.app is not None
    port = bot.app.bot_data["web"].port
    async with ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as answer:
        return answer.status, await answer.text()


async def health(bot: BotRunner) -> tuple[int, dict[str, Any]]:
    assert bot.app is not None
    port = bot.app.bot_data["web"].port
    async with (
        ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/healthz") as answer,
    ):
        return answer.status, await answer.json()


def samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text exposition, keyed by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str):
    return found.get((name, frozenset(labels.items())))


async def test_healthz_reports_a_healthy_bot_with_its_backlogs_after_a_short_journey(
    bot: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    anna = bot.person(1001, "Anna")
    await anna.command("/start")
    # Telegram makes Boris's chat wait: his greeting goes to the outbox, due in 5 s.
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    await bot.person(1002, "Boris").command("/start")
    clock.advance(seconds=65)

    status, body = await health(bot)

    assert status == 200
    assert body == {
        "status": "ok",
        "database_reachable": True,
        "last_update_handled_seconds_ago": 65,
        "inbox_backlog": 0,
        "outbox_backlog": 1,
        "oldest_due_outbox_seconds": 60,
        "leader": True,
    }


async def test_healthz_gives_null_ages_before_any_update_and_nothing_due(bot: BotRunner) -> None:
    status, body = await health(bot)

    assert status == 200
    assert body["last_update_handled_seconds_ago"] is None
    assert body["oldest_due_outbox_seconds"] is None
    assert body["outbox_backlog"] == 0


async def test_healthz_is_503_when_the_database_is_unreachable(bot: BotRunner) -> None:
    assert bot.app is not None
    await bot.person(1001, "Anna").command("/start")
    await bot.app.bot_data["services"].db.close()

    status, body = await health(bot)

    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["database_reachable"] is False
    assert "database" in body["reason"]
    status, exposition = await get(bot, "/metrics")
    assert status == 200, "the counters still answer, without the database's backlogs"
    found = samples(exposition)
    assert value(found, "repairbot_updates_handled_total", type="message", outcome="ok") == 1
    assert value(found, "repairbot_inbox_backlog") == 0


async def test_healthz_is_503_once_the_inbox_has_been_stuck_for_over_a_minute(
    bot: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    assert bot.app is not None
    intake = bot.app.bot_data["intake"]
    anna = bot.person(1001, "Anna")
    gate = api.hold(anna.id)
    bot.last_update_id = anna.user.send_command("/start")
    await until(lambda: intake.backlog == 1)
    clock.advance(seconds=60)

    assert (await health(bot))[0] == 200, "a minute is not yet stuck"
    clock.advance(seconds=1)
    status, body = await health(bot)
    assert status == 503
    assert body["inbox_backlog"] == 1
    assert "inbox" in body["reason"]

    gate.set()
    await bot.settle()
    status, body = await health(bot)
    assert status == 200
    assert body["last_update_handled_seconds_ago"] == 0


async def test_metrics_count_updates_api_calls_and_backlogs_after_a_short_journey(
    bot: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    anna = bot.person(1001, "Anna")
    await anna.command("/start")
    await anna.taps("🔧 Report a fault")
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    await bot.person(1002, "Boris").command("/start")
    clock.advance(seconds=65)

    status, exposition = await get(bot, "/metrics")

    assert status == 200
    found = samples(exposition)
    assert value(found, "repairbot_updates_received_total", type="message") == 2
    assert value(found, "repairbot_updates_received_total", type="callback_query") == 1
    assert value(found, "repairbot_updates_handled_total", type="message", outcome="ok") == 2
    assert value(found, "repairbot_updates_handled_total", type="callback_query", outcome="ok") == 1
    assert value(found, "repairbot_update_handling_seconds_count", type="message") == 2
    assert value(found, "repairbot_inbox_backlog") == 0
    assert value(found, "repairbot_leader") == 1, "SQLite's one instance leads"
    assert value(found, "repairbot_bot_api_calls_total", method="getMe", outcome="ok") == 1
    assert value(found, "repairbot_bot_api_calls_total", method="sendMessage", outcome="429") == 1
    assert value(found, "repairbot_bot_api_calls_total", method="sendMessage", outcome="ok") == 1
    assert value(found, "repairbot_bot_api_calls_total", method="editMessageText", outcome="ok")
    assert value(found, "repairbot_outbox_backlog", kind="reply") == 1
    assert value(found, "repairbot_outbox_oldest_due_seconds") == 60
    assert value(found, "repairbot_messages_sent_total", lane="reply") == 1

    await bot.tick()
    found = samples((await get(bot, "/metrics"))[1])
    assert value(found, "repairbot_messages_sent_total", lane="outbox") == 1, "Boris's greeting"
    assert value(found, "repairbot_outbox_backlog", kind="reply") is None
    assert value(found, "repairbot_outbox_oldest_due_seconds") is None


async def test_metrics_count_api_calls_telegram_refused_or_never_answered(
    bot: BotRunner, api: FakeBotApi
) -> None:
    api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await bot.person(1001, "Anna").command("/start")
    api.fail_next("sendMessage", 502, "Bad Gateway")
    await bot.person(1002, "Boris").command("/start")
    api.drop_next("sendMessage")
    await bot.person(1003, "Chen").command("/start")

    found = samples((await get(bot, "/metrics"))[1])

    for outcome in ("403", "5xx", "network"):
        assert value(
            found, "repairbot_bot_api_calls_total", method="sendMessage", outcome=outcome
        ) == 1, outcome


async def test_metrics_show_how_far_a_running_broadcast_has_got(
    bot: BotRunner, api: FakeBotApi, settings: Any
) -> None:
    await bot.stop()
    bot.settings = settings.model_copy(update={"head_office_ids": frozenset({9000})})
    await bot.start()
    for user_id in (1001, 1002):
        await bot.person(user_id).command("/start")
    gate = api.hold(1002)
    olga = bot.person(9000, "Olga")
    preview = (await olga.command("/broadcast", "Closed on Monday"))[-1]
    await olga.taps("Confirm", preview["message_id"])
    # Recorded as sent a moment after Telegram took it (later on a busy PostgreSQL).
    db = bot.app.bot_data["services"].db
    sent = "SELECT 1 FROM broadcast_deliveries WHERE chat_id = 1001 AND status = 'sent'"
    deadline = asyncio.get_running_loop().time() + 5
    while await db.fetch_one(sent) is None:
        assert asyncio.get_running_loop().time() < deadline, "not recorded within 5 s"
        await asyncio.sleep(0.001)

    found = samples((await get(bot, "/metrics"))[1])

    gate.set()
    await bot.finish_broadcasts()
    assert value(found, "repairbot_messages_sent_total", lane="broadcast") == 1
    [broadcast] = {dict(labels)["broadcast"] for name, labels in found if "broadcast" in name}
    assert value(found, "repairbot_broadcast_recipients", broadcast=broadcast, state="sent") == 1
    assert value(found, "repairbot_broadcast_recipients", broadcast=broadcast, state="pending") == 1


async def test_healthz_says_starting_until_the_bot_is_ready(
    bot: BotRunner, api: FakeBotApi, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Start-up is held on delivering the outbox: the listener is up, the bot not yet."""
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    await bot.person(1002, "Boris").command("/start")
    await bot.stop()
    clock.advance(seconds=5)
    gate = api.hold(1002)
    caplog.set_level(logging.INFO, logger="bot.runtime.web")
    caplog.clear()
    starting = asyncio.create_task(bot.start())
    # bot.app is only set once start-up is over; the listener says where it is before that.
    await until(lambda: listening_port(caplog))

    url = f"http://127.0.0.1:{listening_port(caplog)}/healthz"
    async with ClientSession() as session, session.get(url) as answer:
        status, body = answer.status, await answer.json()

    gate.set()
    await starting
    assert status == 503
    assert body["status"] == "starting"
    assert (await health(bot))[0] == 200


def listening_port(caplog: pytest.LogCaptureFixture) -> int | None:
    for record in caplog.records:
        if record.getMessage().startswith("Listening for HTTP on 127.0.0.1:"):
            return int(record.getMessage().rpartition(":")[2])
    return None


async def until(condition: Callable[[], object]) -> None:
    """Wait, by yielding to the event loop, until the bot's state meets ``condition``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while not condition():
        assert loop.time() < deadline, "condition not met within 5 s"
        await asyncio.sleep(0.001)
