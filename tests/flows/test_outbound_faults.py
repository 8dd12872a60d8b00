"""What the bot says in its log, and how it sends when Telegram asks one chat to slow down."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from bot.logs import QUIET_AT_INFO, configure_logging
from tests.flows.conftest import TOKEN
from tests.support.bot_runner import BotRunner
from tests.support.clock import FakeClock

HEAD_OFFICE = 9000
TICKS_A_DAY = 24 * 60


@pytest.fixture
def production_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The log set up as `python -m bot` does, at INFO, with caplog still listening."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_AT_INFO}
    configure_logging("INFO", TOKEN)
    root.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.INFO)
    yield caplog
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)


async def run_the_tick_job(runner: BotRunner, times: int) -> None:
    """Let the scheduler run the repeating tick `times` times, one after another, at once."""
    assert runner.app is not None and runner.app.job_queue is not None
    scheduler = runner.app.job_queue.scheduler
    [tick] = runner.app.job_queue.get_jobs_by_name("outbox")
    done = asyncio.Event()

    def executed(event: JobExecutionEvent) -> None:
        if event.job_id == tick.job.id:
            done.set()

    scheduler.add_listener(executed, EVENT_JOB_EXECUTED)
    try:
        for _ in range(times):
            done.clear()
            tick.job.modify(next_run_time=datetime.now(UTC))
            await asyncio.wait_for(done.wait(), 5)
    finally:
        scheduler.remove_listener(executed)


async def test_an_idle_day_of_ticks_leaves_no_scheduler_lines_in_the_info_log(
    bot: BotRunner, production_logging: pytest.LogCaptureFixture
) -> None:
    production_logging.clear()
    await run_the_tick_job(bot, TICKS_A_DAY)
    lines = [r for r in production_logging.records if r.levelno >= logging.INFO]
    assert not [r for r in lines if r.name.startswith("apscheduler")]
    assert len(lines) < 10, [r.getMessage() for r in lines]


@pytest.fixture
async def office(api: FakeBotApi, settings: Settings, clock: FakeClock) -> AsyncIterator[BotRunner]:
    runner = BotRunner(
        api, settings.model_copy(update={"head_office_ids": frozenset({HEAD_OFFICE})}), clock
    )
    await runner.start()
    yield runner
    await runner.stop()


def info_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]


async def test_role_changes_are_logged_with_who_changed_whom(
    office: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    olga = office.person(HEAD_OFFICE, "Olga")
    await olga.command("/addstaff", "7001 MSK-CENTER")
    await olga.command("/addstaff", "7001 MSK-NORTH")
    await olga.command("/removestaff", "7001")
    await olga.command("/addadmin", "9001")
    await olga.command("/removeadmin", "9001")

    roles = [line for line in info_lines(caplog) if line.startswith("Role change")]
    assert roles == [
        "Role change: 9000 made 7001 staff of MSK-CENTER (before: none)",
        "Role change: 9000 made 7001 staff of MSK-NORTH (before: MSK-CENTER)",
        "Role change: 9000 removed 7001 from staff",
        "Role change: 9000 made 9001 head office",
        "Role change: 9000 removed 9001 from head office",
    ]


async def test_a_broadcast_is_logged_when_it_starts_and_when_it_finishes(
    office: BotRunner, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for user_id in (1001, 1002, 1003):
        await office.person(user_id).command("/start")
    api.block(1003)
    olga = office.person(HEAD_OFFICE, "Olga")
    preview = (await olga.command("/broadcast", "Closed on Monday"))[-1]
    await olga.taps("Confirm", preview["message_id"])
    await office.finish_broadcasts()

    broadcasts = [line for line in info_lines(caplog) if line.startswith("Broadcast")]
    assert broadcasts == [
        "Broadcast 1 started: 3 recipients, 3 still to send",
        "Broadcast 1 finished: delivered 2, blocked 1, failed 0",
    ]


CROWD = 150


async def test_a_retry_after_on_one_reply_holds_back_only_that_customer(
    bot: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    anna = bot.person(1001, "Anna")
    crowd = [bot.person(2000 + n, f"C{n}") for n in range(CROWD)]
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 20", retry_after=20)

    await anna.command("/start")  # alone, so hers is the reply Telegram answers with 429
    assert not anna.texts(), "Telegram asked for 20 s in Anna's chat"
    for person in crowd:
        last = person.user.send_command("/start")
    bot.last_update_id = last
    await bot.settle()

    assert all(person.texts() for person in crowd), "everyone else is answered at once"
    await anna.command("/help")
    assert not anna.texts(), "her next answer waits behind the first"
    clock.advance(seconds=19)
    await bot.tick()
    assert not anna.texts()
    clock.advance(seconds=1)
    await bot.tick()
    first, second = anna.user.messages()
    assert "Anna" in first["text"] and first.get("reply_markup"), "the greeting, with its menu"
    assert second["text"].startswith("How I can help"), "then the help she asked for, as HTML"
    assert not [c for c in api.rate_limited() if c.params.get("chat_id") != anna.id]


async def test_a_screen_telegram_refused_to_edit_is_edited_once_the_wait_is_over(
    bot: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    anna = bot.person(1001, "Anna")
    await anna.command("/repair")
    api.fail_next("editMessageText", 429, "Too Many Requests: retry after 5", retry_after=5)

    await anna.taps("Washing machine")
    assert "Won't drain" not in anna.buttons(), "the tap is handled, the screen not yet changed"
    clock.advance(seconds=5)
    await bot.tick()
    assert "Won't drain" in anna.buttons()
