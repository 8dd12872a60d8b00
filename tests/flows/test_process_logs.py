"""What `python -m bot` writes to its log, read the way a log collector reads it."""

from __future__ import annotations

import json
from pathlib import Path

from bot.fake_telegram.server import FakeBotApi
from bot.fake_telegram.users import FakeUser
from tests.flows.test_running_process import TOKEN, bot_environment, start_bot, stop_bot


async def test_json_logs_are_one_object_a_line_with_tracebacks_inside_and_never_the_token(
    tmp_path: Path, api: FakeBotApi
) -> None:
    # A reply lost on the way: the handler's error is logged with its traceback.
    api.drop_next("sendMessage")
    env = bot_environment(tmp_path, api, LOG_FORMAT="json", LOG_LEVEL="DEBUG")
    process = await start_bot(tmp_path, env)
    try:
        FakeUser(api, 4242, "Olga").send_command("/start")
        await api.wait_for(lambda: api.calls_of("sendMessage"), timeout=30)
        FakeUser(api, 4343, "Ivan").send_command("/start")
        await api.wait_for(lambda: api.sent_to(4343), timeout=30)
    finally:
        code, output = await stop_bot(process)

    assert code == 0
    entries = [json.loads(line) for line in output.splitlines()]
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    assert any("Traceback" in entry.get("exception", "") for entry in entries)
    assert TOKEN.split(":")[1] not in output
    assert "<BOT_TOKEN>" in output, "the library's debug lines name the token, redacted"


async def test_at_info_a_run_logs_its_start_and_its_stop_once_and_no_routine_work(
    tmp_path: Path, api: FakeBotApi
) -> None:
    env = bot_environment(tmp_path, api, LOG_FORMAT="json", LOG_LEVEL="INFO")
    process = await start_bot(tmp_path, env)
    try:
        for user_id in (4242, 4343):
            FakeUser(api, user_id, "Olga").send_command("/start")
            await api.wait_for(lambda user_id=user_id: api.sent_to(user_id), timeout=30)
    finally:
        code, output = await stop_bot(process)

    assert code == 0
    lines = [json.loads(line)["message"] for line in output.splitlines()]
    assert len(lines) == 4, lines
    assert lines[0].startswith("created a new database at")
    assert lines[1].startswith("Listening for HTTP on 127.0.0.1:")
    assert lines[2] == "Bot @repair_test_bot is polling for updates"
    assert lines[3] == "Bot @repair_test_bot stopped"
