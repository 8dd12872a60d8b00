"""Webhook mode: Telegram POSTs each update to the bot, which answers once it is stored.

The sibling of `bot.runtime.polling.Poller`, with the same guarantee: an update is stored in
the inbox (`bot.runtime.intake`) before Telegram is told it arrived (200), so whatever
Telegram lets go of is never lost; anything else it is told (403, 400, 413, 500, 503) makes
it keep the update, and it retries all but the refusals. The request path stays cheap: the
secret is compared, the body read and checked for an ``update_id``, and handed to the intake,
which parses it only if it is new.

The webhook is set once the route is served and what the last run left unhandled is queued,
and is left set at stop: Telegram keeps updates while nobody answers, and the next start (or
another instance) takes over from there.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, EndPointNotFound, InvalidToken, RetryAfter
from telegram.ext import Application

from bot.runtime.intake import Intake
from bot.runtime.polling import Sleep
from bot.runtime.rate_limit import retry_seconds
from bot.runtime.web import MAX_REQUEST, WebServer

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookRefused(Exception):
    """Telegram would not set the webhook at WEBHOOK_URL (not HTTPS, a port it does not call)."""


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
        web_server: WebServer,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Serve the webhook's route on ``web_server`` (before it starts: routes are fixed then);
        it answers 503 until `start`."""
        self._application = application
        self._intake = intake
        self._url = url
        self._secret = secret.encode()
        self._max_connections = max_connections
        self._sleep = sleep
        self._accepting = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._waiting: dict[int, tuple[dict[str, Any], asyncio.Future[bool]]] = {}
        self._writing: asyncio.Task[None] | None = None
        web_server.add("POST", path, self._receive)

    async def start(self) -> None:
        """Ask Telegram to POST updates here; a token it rejects raises `InvalidToken`."""
        self._accepting = True
        while True:
            try:
                await self._application.bot.set_webhook(
                    self._url,
                    secret_token=self._secret.decode(),
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
        """Answer 503 from now on (Telegram keeps those updates and tries again later), and
        wait for the requests being stored to be answered. The webhook stays set."""
        self._accepting = False
        await self._idle.wait()

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403)
        if not self._accepting:
            return web.Response(status=503)
        if (request.content_length or 0) > MAX_REQUEST:
            return web.Response(status=413)
        self._in_flight += 1
        self._idle.clear()
        try:
            return await self._store(request)
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def _store(self, request: web.Request) -> web.Response:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413)
        try:
            update = json.loads(body)
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(update, dict) or type(update.get("update_id")) is not int:
            return web.Response(status=400, text="not an update")
        # Not stored, so not acknowledged: Telegram sends it again.
        return web.Response() if await self._stored(update) else web.Response(status=500)

    async def _stored(self, update: dict[str, Any]) -> bool:
        """Store ``update`` together with every other that arrives while the previous batch is
        being written: under load, one transaction for many requests instead of one each."""
        waiting = self._waiting.get(update["update_id"])
        if waiting is None:
            # A second request for the same id (Telegram retrying) shares the first's fate.
            waiting = self._waiting[update["update_id"]] = (
                update,
                asyncio.get_running_loop().create_future(),
            )
        if self._writing is None:
            self._writing = asyncio.create_task(self._write(), name="webhook-store")
        # Shielded: a request Telegram gave up on must not cancel the others' write.
        return await asyncio.shield(waiting[1])

    async def _write(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                try:
                    await self._intake.receive([update for update, _ in batch.values()])
                except Exception:
                    log.exception(
                        "could not store %d updates; Telegram will send them again", len(batch)
                    )
                    stored = False
                else:
                    stored = True
                for _, done in batch.values():
                    done.set_result(stored)
        finally:
            self._writing = None
