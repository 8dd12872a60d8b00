"""Simulated customers against the real bot (or the echo floor) on the fake Bot API.

One asyncio task per customer pushes an update, waits until the bot has handled it, and goes
on, immediately (saturation) or after a think time (a crowd). A :class:`Tracker` watches the
fake server's call log and the bot's update processor and measures, per update, the reply
latency: from the update being offered (pushed to the fake server) to the bot's first API
call for that chat (``ApiCall.at_timer``, when the fake answered it). Everything runs in this
one process, so CPU time per update covers the bot, the fake server and the driver alike;
the echo floor is measured the very same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import random
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update
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
from bot.app import build_application, running_bot
from bot.config import Settings
from bot.fake_telegram.server import ApiCall, FakeBotApi
from bot.fake_telegram.users import FakeUser
from bot.handlers.ordering import MAX_CONCURRENT, ChatOrderedProcessor, order_key
from bot.services import Services

TOKEN = "123456:BENCH-TOKEN"
TICKET_CODE = re.compile(r"SR-[0-9A-Z]{6}")
STEP_TIMEOUT = 60.0
CITY = "Moscow"
PHONE = "+79161234567"
UPDATES_PER_JOURNEY = 12
ERROR_SAMPLES = 5

CATEGORIES = ("phone", "laptop", "tv", "washer", "fridge", "footwear")
WORKSHOPS_YAML = """\
# One workshop in one city that repairs everything and takes 100 drop-offs a slot
# (the most the file allows): 28 slots a day, so every simulated customer can book.
workshops:
  - code: BENCH-MSK
    name: Bench Workshop
    city: {{en: "Moscow", ru: "Москва"}}
    address: Tverskaya St 1
    lat: 55.757
    lon: 37.615
    phone: "+7 495 000 00 00"
    categories: [{categories}]
    hours: {{{hours}}}
    slot_minutes: 30
    slot_capacity: 100
    timezone: Europe/Moscow
"""


class FixedClock:
    """Thursday 26 November 2026, 10:00 in Moscow: the day's slots are all ahead."""

    def now(self) -> datetime:
        return datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


def write_workshops(path: Path) -> Path:
    days = ", ".join(f'{day}: "08:00-22:00"' for day in ("mon", "tue", "wed", "thu", "fri"))
    days += ', sat: "08:00-22:00", sun: "08:00-22:00"'
    path.write_text(
        WORKSHOPS_YAML.format(categories=", ".join(CATEGORIES), hours=days), encoding="utf-8"
    )
    return path


# --------------------------------------------------------------------------------------------
# Request backends
# --------------------------------------------------------------------------------------------


def aiohttp_available() -> bool:
    try:
        from bot.handlers.aiohttp_request import AiohttpRequest  # noqa: F401
    except Exception:
        return False
    return True


def make_requests(backend: str) -> tuple[BaseRequest, BaseRequest]:
    """(request, get_updates_request) as ApplicationBuilder makes them by default."""
    if backend == "httpx":
        return HTTPXRequest(connection_pool_size=256), HTTPXRequest(connection_pool_size=1)
    if backend == "aiohttp":
        from bot.handlers.aiohttp_request import AiohttpRequest

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


def _limit(concurrency: int) -> int | None:
    """None (leave bot.app alone) for the bot's own limit."""
    return None if concurrency == MAX_CONCURRENT else concurrency


@contextlib.contextmanager
def bot_wiring(backend: str | None, max_concurrent: int | None) -> Iterator[None]:
    """Run ``running_bot`` with another request backend or concurrency limit.

    ``bot.app`` has no parameter for either, so this swaps the two names it builds them
    from (``ApplicationBuilder`` and ``ChatOrderedProcessor``) for the duration, and
    restores them after. A hook in ``build_application`` would make this unnecessary.
    """
    saved = bot_app.ApplicationBuilder, bot_app.ChatOrderedProcessor
    if backend is not None:
        bot_app.ApplicationBuilder = lambda: _ForcedRequestBuilder(backend)  # type: ignore[assignment,misc]
    if max_concurrent is not None:
        limit = max_concurrent

        class Limited(ChatOrderedProcessor):
            def __init__(self, max_concurrent_updates: int = limit, on_done: Any = None) -> None:
                super().__init__(limit, on_done)

        bot_app.ChatOrderedProcessor = Limited  # type: ignore[misc]
    try:
        yield
    finally:
        bot_app.ApplicationBuilder, bot_app.ChatOrderedProcessor = saved  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


