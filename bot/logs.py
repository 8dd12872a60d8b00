"""Logging set-up: the bot token out of every line, and libraries' chatter out of INFO."""

from __future__ import annotations

import logging


class RedactSecret(logging.Filter):
    """The token is part of every Bot API URL, which HTTP libraries like to log; the webhook
    secret is a parameter of setWebhook, which the library logs at DEBUG."""

    def __init__(self, secret: str, webhook_secret: str = "") -> None:
        super().__init__()
        self._secret = secret
        self._webhook_secret = webhook_secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = redact(redact(message, self._secret), self._webhook_secret, "<WEBHOOK_SECRET>")
        if hidden != message:
            record.msg = hidden
            record.args = None
        return True


def redact(text: str, secret: str, placeholder: str = "<BOT_TOKEN>") -> str:
    return text.replace(secret, placeholder) if secret else text


QUIET_AT_INFO = (
    "httpx",
    "apscheduler",
)
"""Libraries whose INFO lines drown ours; their warnings and errors still show.

httpx logs each request URL, token included; APScheduler two lines for every run of the
once-a-minute tick, some 2,900 a day on an idle bot."""


def configure_logging(level: str, secret: str, webhook_secret: str = "") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecret(secret, webhook_secret))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in QUIET_AT_INFO:
        logging.getLogger(name).setLevel(logging.WARNING)

