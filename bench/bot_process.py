"""Child process of the benchmark: the bot under test, or the echo floor, alone in a process.

``python -m bench.bot_process KIND API_URL FOLDER [--backend B] [--concurrency N]
[--no-flood-limit] [--webhook-port PORT [--webhook-url URL]] [--database-url URL]`` with KIND
one of ``journey`` (the real bot, started as ``python -m bot`` starts it, its clock starting
at a fixed moment and then running; through a webhook with ``--webhook-port``, whose public
address is ``--webhook-url`` when a balancer stands in front; on PostgreSQL with
``--database-url``), ``library`` (the same
application fed by python-telegram-bot's own Updater, a diagnostic) or ``echo`` (a bare
python-telegram-bot application). The parent (``bench.driver``) runs the fake Bot API and the
simulated customers in its own process, so the CPU time and memory it reads off this process
are the bot's alone, and the bot has a core to itself, as it would in production.

It talks to the parent in lines on stdout:

* ``ready BACKEND CONCURRENCY`` once the bot is polling (or its webhook is set);
* ``handled CHAT_ID UPDATE_ID`` whenever the update processor finished an update (journey and
  library; the echo's one reply per update tells the parent that it is done);
* ``error MESSAGE`` for every log record at ERROR or above.

It shuts the bot down as ``python -m bot`` does once its stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    Updater,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

import bot.app as bot_app
from bench.driver import TOKEN, FixedClock, write_workshops
from bot.app import build_application, freeze_startup_objects, running_bot
from bot.config import Settings
from bot.runtime.leadership import LeaderElection
from bot.runtime.ordering import (
    MAX_CONCURRENT,
    ChatOrderedProcessor,
    Handle,
    SharedTurn,
    order_key,
)
from bot.services import Services
from bot.storage.leadership import SoleLeadership

KINDS = ("journey", "library", "echo")
WEBHOOK_SECRET = "bench-webhook-secret-" + "0" * 16


class RunningClock(FixedClock):
    """The fixed start moment, then real time: the flood guard refills as it would live."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    def now(self) -> datetime:
        return super().now() + timedelta(seconds=time.monotonic() - self._started)


def settings_for(
    api_url: str,
    folder: Path,
    flood_limit: bool = True,
    webhook_port: int | None = None,
    webhook_url: str | None = None,
    database_url: str | None = None,
) -> Settings:
    """The bot's settings for a run whose files the parent put in ``folder``.

    With ``webhook_port`` the bot runs in webhook mode on that loopback port (the fake calls
    plain HTTP there, as a reverse proxy would), with the default WEBHOOK_MAX_CONNECTIONS;
    ``webhook_url`` is the address Telegram is given, a balancer's, when not that port's.
    With ``database_url`` it keeps its data in PostgreSQL instead of a file in ``folder``.
    """
    webhook: dict[str, object] = {}
    if webhook_port is not None:
        webhook = {
            "webhook_url": webhook_url or f"http://127.0.0.1:{webhook_port}/telegram",
            "webhook_secret": WEBHOOK_SECRET,
            "webhook_listen": f"127.0.0.1:{webhook_port}",
        }
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,
        telegram_api_url=api_url,
        database_path=folder / "bot.sqlite3",
        database_url=database_url,
        health_listen="127.0.0.1:0",
        workshops_file=folder / "workshops.yaml",
        # Simulated customers tap faster than people can (see bench.run): 0 is no limit.
        **({} if flood_limit else {"flood_burst": 0}),
        **webhook,
    )


# --------------------------------------------------------------------------------------------
# Request backends and concurrency
# --------------------------------------------------------------------------------------------


def aiohttp_available() -> bool:
    try:
        from bot.runtime.aiohttp_request import AiohttpRequest  # noqa: F401
    except Exception:
        return False
    return True


def make_requests(backend: str) -> tuple[BaseRequest, BaseRequest]:
    """(request, get_updates_request) as ApplicationBuilder makes them by default."""
    if backend == "httpx":
        return HTTPXRequest(connection_pool_size=256), HTTPXRequest(connection_pool_size=1)
    if backend == "aiohttp":
        from bot.runtime.aiohttp_request import AiohttpRequest

        return AiohttpRequest(), AiohttpRequest(connection_pool_size=1)
    raise ValueError(f"unknown backend {backend!r}")


