"""Logging set-up: the bot token out of every line, and libraries' chatter out of INFO."""

from __future__ import annotations

import logging


class RedactSecret(logging.Filter):
    """The token is part of every Bot API URL, which HTTP libraries like to log."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._secret and self._secret in message:
            record.msg = redact(message, self._secret)
            record.args = None
        return True


def redact(text: str, secret: str) -> str:
    return text.replace(secret, "<BOT_TOKEN>") if secret else text


QUIET_AT_INFO = (
    "httpx",
    "apscheduler",
)
"""Libraries whose INFO lines drown ours; their warnings and errors still show.

httpx logs each request URL, token included; APScheduler two lines for every run of the
once-a-minute tick, some 2,900 a day on an idle bot."""


def configure_logging(level: str, secret: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecret(secret))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in QUIET_AT_INFO:
        logging.getLogger(name).setLevel(logging.WARNING)