class ErrorLogCounter(logging.Handler):
    """Counts log records at ERROR and above (and warnings apart), keeping a few samples."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors = 0
        self.warnings = 0
        self.samples: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors += 1
            if len(self.samples) < ERROR_SAMPLES:
                self.samples.append(f"log {record.levelname} {record.name}: {record.getMessage()}")
        else:
            self.warnings += 1


@contextlib.contextmanager
def counting_logs() -> Iterator[ErrorLogCounter]:
    counter = ErrorLogCounter()
    root = logging.getLogger()
    root.addHandler(counter)
    try:
        yield counter
    finally:
        root.removeHandler(counter)


@dataclass
class Step:
    """The one update of a chat the driver is waiting on."""

    update_id: int
    pushed: float
    done: asyncio.Future[None]
    first: float | None = None


class Tracker:
    """Reply latency and completion of every update the customers push.

    ``complete_on_first_call``: the echo bot answers each update with exactly one call, so
    that call completes it; the real bot's updates complete when its update processor says
    they are handled (:meth:`handled`, hooked onto ``ChatOrderedProcessor.on_done``).
    """

    def __init__(self, api: FakeBotApi, complete_on_first_call: bool) -> None:
        self.api = api
        self.complete_on_first_call = complete_on_first_call
        self._seen = 0
        self._pending: dict[int, Step] = {}
        self._queries: dict[str, int] = {}
        self.latencies: list[float] = []
        self.no_reply = 0
        self.failed_calls = 0
        self.samples: list[str] = []
        self.handled_count = 0
        self.polls = 0
        self.fetched = 0
        self.api_calls = 0
        self.measuring = True
        self.idle = asyncio.Event()
        self.idle.set()

    def reset(self) -> None:
        self.scan()
        self.latencies.clear()
        self.no_reply = self.failed_calls = self.handled_count = 0
        self.polls = self.fetched = self.api_calls = 0
        self.samples.clear()

    def note(self, sample: str) -> None:
        if len(self.samples) < ERROR_SAMPLES:
            self.samples.append(sample)

    def push(self, chat_id: int, update_id: int, query_id: str | None) -> Step:
        if query_id is not None:
            self._queries[query_id] = chat_id
        step = Step(update_id, time.monotonic(), asyncio.get_running_loop().create_future())
        self._pending[chat_id] = step
        self.idle.clear()
        return step

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def scan(self) -> None:
        """Look at the calls the fake answered since the last look."""
        calls = self.api.calls
        for index in range(self._seen, len(calls)):
            call = calls[index]
            if call.method == "getUpdates":
                self.polls += 1
                self.fetched += len(call.result) if isinstance(call.result, list) else 0
                continue
            self.api_calls += 1
            if not call.ok:
                self.failed_calls += 1
                self.note(f"API call failed: {call.summary()}")
            chat_id = self._chat_of(call)
            step = self._pending.get(chat_id) if chat_id is not None else None
            if step is not None and step.first is None and call.at_timer >= step.pushed:
                step.first = call.at_timer
                if self.complete_on_first_call:
                    self._finish(chat_id, step)  # type: ignore[arg-type]
        self._seen = len(calls)

    def _chat_of(self, call: ApiCall) -> int | None:
        chat_id = call.params.get("chat_id")
        if chat_id is not None:
            try:
                return int(chat_id)
            except (TypeError, ValueError):
                return None
        query_id = call.params.get("callback_query_id")
        return self._queries.get(str(query_id)) if query_id is not None else None

    def handled(self, update: object) -> None:
        """The bot finished an update (its processor's ``on_done``)."""
        self.scan()
        chat_id = order_key(update)
        step = self._pending.get(chat_id) if chat_id is not None else None
        if step is not None and isinstance(update, Update) and update.update_id == step.update_id:
            self._finish(chat_id, step)  # type: ignore[arg-type]

    def _finish(self, chat_id: int, step: Step) -> None:
        del self._pending[chat_id]
        if not self._pending:
            self.idle.set()
        self.handled_count += 1
        if step.first is None:
            self.no_reply += 1
            self.note(f"chat {chat_id}: update {step.update_id} handled without any reply")
        elif self.measuring:
            self.latencies.append(step.first - step.pushed)
        if not step.done.done():
            step.done.set_result(None)

    async def watch(self) -> None:
        """Follow the call log as it grows (one waiter, however many customers)."""
        while True:
            seen = len(self.api.calls)
            with contextlib.suppress(TimeoutError):
                await self.api.wait_for(lambda seen=seen: len(self.api.calls) > seen, timeout=60)
            self.scan()


# --------------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------------


class JourneyError(Exception):
    """The bot said something other than the journey expects."""


@dataclass
class Customer:
    user: FakeUser
    tracker: Tracker
    index: int

    async def act(self, action: Callable[[], int]) -> None:
        query_before = self.user.last_query_id
        update_id = action()
        query = self.user.last_query_id
        step = self.tracker.push(
            self.user.chat_id, update_id, query if query != query_before else None
        )
        try:
            await asyncio.wait_for(asyncio.shield(step.done), STEP_TIMEOUT)
        except TimeoutError:
            raise TimeoutError(f"no answer to update {update_id} in {STEP_TIMEOUT:.0f} s") from None

    def press(self, text: str) -> Callable[[], int]:
        def press() -> int:
            return self.user.press(text)

        return press

    def press_nth(self, pick: Callable[[int], int]) -> Callable[[], int]:
        def press() -> int:
            choices = self.user.buttons()[:-2]  # the last two are Back and Exit
            if not choices:
                raise JourneyError(f"no choices; the bot said {self.user.last_text()!r}")
            return self.user.press(choices[pick(len(choices))])

        return press


Script = list[Callable[[], int]]


def journey_script(customer: Customer) -> Script:
    """The full customer journey: 12 updates from /start to /mybookings."""
    user = customer.user
    return [
        lambda: user.send_command("/start"),
        customer.press("🔧 Report a fault"),
        customer.press("Washing machine"),
        customer.press("Won't drain"),
        customer.press("❌ Still broken"),
        lambda: user.send_text(CITY),
        customer.press_nth(lambda n: 0),  # the nearest workshop
        customer.press_nth(lambda n: 0),  # the first day
        # Times spread over the day's slots, so nobody races for a last place.
        customer.press_nth(lambda n: customer.index % n),
        lambda: user.send_contact(PHONE),
        customer.press("Confirm"),
        lambda: user.send_command("/mybookings"),
    ]


def check_journey(customer: Customer) -> None:
    """After the journey: booked, and the booking is listed."""
    texts = [m.get("text", "") for m in customer.user.messages()]
    booked = next((t for t in texts if "Booked!" in t), None)
    if booked is None:
        raise JourneyError(f"no 'Booked!' message; last: {texts[-1:]!r}")
    code = TICKET_CODE.search(booked)
    listing = texts[-1]
    if code is None or code.group() not in listing:
        raise JourneyError(f"/mybookings does not list the booking: {listing[:80]!r}")


def echo_script(customer: Customer) -> Script:
    """The same 12 updates of the same kinds, to the echo bot."""
    user = customer.user
    nxt = customer.press("Next")
    return [
        lambda: user.send_command("/start"),
        nxt,
        nxt,
        nxt,
        nxt,
        lambda: user.send_text(CITY),
        nxt,
        nxt,
        nxt,
        lambda: user.send_contact(PHONE),
        nxt,
        lambda: user.send_command("/mybookings"),
    ]


@dataclass
class DriveOutcome:
    completed: int = 0
    aborted: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)


