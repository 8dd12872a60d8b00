from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.support.balancer import Balancer
from tests.support.bot_runner import NO_FLOOD_LIMIT, BotRunner
from tests.support.clock import FakeClock
from tests.support.day_shop import DAY_WORKSHOP, HEAD_OFFICE, MECHANIC
from tests.support.postgres import database_url_for

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    """Thursday 26 November 2026, 09:00 in Moscow."""
    return FakeClock()


@pytest.fixture
async def database_url(engine: str) -> AsyncIterator[str | None]:
    """Through `settings`, every test of the bot runs on both engines (tests/conftest.py)."""
    async with database_url_for(engine) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, api: FakeBotApi, database_url: str | None) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,
        telegram_api_url=api.base_url,
        database_path=tmp_path / "bot.sqlite3",
        database_url=database_url,
        flood_burst=NO_FLOOD_LIMIT,
        health_listen="127.0.0.1:0",
    )


@pytest.fixture
async def bot(api: FakeBotApi, settings: Settings, clock: FakeClock) -> AsyncIterator[BotRunner]:
    runner = BotRunner(api, settings, clock)
    await runner.start()
    yield runner
    await runner.stop()


@pytest.fixture
async def shop(api: FakeBotApi, settings: Settings, clock: FakeClock) -> AsyncIterator[BotRunner]:
    """The bot in the Day Bench network, its mechanic already staff there."""
    runner = BotRunner(
        api,
        settings.model_copy(
            update={"head_office_ids": frozenset({HEAD_OFFICE}), "workshops_file": DAY_WORKSHOP}
        ),
        clock,
    )
    await runner.start()
    await runner.person(MECHANIC, "Mike").command("/start")
    await runner.person(HEAD_OFFICE, "Olga").command("/addstaff", f"{MECHANIC} DAY-ONE")
    yield runner
    await runner.stop()


@pytest.fixture
async def balancer() -> AsyncIterator[Balancer]:
    """A load balancer in front of the instances a test starts (`tests.support.balancer`)."""
    async with Balancer() as running:
        yield running
