"""Telegram's side of a webhook, for the fake Bot API: queued updates POSTed to the bot.

Like Telegram: each request carries the secret token header; one chat's updates go one at a
time, in order (the next only once the previous was answered 2xx); up to ``max_connections``
requests are open at once across chats; an update answered otherwise, or whose connection
failed, is sent again after a short back-off, and leaves the queue only once answered 2xx.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

JSONDict = dict[str, Any]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class WebhookDelivery:
    """One request to the webhook: the HTTP status it got (None: no answer) and how long."""

    update_id: int
    status: int | None
    seconds: float
    update: JSONDict = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def order_key(update: JSONDict) -> int | None:
    """The chat (or, without one, the user) whose updates Telegram sends one at a time."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        message = value.get("message")
        chat = value.get("chat") or (message.get("chat") if isinstance(message, dict) else None)
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = value.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None


class WebhookSender:
    """Delivers the fake's queued updates to one webhook until closed."""

    def __init__(
        self,
        url: str,
        secret_token: str | None,
        max_connections: int,
        *,
        queued: Callable[[], list[JSONDict]],
        answered: Callable[[WebhookDelivery, str | None], None],
        backoff: Callable[[], float],
    ) -> None:
        """``queued`` gives the updates not yet delivered, in order; ``answered`` is told of
        every request (with Telegram's wording of the error, if it failed); ``backoff`` is the
        seconds to wait before sending a failed update again (0: at once)."""
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self._queued = queued
        self._answered = answered
        self._backoff = backoff
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def pump(self) -> None:
        """Start every delivery allowed now: the first queued update of each idle chat."""
        if self._closed:
            return
        busy: set[int] = set()
        for update in self._queued():
            key = order_key(update)
            if key is not None:
                if key in busy:
                    continue
                busy.add(key)
            update_id = update["update_id"]
            if update_id in self._in_flight:
                continue
            if len(self._in_flight) >= self.max_connections:
                return
            self._in_flight[update_id] = asyncio.create_task(
                self._deliver(update), name=f"webhook-{update_id}"
            )

    async def close(self) -> None:
        """Stop delivering: requests in flight are abandoned (their updates stay queued)."""
        self._closed = True
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        if self._session is not None:
            await self._session.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_connections),
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
            )
        return self._session

    async def _deliver(self, update: JSONDict) -> None:
        update_id = update["update_id"]
        body = json.dumps(update, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers[SECRET_HEADER] = self.secret_token
        loop = asyncio.get_running_loop()
        try:
            while True:
                started = loop.time()
                problem: str | None = None
                status: int | None = None
                try:
                    async with self._client().post(self.url, data=body, headers=headers) as answer:
                        status = answer.status
                        await answer.read()
                except (aiohttp.ClientError, OSError, TimeoutError) as error:
                    problem = f"Connection failed: {error or type(error).__name__}"
                delivery = WebhookDelivery(update_id, status, loop.time() - started, update)
                if delivery.ok:
                    self._answered(delivery, None)
                    return
                self._answered(delivery, problem or f"Wrong response from the webhook: {status}")
                await asyncio.sleep(self._backoff())
        finally:
            del self._in_flight[update_id]
            self.pump()