def backend_name(request: BaseRequest) -> str:
    name = type(request).__name__
    return {"HTTPXRequest": "httpx", "AiohttpRequest": "aiohttp"}.get(name, name)


class _ForcedRequestBuilder(ApplicationBuilder):  # type: ignore[type-arg]
    """An ApplicationBuilder whose request backend is fixed before bot.app configures it."""

    def __init__(self, backend: str) -> None:
        super().__init__()
        request, get_updates_request = make_requests(backend)
        super().request(request)
        super().get_updates_request(get_updates_request)

    def request(self, request: BaseRequest) -> _ForcedRequestBuilder:  # type: ignore[override]
        return self

    def get_updates_request(  # type: ignore[override]
        self, get_updates_request: BaseRequest
    ) -> _ForcedRequestBuilder:
        return self


@contextlib.contextmanager
def bot_wiring(backend: str | None, concurrency: int) -> Iterator[None]:
    """Run ``running_bot`` with another request backend or concurrency limit.

    ``bot.app`` has no parameter for either, so this swaps the two names it builds them
    from (``ApplicationBuilder`` and ``ChatOrderedProcessor``) for the duration, and
    restores them after. A hook in ``build_application`` would make this unnecessary.
    """
    saved = bot_app.ApplicationBuilder, bot_app.ChatOrderedProcessor
    if backend is not None:
        bot_app.ApplicationBuilder = lambda: _ForcedRequestBuilder(backend)  # type: ignore[assignment,misc]
    if concurrency != MAX_CONCURRENT:

        class Limited(ChatOrderedProcessor):
            def __init__(
                self, max_concurrent_updates: int = concurrency, on_done: Any = None
            ) -> None:
                super().__init__(concurrency, on_done)

        bot_app.ChatOrderedProcessor = Limited  # type: ignore[misc]
    try:
        yield
    finally:
        bot_app.ApplicationBuilder, bot_app.ChatOrderedProcessor = saved  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Telling the parent
# --------------------------------------------------------------------------------------------


def tell(*words: object) -> None:
    sys.stdout.write(" ".join(str(word) for word in words) + "\n")
    sys.stdout.flush()


class ErrorsToParent(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        message = f"{record.levelname} {record.name}: {record.getMessage()}"
        tell("error", message.replace("\n", " "))


def tell_handled(update: object) -> None:
    chat_id = order_key(update)
    if chat_id is not None and isinstance(update, Update):
        tell("handled", chat_id, update.update_id)


def report_handled(processor: ChatOrderedProcessor) -> None:
    """A ``handled`` line for every update whose handlers ran here.

    On SQLite, chained onto whatever the processor already calls when done (``on_done``).
    On PostgreSQL the processor hands every update to ``shared`` (its chat's lease), which
    records it handled itself and never tells ``on_done``: there the line follows each update
    that ``shared`` runs, whichever instance stored it (one it finds handled elsewhere is
    that instance's to report).
    """
    before = processor.on_done

    async def on_done(update: object, error: Exception | None) -> None:
        if before is not None:
            await before(update, error)
        tell_handled(update)

    processor.on_done = on_done
    if processor.shared is not None:
        processor.shared = ReportingTurn(processor.shared)


class ReportingTurn:
    """``shared``, telling the parent of each update it runs the handlers of."""

    def __init__(self, shared: SharedTurn) -> None:
        self._shared = shared

    async def take_turn(
        self, lane: int, update: Update, coroutine: Awaitable[Any], handle: Handle
    ) -> None:
        async def reported(update: Update, coroutine: Awaitable[Any]) -> Exception | None:
            error = await handle(update, coroutine)
            tell_handled(update)
            return error

        await self._shared.take_turn(lane, update, coroutine, reported)


def ready(application: Application) -> None:  # type: ignore[type-arg]
    processor = application.update_processor
    tell("ready", backend_name(application.bot.request), processor.max_concurrent_updates)


async def stdin_closed() -> None:
    await asyncio.to_thread(sys.stdin.read)


# --------------------------------------------------------------------------------------------
# The bots
# --------------------------------------------------------------------------------------------


async def serve_journey(settings: Settings, backend: str | None, concurrency: int) -> None:
    with bot_wiring(backend, concurrency):
        async with running_bot(settings, RunningClock()) as application:
            processor = application.update_processor
            assert isinstance(processor, ChatOrderedProcessor)
            report_handled(processor)
            freeze_startup_objects()  # as python -m bot does
            ready(application)
            await stdin_closed()


def one_instance(settings: Settings, services: Services) -> Application:  # type: ignore[type-arg]
    """The application as a lone instance builds it: it always leads."""
    return build_application(settings, services, LeaderElection(SoleLeadership()))


async def serve_library(settings: Settings, backend: str | None, concurrency: int) -> None:
    """The same application and handlers, fed by the library's Updater instead of ``Poller``.

    Without the start-up work (menus, outbox, broadcasts) the journey does not need; the
    Updater confirms updates as soon as it has queued them. The difference to the real bot
    is what the poller costs.
    """
    services = await Services.open(settings, RunningClock())
    try:
        with bot_wiring(backend, concurrency):
            application = one_instance(settings, services)
        async with application:
            await application.start()
            processor = application.update_processor
            assert isinstance(processor, ChatOrderedProcessor)
            report_handled(processor)
            updater = Updater(application.bot, application.update_queue)
            async with updater:
                await updater.start_polling(
                    poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES
                )
                freeze_startup_objects()
                ready(application)
                await stdin_closed()
                await updater.stop()
            await application.stop()
    finally:
        await services.close()


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(message.text or "ok", reply_markup=_next_button())


async def _echo_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text("Hello", reply_markup=_next_button())


async def _echo_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()


def _next_button() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data="next")]])


