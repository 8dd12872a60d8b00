"""The poller: reading the sender off a raw update, and never going deaf on an error."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from telegram.error import InvalidToken

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from bot.fake_telegram.users import FakeUser
from bot.runtime.intake import sender_of
from bot.runtime.ordering import ChatOrderedProcessor
from bot.runtime.polling import PollingStopped
from bot.storage.database import inbox_path
from tests.support.bot_runner import NO_FLOOD_LIMIT, BotRunner
from tests.support.clock import FakeClock

TOKEN = "123456:TEST-TOKEN"
USER = {"id": 42, "is_bot": False, "first_name": "Anna"}
CHAT = {"id": 42, "type": "private"}


@pytest.mark.parametrize(
    ("update", "sender"),
    [
        ({"update_id": 1, "message": {"message_id": 5, "from": USER, "chat": CHAT}}, 42),
        ({"update_id": 2, "edited_message": {"message_id": 5, "from": USER, "chat": CHAT}}, 42),
        ({"update_id": 3, "callback_query": {"id": "q", "from": USER, "data": "x"}}, 42),
        ({"update_id": 4, "my_chat_member": {"chat": CHAT, "from": USER, "date": 0}}, 42),
        ({"update_id": 5, "channel_post": {"message_id": 5, "chat": {"id": -1}}}, None),
        ({"update_id": 6, "message": {"message_id": 5, "from": {"id": "42"}}}, None),
        ({"update_id": 7}, None),
    ],
)
def test_the_sender_is_the_from_of_the_one_payload(
    update: dict[str, Any], sender: int | None
) -> None:
    assert sender_of(update) == sender


class Naps:
    """The poller's sleep: notes how long it was asked to wait and returns at once."""

    def __init__(self) -> None:
        self.taken: list[float] = []
        self._napped = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)
        self._napped.set()
        await asyncio.sleep(0)

    async def until(self, count: int) -> None:
        """Wait until the poller has taken ``count`` naps. A fault queued while a long poll is
        in flight meets the poll after it, which may come after the reply the test awaited."""
        async with asyncio.timeout(5):
            while len(self.taken) < count:
                self._napped.clear()
                await self._napped.wait()


class Fatal:
    """What the process would be told when the bot cannot go on."""

    def __init__(self) -> None:
        self.reasons: list[BaseException] = []
        self.told = asyncio.Event()

    def __call__(self, reason: BaseException) -> None:
        self.reasons.append(reason)
        self.told.set()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def naps() -> Naps:
    return Naps()


@pytest.fixture
def fatal() -> Fatal:
    return Fatal()


