"""`python -m bot` as an operator runs it: a real process against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from bot.fake_telegram.users import FakeUser
from bot.runtime.ordering import MAX_CONCURRENT
from tests.support.database import environment_of, inbox_rows_of

TOKEN = "123456:TEST-TOKEN"
CHECKOUT = Path(__file__).resolve().parents[2]
"""The bot the process runs is this checkout's, not whichever one the venv has installed."""


def bot_environment(tmp_path: Path, api: FakeBotApi, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(CHECKOUT),
        "PTB_TIMEDELTA": "1",
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "DATABASE_PATH": str(tmp_path / "db" / "bot.sqlite3"),
        "LOG_LEVEL": "DEBUG",
        "HEALTH_LISTEN": "127.0.0.1:0",
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


async def start_and_wait(tmp_path: Path, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode is not None
    return process.returncode, (stdout + stderr).decode()


async def test_a_token_telegram_rejects_gets_one_line_that_does_not_repeat_it(
    tmp_path: Path, api: FakeBotApi
) -> None:
    wrong = "654321:WRONG-SECRET"
    env = bot_environment(tmp_path, api, BOT_TOKEN=wrong, LOG_LEVEL="WARNING")
    code, output = await start_and_wait(tmp_path, env)

    assert code == 2
    assert output.strip().splitlines() == [
        "error: Telegram rejected BOT_TOKEN; check it with @BotFather"
    ]
    assert "WRONG-SECRET" not in output


async def test_a_listening_port_already_taken_gets_one_line_naming_the_setting(
    tmp_path: Path, api: FakeBotApi
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = bot_environment(
            tmp_path, api, HEALTH_LISTEN=f"127.0.0.1:{port}", LOG_LEVEL="WARNING"
        )
        code, output = await start_and_wait(tmp_path, env)

    assert code == 2
    assert output.strip().splitlines() == [
        f"error: HEALTH_LISTEN: cannot listen on 127.0.0.1:{port}: address already in use"
    ]


async def test_an_unreachable_telegram_gets_one_line_naming_the_address(
    tmp_path: Path, api: FakeBotApi
) -> None:
    nowhere = "http://127.0.0.1:9/bot"  # the discard port: nobody listens
    env = bot_environment(tmp_path, api, TELEGRAM_API_URL=nowhere, LOG_LEVEL="WARNING")
    code, output = await start_and_wait(tmp_path, env)

    assert code == 1
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith(f"error: cannot reach Telegram at {nowhere}")
    assert TOKEN.split(":")[1] not in output
    assert "Unclosed" not in output


async def test_updates_in_flight_when_the_process_is_killed_are_handled_after_restart(
    tmp_path: Path, api: FakeBotApi, settings: Settings
) -> None:
    """SIGKILL in the middle of a burst: nothing is lost, and what was handled is not redone."""
    # More than are handled at once, so the kill lands mid-burst however fast the bot is.
    customers = [FakeUser(api, 50_000 + n, f"User{n}") for n in range(MAX_CONCURRENT + 144)]
    env = bot_environment(tmp_path, api, LOG_LEVEL="WARNING", **environment_of(settings))
    first = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    api.latency = 0.01  # slow enough that the kill lands in the middle of the burst
    for customer in customers:
        customer.send_command("/start")
    await api.wait_for(lambda: len(api.calls_of("sendMessage")) >= 120, timeout=30)
    first.kill()
    await first.wait()
    greeted_before = {c.user_id for c in customers if api.sent_to(c.user_id)}
    assert 120 <= len(greeted_before) < len(customers), "the kill came mid-burst"

    api.latency = 0.0
    second = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await api.wait_for(lambda: all(api.sent_to(c.user_id) for c in customers), timeout=30)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), timeout=30)

    greetings = {c.user_id: len(api.sent_to(c.user_id)) for c in customers}
    assert all(count >= 1 for count in greetings.values()), "no update was lost"
    doubled = [user for user, count in greetings.items() if count > 1]
    # Only an update whose handling was cut short by the kill can run twice; the bot handles
    # at most MAX_CONCURRENT at once, and those handled before the kill are recognised and
    # skipped.
    assert len(doubled) <= MAX_CONCURRENT
    assert all(user in greeted_before for user in doubled)


async def start_bot(tmp_path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop_bot(process: asyncio.subprocess.Process) -> tuple[int, str]:
    """SIGTERM, then the exit status and everything the process wrote."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode is not None
    return process.returncode, (stdout + stderr).decode()


async def test_a_token_revoked_while_running_ends_the_process_with_status_2_and_one_error_line(
    tmp_path: Path, api: FakeBotApi
) -> None:
    env = bot_environment(tmp_path, api, LOG_LEVEL="WARNING")
    process = await start_bot(tmp_path, env)
    try:
        await api.wait_for(lambda: api.parked_polls > 0, timeout=30)
        api.token = "999999:ANOTHER-TOKEN"
        # Chatter in a group gets no answer; it only ends the long poll in progress.
        group = {"id": -100, "type": "group", "title": "Chatter"}
        sender = {"id": 4343, "is_bot": False, "first_name": "Olga"}
        api.push_update({"message": {"date": 0, "chat": group, "from": sender, "text": "hi"}})
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert process.returncode == 2
    errors = stderr.decode().strip().splitlines()
    assert errors[-1] == "error: Telegram rejected BOT_TOKEN; check it with @BotFather"
    assert [line for line in errors if "CRITICAL" in line] == errors[:-1]
    assert len(errors) == 2
    output = (stdout + stderr).decode()
    assert "Traceback" not in output
    assert TOKEN.split(":")[1] not in output


async def test_an_unreadable_update_is_skipped_logged_with_its_id_and_never_fetched_again(
    tmp_path: Path, api: FakeBotApi, settings: Settings
) -> None:
    env = bot_environment(tmp_path, api, LOG_LEVEL="WARNING", **environment_of(settings))
    # An older shape of a message: its sender lacks first_name and is_bot.
    chat = {"id": 4444, "type": "private"}
    older = {"message_id": 1, "date": 0, "chat": chat, "from": {"id": 4444}, "text": "hi"}
    bad = api.push_update({"message": older})
    olga = FakeUser(api, 4545, "Olga")
    olga.send_command("/start")

    first = await start_bot(tmp_path, env)
    try:
        await api.wait_for(lambda: api.sent_to(4545), timeout=30)
    finally:
        code, logs = await stop_bot(first)
    assert code == 0
    assert f"update {bad} (message) cannot be read" in logs
    [(failure,)] = await inbox_rows_of(
        settings, "SELECT failure FROM inbox WHERE update_id = ?", (bad,)
    )
    assert "first_name" in failure

    polls_before = len(api.calls_of("getUpdates"))
    second = await start_bot(tmp_path, env)
    try:
        olga.send_command("/help")
        await api.wait_for(lambda: len(api.sent_to(4545)) >= 2, timeout=30)
    finally:
        code, logs = await stop_bot(second)
    assert code == 0
    assert f"update {bad} " not in logs
    fetched = [
        update["update_id"]
        for call in api.calls_of("getUpdates")[polls_before:]
        for update in call.result or []
    ]
    assert fetched and bad not in fetched


async def test_after_getupdates_faults_the_bot_answers_and_sigterm_still_exits_cleanly(
    tmp_path: Path, api: FakeBotApi
) -> None:
    api.fail_next("getUpdates", 403, "Forbidden: bot was blocked", times=1)
    api.fail_next("getUpdates", 429, "Too Many Requests: retry after 1", retry_after=1)
    process = await start_bot(tmp_path, bot_environment(tmp_path, api, LOG_LEVEL="WARNING"))
    try:
        FakeUser(api, 4646, "Olga").send_command("/start")
        greeting = await api.wait_for(lambda: api.sent_to(4646), timeout=30)
    finally:
        code, logs = await stop_bot(process)

    assert "Olga" in greeting[0]["text"]
    assert code == 0
    assert "getUpdates failed" in logs
    assert "still running" not in logs
    assert "Traceback" not in logs
