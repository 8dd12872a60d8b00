"""The emulator started in-process, on free loopback ports, with a database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.emulator.app import Emulator, running_emulator


@pytest.fixture
async def emulator(tmp_path: Path) -> AsyncIterator[Emulator]:
    # Quiet hours off: a test running in the evening must still see customer notices.
    async with running_emulator(
        port=0, db_path=tmp_path / "emulator.sqlite3", quiet_hours=""
    ) as running:
        yield running


@pytest.fixture
async def http(emulator: Emulator) -> AsyncIterator[aiohttp.ClientSession]:
    """A client that, like the page in a browser, names the page's origin on every request."""
    origin = emulator.url.rstrip("/")
    async with aiohttp.ClientSession(base_url=emulator.url, headers={"Origin": origin}) as session:
        yield session
