"""`python -m bot` as an operator runs it: a real process against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.fake_telegram.server import FakeBotApi
from bot.fake_telegram.users import FakeUser

TOKEN = "123456:TEST-TOKEN"


def bot_environment(tmp_path: Path, api: FakeBotApi, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PTB_TIMEDELTA": "1",
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "DATABASE_PATH": str(tmp_path / "db" / "bot.sqlite3"),
        "LOG_LEVEL": "DEBUG",
        **extra,
    }


async def test_bot_process_answers_start_stops_on_sigterm_and_never_logs_the_token(
    tmp_path: Path, api: FakeBotApi
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=bot_environment(tmp_path, api),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        FakeUser(api, 4242, "Olga").send_command("/start")
        greeting = await api.wait_for(lambda: api.sent_to(4242), timeout=30)
        assert "Olga" in greeting[0]["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)

    assert process.returncode == 0
    logs = (stdout + stderr).decode()
    assert "is polling for updates" in logs
    assert TOKEN not in logs
    assert TOKEN.split(":")[1] not in logs
    assert (tmp_path / "db" / "bot.sqlite3").exists()


async def test_bot_refuses_to_start_with_a_broken_data_file_and_names_the_problem(
    tmp_path: Path, api: FakeBotApi
) -> None:
    broken = tmp_path / "workshops.yaml"
    broken.write_text(
        "workshops:\n"
        "  - {code: BAD-1, name: Bad, city: X, address: Y, lat: 95, lon: 10, phone: '1234',\n"
        "     categories: [washer], hours: {mon: '09:00-18:00'}}\n",
        encoding="utf-8",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=bot_environment(tmp_path, api, WORKSHOPS_FILE=str(broken)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)

    assert process.returncode == 2
    message = stderr.decode().strip().splitlines()[-1]
    assert str(broken) in message
    assert "'BAD-1'" in message
    assert "lat" in message
