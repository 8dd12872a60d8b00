"""Webhook mode: Telegram POSTs each update to a listener, which answers once it is stored.

The sibling of `bot.runtime.polling.Poller`, with the same guarantee: an update is stored in
the inbox before Telegram is told it arrived (200), so whatever Telegram lets go of is never
lost. The listener is a process of its own (`bot.runtime.receiver`), started here, so that
answering Telegram never waits for this process's event loop nor its database transactions:
it stores each batch through its own connection and tells this process which updates were
new, which the intake then hands to the application (`Intake.arrived`). /healthz and /metrics
stay on WEBHOOK_LISTEN: the receiver passes them on to this process's listener, on loopback.

The receiver is started before Telegram is reached, so a port that is taken stops the bot at
once; it answers 503 until `start`, when what the last run left unhandled is queued, and the
webhook is set only then. The webhook is left set at stop: Telegram keeps updates while nobody
answers, and the next start (or another instance) takes over from there. A receiver that dies
is fatal to the bot (one CRITICAL line, `on_fatal`); one whose bot dies ends with it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path

from pydantic import SecretStr
from telegram import Update
from telegram.error import BadRequest, EndPointNotFound, InvalidToken, RetryAfter
from telegram.ext import Application

from bot.config import Listen
from bot.logs import LogFormat
from bot.runtime.intake import Intake
from bot.runtime.polling import OnFatal, Sleep
from bot.runtime.rate_limit import retry_seconds
from bot.runtime.receiver import ReceiverConfig
from bot.runtime.web import ListenError

log = logging.getLogger(__name__)

CHECKOUT = Path(__file__).resolve().parents[2]
"""The folder that holds the `bot` package, for the receiver's PYTHONPATH."""
LINE_LIMIT = 64 * 1024 * 1024
"""Bytes of the longest line the receiver may send: a batch of updates of up to 1 MB each."""
SECONDS_TO_END = 10
"""How long the receiver has to end once told to, before it is killed."""
WITHHELD = ("BOT_TOKEN", "WEBHOOK_SECRET", "DATABASE_URL")
"""Settings left out of the receiver's environment: it never calls Telegram, and is given the
secret and the database's address in its configuration."""


class WebhookRefused(Exception):
    """Telegram would not set the webhook at WEBHOOK_URL (not HTTPS, a port it does not call)."""


class ReceiverDied(Exception):
    """The webhook's receiver process ended while the bot was running: no update can arrive."""


class WebhookReceiver:
    def __init__(
        self,
        application: Application,
        intake: Intake,
        *,
        url: str,
        path: str,
        secret: str,
        max_connections: int,
        listen: Listen,
        inbox_file: Path | None,
        database_url: SecretStr | None,
        log_level: str,
        log_format: LogFormat,
        sleep: Sleep = asyncio.sleep,
        on_fatal: OnFatal | None = None,
    ) -> None:
        """``inbox_file``: SQLite's, or None for PostgreSQL at ``database_url``."""
        self._application = application
        self._intake = intake
        self._url = url
        self._secret = secret
        self._max_connections = max_connections
        self._sleep = sleep
        self._on_fatal = on_fatal
        self._config = ReceiverConfig(
            listen=listen,
            path=path,
            secret=SecretStr(secret),
            inbox_file=inbox_file,
            database_url=database_url,
            operator_port=0,
            log_level=log_level,
            log_format=log_format,
        )
        self._process: asyncio.subprocess.Process | None = None
        self._reading: asyncio.Task[None] | None = None
        self._stopped = asyncio.Event()
        self._closing = False
        self.port = 0
        """The port the receiver listens on (`Listen` may ask for 0: any free port, in tests)."""

    async def listen(self, operator_port: int) -> None:
        """Start the receiver, listening on WEBHOOK_LISTEN; it passes /healthz and /metrics
        on to ``operator_port``. A port it cannot use raises `ListenError`."""
        config = self._config.model_copy(update={"operator_port": operator_port})
        env = {name: value for name, value in os.environ.items() if name not in WITHHELD}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH")]))
        process = self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.runtime.receiver",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            limit=LINE_LIMIT,
        )
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(config.line())
        first = await process.stdout.readline()
        answer = json.loads(first) if first else {}
        if "listening" not in answer:
            await self.close()
            if "error" in answer:
                raise ListenError(answer["error"])
            died = ReceiverDied(
                f"the webhook receiver ended at start (status {process.returncode})"
            )
            log.critical("%s", died)
            raise died
        self.port = answer["listening"]
        log.info("webhook receiver (process %d) listening on port %d", process.pid, self.port)
        self._reading = asyncio.create_task(self._read(), name="webhook-receiver")

    async def start(self) -> None:
        """Have the receiver accept updates, and ask Telegram to POST them there; a token it
        rejects raises `InvalidToken`."""
        self._tell(b"accept")
        while True:
            try:
                await self._application.bot.set_webhook(
                    self._url,
                    secret_token=self._secret,
                    allowed_updates=Update.ALL_TYPES,
                    max_connections=self._max_connections,
                )
                return
            except RetryAfter as error:
                wait = retry_seconds(error)
                log.warning("setWebhook: Telegram asks to wait %.0f s; waiting", wait)
                await self._sleep(wait)
            except (InvalidToken, EndPointNotFound):
                # As for getUpdates: after getMe, a 401 or 404 on a known method is the token.
                raise InvalidToken("Telegram rejected BOT_TOKEN at setWebhook") from None
            except BadRequest as error:
                raise WebhookRefused(
                    f"WEBHOOK_URL: Telegram refused {self._url}: {error.message}"
                ) from None

    async def stop(self) -> None:
        """Have the receiver answer 503 from now on (Telegram keeps those updates and tries
        again later), and wait until the requests being stored are answered and what they
        brought is queued. The webhook stays set."""
        if self._reading is None or self._reading.done():
            return
        self._tell(b"stop")
        stopped = asyncio.create_task(self._stopped.wait())
        await asyncio.wait([stopped, self._reading], return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()

    async def close(self) -> None:
        """End the receiver: its standard input closes, and it ends (or is killed)."""
        self._closing = True
        process = self._process
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), SECONDS_TO_END)
        except TimeoutError:
            process.kill()
            await process.wait()
        if self._reading is not None:
            await self._reading

    def _tell(self, command: bytes) -> None:
        assert self._process is not None and self._process.stdin is not None
        if not self._process.stdin.is_closing():
            self._process.stdin.write(command + b"\n")

    async def _read(self) -> None:
        """Hand what the receiver stored to the intake, in order, until it ends."""
        assert self._process is not None and self._process.stdout is not None
        while line := await self._process.stdout.readline():
            message = json.loads(line)
            if "stopped" in message:
                self._stopped.set()
                continue
            try:
                await self._intake.arrived(message["new"], message["newest"])
            except Exception:
                # Stored, so handled at the next start at worst.
                log.exception("could not take up %d stored updates", len(message["new"]))
        if self._closing:
            return
        code = await self._process.wait()
        reason = ReceiverDied(
            f"the webhook receiver (process {self._process.pid}) ended with status {code}: "
            "no update can arrive, so the bot stops"
        )
        log.critical("%s", reason)
        if self._on_fatal is not None:
            self._on_fatal(reason)
