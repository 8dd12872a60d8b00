"""The webhook listener, in a process of its own: `python -m bot.runtime.receiver`.

Telegram's requests cost the bot's one core CPU, and under load an answer waited for a turn of
an event loop shared with some 250 updates in flight, then for the database's write lock. Here
they are answered by a process started by the bot (`bot.runtime.webhook`), which owns the
public listener (WEBHOOK_LISTEN) and its own connection to the inbox: SQLite's inbox file, or
PostgreSQL's database (an insert there takes no write lock). Every rule of the request lives
here: 403 for a missing or wrong secret, 503 until the bot accepts and again from stop on, 413
over `MAX_REQUEST`, 400 for a body that is not an update, 200 once it is stored, 500 when the
store fails, so Telegram sends it again. Requests arriving while a batch is written are stored
together in the next, and requests for one update id share one fate.

It talks to the bot over its standard streams, one JSON line each way. In: the
`ReceiverConfig` first (the secret and a DATABASE_URL never go on a command line), then
``accept`` and ``stop``. Out: ``{"listening": port}`` (or ``{"error": ...}`` and exit status 2),
then for each stored batch the new updates as they came and the highest update id seen, and
``{"stopped": true}`` once every request in flight at ``stop`` is answered. `/healthz` and
`/metrics`, the operator's, are passed on to the bot's own listener on a loopback port.

It ends when its standard input does: the bot closed it, or died (even by SIGKILL), so it never
outlives the bot holding the port. Signals are the bot's to act on: it ignores SIGINT and
SIGTERM, which a terminal or supervisor may send the whole group.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web
from pydantic import BaseModel, SecretStr

from bot.config import Listen
from bot.logs import LogFormat, configure_logging
from bot.runtime.web import MAX_REQUEST, ListenError, WebServer
from bot.storage.database import InboxDatabase
from bot.storage.engine import InboxEngine
from bot.storage.inbox import InboxStore, compact
from bot.storage.postgres import PostgresDatabase

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
OPERATOR_PATHS = ("/healthz", "/metrics")
"""The operator's endpoints, answered by the bot and passed on from here."""
OPERATOR_TIMEOUT = ClientTimeout(total=10)


class ReceiverConfig(BaseModel, frozen=True):
    """What the bot tells its receiver on start, as the first line of its standard input."""

    listen: Listen
    path: str
    secret: SecretStr
    inbox_file: Path | None
    """SQLite's inbox file; None with PostgreSQL."""
    database_url: SecretStr | None
    operator_port: int
    """The loopback port where the bot answers `OPERATOR_PATHS`."""
    log_level: str
    log_format: LogFormat

    def line(self) -> bytes:
        """As the receiver reads it, secrets in the clear: it goes down a pipe, never on a
        command line."""
        data = self.model_dump(mode="json")
        data["secret"] = self.secret.get_secret_value()
        data["database_url"] = self.database_url.get_secret_value() if self.database_url else None
        return json.dumps(data).encode() + b"\n"


class Receiver:
    def __init__(self, store: InboxStore, secret: str, tell: asyncio.StreamWriter) -> None:
        self._store = store
        self._secret = secret.encode()
        self._tell = tell
        self._accepting = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._waiting: dict[int, tuple[dict[str, Any], asyncio.Future[bool]]] = {}
        self._writing: asyncio.Task[None] | None = None

    def accept(self) -> None:
        self._accepting = True

    async def stop(self) -> None:
        """Answer 503 from now on, and tell the bot once the requests being stored are
        answered."""
        self._accepting = False
        await self._idle.wait()
        self.send({"stopped": True})

    def send(self, message: dict[str, Any]) -> None:
        self._tell.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")

    async def receive(self, request: web.Request) -> web.Response:
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
            return await self._read(request)
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def _read(self, request: web.Request) -> web.Response:
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
        being written: under load, one statement for many requests instead of one each."""
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
                updates = [update for update, _ in batch.values()]
                try:
                    new = await self._store.store(
                        [(update["update_id"], compact(update)) for update in updates],
                        datetime.now(UTC),
                    )
                except Exception:
                    log.exception(
                        "could not store %d updates; Telegram will send them again", len(batch)
                    )
                    stored = False
                else:
                    stored = True
                for _, done in batch.values():
                    done.set_result(stored)
                if stored:
                    self.send(
                        {
                            "new": [update for update in updates if update["update_id"] in new],
                            "newest": max(batch),
                        }
                    )
        finally:
            self._writing = None


class OperatorPass:
    """Passes the operator's GETs on to the bot's own listener and returns its answer."""

    def __init__(self, port: int) -> None:
        self._base = f"http://127.0.0.1:{port}"
        self._session: ClientSession | None = None

    async def __call__(self, request: web.Request) -> web.Response:
        if self._session is None:
            self._session = ClientSession(timeout=OPERATOR_TIMEOUT)
        try:
            async with self._session.get(f"{self._base}{request.path}") as answer:
                return web.Response(
                    status=answer.status,
                    body=await answer.read(),
                    headers={"Content-Type": answer.headers.get("Content-Type", "text/plain")},
                )
        except (TimeoutError, OSError):
            return web.Response(status=503, text="the bot does not answer")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


async def connect(config: ReceiverConfig) -> InboxEngine:
    """The inbox's own connection: SQLite's inbox file, or a pool on PostgreSQL."""
    if config.database_url is not None:
        return await PostgresDatabase.open(config.database_url.get_secret_value())
    assert config.inbox_file is not None
    return await InboxDatabase.open(config.inbox_file, fresh=True)


async def standard_streams() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Standard input and output as streams: a slow bot never blocks the event loop."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    transport, protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin, sys.stdout
    )
    return reader, asyncio.StreamWriter(transport, protocol, None, loop)


async def serve() -> int:
    commands, tell = await standard_streams()
    line = await commands.readline()
    if not line:
        return 0
    config = ReceiverConfig.model_validate_json(line)
    configure_logging(config.log_level, "", config.log_format, config.secret.get_secret_value())
    db = await connect(config)
    try:
        receiver = Receiver(InboxStore(db), config.secret.get_secret_value(), tell)
        operator = OperatorPass(config.operator_port)
        server = WebServer(config.listen, "WEBHOOK_LISTEN")
        server.add("POST", config.path, receiver.receive)
        for path in OPERATOR_PATHS:
            server.add("GET", path, operator)
        try:
            await server.start()
        except ListenError as error:
            receiver.send({"error": str(error)})
            await tell.drain()
            return 2
        try:
            receiver.send({"listening": server.port})
            while line := await commands.readline():
                if line.strip() == b"accept":
                    receiver.accept()
                elif line.strip() == b"stop":
                    await receiver.stop()
        finally:
            await server.stop()
            await operator.close()
    finally:
        await db.close()
    return 0


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(asyncio.run(serve()))


if __name__ == "__main__":
    main()