def build_echo(base_url: str, backend: str) -> Application:  # type: ignore[type-arg]
    request, get_updates_request = make_requests(backend)
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(base_url)
        .request(request)
        .get_updates_request(get_updates_request)
        .concurrent_updates(MAX_CONCURRENT)
        .build()
    )
    application.add_handler(CommandHandler("start", _echo_start))
    application.add_handler(CallbackQueryHandler(_echo_press))
    application.add_handler(MessageHandler(filters.ALL, _echo))
    return application


@contextlib.asynccontextmanager
async def running_echo(base_url: str, backend: str) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = build_echo(base_url, backend)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


async def serve_echo(api_url: str, backend: str) -> None:
    async with running_echo(api_url, backend) as application:
        ready(application)
        await stdin_closed()


async def detect_backend() -> str:
    """The request backend ``bot.app`` builds the application with."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        write_workshops(Path(tmp) / "workshops.yaml")
        settings = settings_for("http://127.0.0.1:9", Path(tmp))
        services = await Services.open(settings, FixedClock())
        try:
            application = one_instance(settings, services)
            return backend_name(application.bot.request)
        finally:
            await services.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bot_process")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("api_url")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--backend", default=None, help="httpx or aiohttp; default: bot.app's")
    parser.add_argument("--concurrency", type=int, default=MAX_CONCURRENT)
    parser.add_argument(
        "--webhook-port",
        type=int,
        default=None,
        help="receive through a webhook on this loopback port (journey only) instead of polling",
    )
    parser.add_argument(
        "--webhook-url",
        default=None,
        help="the webhook address Telegram is given (a balancer's); default: --webhook-port's",
    )
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL instead of a SQLite file in FOLDER"
    )
    parser.add_argument(
        "--no-flood-limit",
        dest="flood_limit",
        action="store_false",
        help="lift the per-person limit (simulated customers tap faster than people)",
    )
    args = parser.parse_args(argv)
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    root.addHandler(ErrorsToParent())
    if args.kind == "echo":
        if args.backend is None:
            parser.error("echo: --backend is required")
        asyncio.run(serve_echo(args.api_url, args.backend))
        return
    if args.webhook_port is not None and args.kind != "journey":
        parser.error("--webhook-port: only the journey bot has a webhook mode")
    if args.webhook_url is not None and args.webhook_port is None:
        parser.error("--webhook-url: only with --webhook-port")
    settings = settings_for(
        args.api_url,
        args.folder,
        args.flood_limit,
        args.webhook_port,
        args.webhook_url,
        args.database_url,
    )
    serve = serve_journey if args.kind == "journey" else serve_library
    asyncio.run(serve(settings, args.backend, args.concurrency))


if __name__ == "__main__":
    main()
