"""An HTTP listener: the operator's endpoints, and the webhook's route in its receiver.

When polling, the bot's listens on `HEALTH_LISTEN` (loopback by default) for the operator's
endpoints. In webhook mode the receiver's process (`bot.runtime.receiver`) listens on
`WEBHOOK_LISTEN`, serves the webhook there and passes the operator's endpoints on to the bot's,
which then listens on a loopback port of its own. Routes are added before `start`; a port that
cannot be bound stops the bot at start-up with one line, like any other setting it cannot use.
"""

from __future__ import annotations

import logging
import os

from aiohttp import web

from bot.config import Listen

log = logging.getLogger(__name__)

MAX_REQUEST = 1024 * 1024
"""Bytes of the largest request body read (a larger one gets 413): an update is a few
kilobytes, and the operator's endpoints take none."""


class ListenError(Exception):
    """The address to listen on cannot be used (taken, not ours, not resolvable)."""


class WebServer:
    def __init__(self, listen: Listen, setting: str) -> None:
        self._listen = listen
        self._setting = setting
        """The setting `listen` came from, so that a refusal names what to change."""
        self._app = web.Application(client_max_size=MAX_REQUEST)
        self._runner: web.AppRunner | None = None
        self.port = 0
        """The port actually bound (`Listen` may ask for 0: any free port, in tests)."""

    def add(self, method: str, path: str, handler: web.Handler) -> None:
        self._app.router.add_route(method, path, handler)

    async def start(self) -> None:
        # Access logs would write a line per update in webhook mode: routine, so not at INFO.
        self._runner = web.AppRunner(self._app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._listen.host, self._listen.port)
        try:
            await site.start()
        except OSError as error:
            await self._runner.cleanup()
            self._runner = None
            raise ListenError(
                f"{self._setting}: cannot listen on {self._listen}: {reason(error)}"
            ) from None
        addresses = self._runner.addresses
        self.port = addresses[0][1] if addresses else self._listen.port
        log.info("Listening for HTTP on %s:%d", self._listen.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def reason(error: OSError) -> str:
    """asyncio wraps the bind error in a sentence of its own; the system's words are enough."""
    return os.strerror(error.errno).lower() if error.errno else str(error)