@pytest.fixture
async def runner(
    tmp_path: Path, api: FakeBotApi, naps: Naps, fatal: Fatal
) -> AsyncIterator[BotRunner]:
    """A bot not started yet, so a test can queue faults for its very first poll."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,
        telegram_api_url=api.base_url,
        database_path=tmp_path / "bot.sqlite3",
        flood_burst=NO_FLOOD_LIMIT,
        health_listen="127.0.0.1:0",
    )
    bot = BotRunner(api, settings, FakeClock(), sleep=naps, on_fatal=fatal)
    yield bot
    await bot.stop()


async def failures_recorded(runner: BotRunner) -> dict[int, str | None]:
    with closing(sqlite3.connect(inbox_path(runner.settings.database_path))) as inbox:
        rows = inbox.execute("SELECT update_id, failure FROM inbox").fetchall()
    return dict(rows)


@pytest.mark.parametrize(
    ("fault", "waits"),
    [
        pytest.param(
            lambda api: api.fail_next("getUpdates", 429, "Too Many Requests", 3, times=2),
            [3.0, 3.0],
            id="429 twice: retry_after honoured",
        ),
        pytest.param(
            lambda api: api.fail_next("getUpdates", 403, "Forbidden", times=3),
            [1.0, 2.0, 4.0],
            id="403: exponential back-off",
        ),
        pytest.param(
            lambda api: api.fail_next("getUpdates", 409, "Conflict: terminated", times=1),
            [1.0],
            id="409 conflict",
        ),
        pytest.param(
            lambda api: api.fail_next("getUpdates", 500, "Internal Server Error", times=2),
            [1.0, 2.0],
            id="500",
        ),
        pytest.param(
            lambda api: api.drop_next("getUpdates", times=2),
            [1.0, 2.0],
            id="connection dropped",
        ),
    ],
)
async def test_polling_waits_out_every_error_of_get_updates_and_answers_afterwards(
    runner: BotRunner,
    api: FakeBotApi,
    naps: Naps,
    fatal: Fatal,
    fault: Callable[[FakeBotApi], None],
    waits: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fault(api)
    await runner.start()

    replies = await runner.person(7001, "Olga").command("/start")

    assert "Olga" in replies[0]["text"]
    assert naps.taken == waits
    retried = [r for r in caplog.records if r.name == "bot.runtime.polling"]
    assert len(retried) == len(waits)
    assert all(r.levelno == logging.WARNING for r in retried)
    assert not fatal.reasons


async def test_the_back_off_is_capped_and_starts_again_after_a_good_answer(
    runner: BotRunner, api: FakeBotApi, naps: Naps
) -> None:
    api.fail_next("getUpdates", 502, "Bad Gateway", times=8)
    await runner.start()
    anna = runner.person(7002)
    await anna.command("/start")
    api.fail_next("getUpdates", 502, "Bad Gateway", times=1)

    await anna.command("/help")
    await naps.until(9)

    assert naps.taken == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0, 1.0]


async def test_a_token_revoked_while_polling_is_one_critical_line_and_a_fatal_stop(
    runner: BotRunner, api: FakeBotApi, naps: Naps, fatal: Fatal, caplog: pytest.LogCaptureFixture
) -> None:
    await runner.start()
    api.token = "999999:ANOTHER-TOKEN"
    # Ends the long poll in progress; the next poll is refused.
    FakeUser(api, 7003).send_text("hello")

    await asyncio.wait_for(fatal.told.wait(), timeout=10)

    assert len(fatal.reasons) == 1
    assert isinstance(fatal.reasons[0], InvalidToken)
    critical = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert len(critical) == 1
    assert "BOT_TOKEN" in critical[0].getMessage()
    assert critical[0].exc_info is None
    assert not naps.taken
    # Stopping after that is clean: no "This Application is still running!".
    await runner.stop()


async def test_an_update_the_library_cannot_read_is_logged_recorded_and_skipped(
    runner: BotRunner, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    await runner.start()
    # An older shape of a message: its sender lacks first_name and is_bot.
    older = {"message_id": 1, "date": 0, "chat": {"id": 7004, "type": "private"}}
    bad = api.push_update({"message": {**older, "from": {"id": 7004}, "text": "hi"}})

    replies = await runner.person(7005, "Ivan").command("/start")

    assert "Ivan" in replies[0]["text"]
    # Acknowledged with the poll after the batch that brought it, like any other.
    await api.wait_for(lambda: api.confirmed_offset > bad)
    assert (await failures_recorded(runner))[bad] is not None
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"update {bad} " in message for message in errors), errors


async def test_a_handler_that_fails_still_lets_the_offset_move_and_is_recorded_as_failed(
    runner: BotRunner, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    await runner.start()
    api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    olga = runner.person(7006, "Olga")

    failed = olga.user.send_command("/start")
    await olga.command("/help")

    recorded = await failures_recorded(runner)
    assert recorded[failed] == "BadRequest: Chat not found"
    assert recorded[failed + 1] is None
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert f"Error while handling update {failed}" in errors


async def test_an_update_whose_processing_raises_still_counts_as_done() -> None:
    done: list[tuple[object, BaseException | None]] = []

    async def note(update: object, error: BaseException | None) -> None:
        done.append((update, error))

    async def broken() -> None:
        raise RuntimeError("persistence is down")

    processor = ChatOrderedProcessor(on_done=note)
    update = object()
    await processor.process_update(update, broken())

    assert len(done) == 1
    assert done[0][0] is update
    assert isinstance(done[0][1], RuntimeError)


async def test_polling_that_ends_without_being_stopped_is_logged_and_reported_as_fatal(
    runner: BotRunner, fatal: Fatal, caplog: pytest.LogCaptureFixture
) -> None:
    await runner.start()
    (poll,) = [task for task in asyncio.all_tasks() if task.get_name() == "poller"]

    poll.cancel()
    await asyncio.wait_for(fatal.told.wait(), timeout=10)

    assert isinstance(fatal.reasons[0], PollingStopped)
    critical = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert critical == ["Polling stopped unexpectedly; the bot stops"]
