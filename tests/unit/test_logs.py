"""The log's formats never show the bot token, not even inside a traceback."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from bot.logs import JsonLines, Redacting

TOKEN = "123456:SECRET-TOKEN"


def failed_call_record() -> logging.LogRecord:
    try:
        raise ConnectionError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except ConnectionError:
        exc_info = sys.exc_info()
    return logging.LogRecord(
        "bot.test", logging.ERROR, __file__, 1, "calling %s", (f"/bot{TOKEN}/getMe",), exc_info
    )


@pytest.mark.parametrize("inner", [logging.Formatter(), JsonLines()], ids=["text", "json"])
def test_the_token_is_redacted_from_the_message_and_the_traceback(
    inner: logging.Formatter,
) -> None:
    line = Redacting(inner, TOKEN).format(failed_call_record())

    assert "SECRET" not in line
    assert line.count("<BOT_TOKEN>") == 2


def test_a_json_line_holds_time_level_logger_message_and_exception() -> None:
    entry = json.loads(JsonLines().format(failed_call_record()))

    assert entry["level"] == "ERROR"
    assert entry["logger"] == "bot.test"
    assert entry["message"].startswith("calling /bot")
    assert entry["exception"].startswith("Traceback")
    assert entry["time"].endswith("+00:00")
