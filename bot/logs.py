"""Logging set-up: the bot token out of every line, and libraries' chatter out of INFO."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["text", "json"]


class Redacting(logging.Formatter):
    """Takes the token and the webhook secret out of the finished line, traceback included.

    The token is part of every Bot API URL, which HTTP libraries like to log, and exception
    messages may repeat the URL: redacting the message alone would miss those. The webhook
    secret is a parameter of setWebhook, which the library logs at DEBUG.
    """

    def __init__(self, inner: logging.Formatter, secret: str, webhook_secret: str = "") -> None:
        super().__init__()
        self._inner = inner
        self._secret = secret
        self._webhook_secret = webhook_secret

    def format(self, record: logging.LogRecord) -> str:
        line = redact(self._inner.format(record), self._secret)
        return redact(line, self._webhook_secret, "<WEBHOOK_SECRET>")


class JsonLines(logging.Formatter):
    """One JSON object a line, for log collectors: no multi-line tracebacks to stitch."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def redact(text: str, secret: str, placeholder: str = "<BOT_TOKEN>") -> str:
    return text.replace(secret, placeholder) if secret else text


QUIET_AT_INFO = (
    "httpx",
    "apscheduler",
    "aiohttp.access",
    "telegram.ext.Application",
)
"""Libraries whose INFO lines drown ours; their warnings and errors still show.

httpx logs each request URL, token included; APScheduler two lines for every run of the
once-a-minute tick (some 2,900 a day on an idle bot) and one for every wake-up it re-arms;
aiohttp a line per request to the webhook, /healthz and /metrics; python-telegram-bot's
application its own start and stop lines next to the bot's."""


def configure_logging(
    level: str, secret: str, log_format: LogFormat = "text", webhook_secret: str = ""
) -> None:
    handler = logging.StreamHandler()
    inner = (
        JsonLines()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.setFormatter(Redacting(inner, secret, webhook_secret))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # At DEBUG, asked for when something is wrong, they are worth seeing after all.
    quiet = logging.NOTSET if logging.getLogger().level <= logging.DEBUG else logging.WARNING
    for name in QUIET_AT_INFO:
        logging.getLogger(name).setLevel(quiet)