async def drive(
    customers: list[Customer],
    script: Callable[[Customer], Script],
    check: Callable[[Customer], None] | None,
    think: float,
    seed: int,
    outcome: DriveOutcome | None = None,
) -> DriveOutcome:
    """Every customer through its script at once; returns when all finished or failed."""
    outcome = outcome if outcome is not None else DriveOutcome()

    async def one(customer: Customer) -> None:
        rng = random.Random(seed + customer.index)
        if think > 0:
            await asyncio.sleep(rng.uniform(0, 2 * think))  # arrivals spread out
        try:
            for number, action in enumerate(script(customer)):
                if think > 0 and number:
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
                await customer.act(action)
            if check is not None:
                check(customer)
            outcome.completed += 1
        except (TimeoutError, JourneyError, AssertionError) as error:
            outcome.aborted += 1
            outcome.errors[type(error).__name__] += 1
            if len(outcome.samples) < ERROR_SAMPLES:
                outcome.samples.append(f"customer {customer.user.user_id}: {error}")

    tasks = [asyncio.create_task(one(customer)) for customer in customers]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    return outcome


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    kind: str  # "journey" or "echo"
    mode: str  # "saturation" or "crowd"
    latency_ms: int
    customers: int
    concurrency: int
    backend: str
    updates: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    peak_mb: float = 0.0
    capped_at: float | None = None
    unanswered: int = 0
    polls: int = 0  # getUpdates calls while measuring
    fetched: int = 0  # updates those calls returned, new or not
    api_calls: int = 0  # other Bot API calls while measuring
    variant: str = ""

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_update(self) -> float:
        return 1000 * self.cpu_s / self.updates if self.updates else float("nan")

    def percentile_ms(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, -(-len(ordered) * p // 100))  # nearest rank
        return 1000 * ordered[int(rank) - 1]


def peak_rss_mb() -> float:
    """This process's peak RSS.

    Linux's ``ru_maxrss`` survives fork and exec, so a child process would report its
    parent's peak if that was higher; the kernel's per-program high-water mark (VmHWM)
    starts afresh at exec. Elsewhere, ``ru_maxrss`` (KiB on Linux, bytes on macOS).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


@dataclass
class RunSpec:
    kind: str
    mode: str
    latency_ms: int
    customers: int
    think: float
    backend: str | None  # None: whatever bot.app picks
    concurrency: int = MAX_CONCURRENT
    cap_s: float | None = None  # stop measuring after this long (the sequential crowd)
    warmup: int = 10
    seed: int = 1
    drain_s: float = 10.0  # after a cap: how long the bot may take to finish what it has


async def _measure(
    spec: RunSpec,
    api: FakeBotApi,
    tracker: Tracker,
    script: Callable[[Customer], Script],
    check: Callable[[Customer], None] | None,
    result: RunResult,
    logs: ErrorLogCounter,
) -> None:
    """Warm up, then drive the measured customers; fills ``result``."""
    watcher = asyncio.create_task(tracker.watch())
    try:
        api.latency = spec.latency_ms / 1000
        warm = [
            Customer(FakeUser(api, 9_000_000 + i, f"Warm{i}"), tracker, i)
            for i in range(spec.warmup)
        ]
        await drive(warm, script, check, 0.0, spec.seed)
        tracker.reset()
        logs.errors, logs.samples[:] = 0, []
        customers = [
            Customer(FakeUser(api, 1_000_000 + i, f"Customer{i}"), tracker, i)
            for i in range(spec.customers)
        ]
        gc.collect()
        outcome = DriveOutcome()
        wall0, cpu0 = time.monotonic(), time.process_time()
        job = asyncio.create_task(drive(customers, script, check, spec.think, spec.seed, outcome))
        done, _ = await asyncio.wait({job}, timeout=spec.cap_s)
        result.wall_s = time.monotonic() - wall0
        result.cpu_s = time.process_time() - cpu0
        tracker.scan()
        result.updates = tracker.handled_count
        result.latencies = list(tracker.latencies)
        result.polls, result.fetched = tracker.polls, tracker.fetched
        result.api_calls = tracker.api_calls
        result.peak_mb = peak_rss_mb()
        if job not in done:  # capped: stop pushing, let the bot finish what it has, quickly
            result.capped_at = spec.cap_s
            result.unanswered = tracker.in_flight
            tracker.measuring = False
            job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await job
            api.latency = 0.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(tracker.idle.wait(), spec.drain_s)
        tracker.scan()
        result.errors = (
            sum(outcome.errors.values()) + tracker.failed_calls + tracker.no_reply + logs.errors
        )
        result.error_samples = [*outcome.samples, *tracker.samples, *logs.samples][:ERROR_SAMPLES]
        api.latency = 0.0
        # A poll sent before this is still in the fake's latency sleep; let it finish, so
        # shutting down does not cut its connection (the fake logs that as a crash).
        await asyncio.sleep(2 * spec.latency_ms / 1000 + 0.05)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def run_journey(spec: RunSpec) -> RunResult:
    """The real bot, as ``running_bot`` starts it, with a temporary database."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, counting_logs() as logs:
        folder = Path(tmp)
        async with FakeBotApi(token=TOKEN) as api:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                bot_token=TOKEN,
                telegram_api_url=api.base_url,
                database_path=folder / "bot.sqlite3",
                workshops_file=write_workshops(folder / "workshops.yaml"),
            )
            with bot_wiring(spec.backend, _limit(spec.concurrency)):
                async with running_bot(settings, FixedClock()) as application:
                    tracker = Tracker(api, complete_on_first_call=False)
                    processor = application.update_processor
                    assert isinstance(processor, ChatOrderedProcessor)
                    poller_done = processor.on_done

                    async def on_done(update: object) -> None:
                        if poller_done is not None:
                            await poller_done(update)
                        tracker.handled(update)

                    processor.on_done = on_done
                    result = RunResult(
                        "journey",
                        spec.mode,
                        spec.latency_ms,
                        spec.customers,
                        processor.max_concurrent_updates,
                        backend_name(application.bot.request),
                    )
                    await _measure(spec, api, tracker, journey_script, check_journey, result, logs)
    return result


async def run_journey_library_polling(spec: RunSpec) -> RunResult:
    """Diagnostic: the same application and handlers, but fed by the library's Updater.

    ``build_application`` as ``running_bot`` uses it, without ``bot.handlers.polling.Poller``
    (the Updater confirms updates as soon as it has queued them), and without the start-up
    work (menus, outbox, broadcasts) the journey does not need. The difference to the real
    bot's row is what the poller costs.
    """
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, counting_logs() as logs:
        folder = Path(tmp)
        async with FakeBotApi(token=TOKEN) as api:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                bot_token=TOKEN,
                telegram_api_url=api.base_url,
                database_path=folder / "bot.sqlite3",
                workshops_file=write_workshops(folder / "workshops.yaml"),
            )
            services = await Services.open(settings, FixedClock())
            try:
                with bot_wiring(spec.backend, _limit(spec.concurrency)):
                    application = build_application(settings, services)
                async with application:
                    await application.start()
                    tracker = Tracker(api, complete_on_first_call=False)
                    processor = application.update_processor
                    assert isinstance(processor, ChatOrderedProcessor)

                    async def on_done(update: object) -> None:
                        tracker.handled(update)

                    processor.on_done = on_done
                    result = RunResult(
                        "journey",
                        spec.mode,
                        spec.latency_ms,
                        spec.customers,
                        processor.max_concurrent_updates,
                        backend_name(application.bot.request),
                        variant="library polling, diagnostic",
                    )
                    updater = Updater(application.bot, application.update_queue)
                    async with updater:
                        await updater.start_polling(
                            poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES
                        )
                        await _measure(
                            spec, api, tracker, journey_script, check_journey, result, logs
                        )
                        await updater.stop()
                    await application.stop()
            finally:
                await services.close()
    return result


# The echo floor: a bare python-telegram-bot application.


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


def _next_button() -> Any:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

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


async def run_echo(spec: RunSpec) -> RunResult:
    assert spec.backend is not None
    with counting_logs() as logs:
        async with (
            FakeBotApi(token=TOKEN) as api,
            running_echo(api.base_url, spec.backend) as application,
        ):
            tracker = Tracker(api, complete_on_first_call=True)
            result = RunResult(
                "echo",
                spec.mode,
                spec.latency_ms,
                spec.customers,
                MAX_CONCURRENT,
                backend_name(application.bot.request),
            )
            await _measure(spec, api, tracker, echo_script, None, result, logs)
    return result
