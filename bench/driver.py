"""Simulated customers on the fake Bot API, against the bot in a process of its own.

The bot under test (or the echo floor) runs in a child process (``bench.bot_process``); this
process runs the fake Bot API server on loopback and one asyncio task per customer, which
pushes an update, waits until the bot has handled it, and goes on, immediately (saturation)
or after a think time (a crowd). A :class:`Tracker` watches the fake server's call log and
the child's ``handled`` lines and measures, per update, the reply latency: from the update
being offered (pushed to the fake server) to the bot's first API call for that chat
(``ApiCall.at_timer``, when the fake answered it). CPU time and peak memory are read off the
child (``/proc``), so they are the bot's own, CPU time with that of its own children (the
webhook's receiver); the echo floor is measured the very same way.

Several instances (``RunSpec.instances``, on PostgreSQL) run as several children behind a
round-robin balancer in this process (``bench.balancer``); their CPU time and peak memory are
added up, and the throwaway PostgreSQL server's CPU time is read beside them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import random
import re
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.balancer import RoundRobin
from bench.memory import peak_rss_mb
from bench.postgres import PostgresServer
from bot.fake_telegram.server import ApiCall, FakeBotApi
from bot.fake_telegram.users import FakeUser
from bot.runtime.ordering import MAX_CONCURRENT

TOKEN = "123456:BENCH-TOKEN"
TICKET_CODE = re.compile(r"SR-[0-9A-Z]{6}")
STEP_TIMEOUT = 60.0
CITY = "Moscow"
PHONE = "+79161234567"
UPDATES_PER_JOURNEY = 14
ERROR_SAMPLES = 5
FLOODER_ID = 8_000_000

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
            self.error(f"{record.levelname} {record.name}: {record.getMessage()}")
        else:
            self.warnings += 1

    def error(self, message: str) -> None:
        """One error, logged here or reported by the bot's process."""
        self.errors += 1
        if len(self.samples) < ERROR_SAMPLES:
            self.samples.append(f"log {message}")


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
    they are handled (:meth:`handled`, hooked onto ``ChatOrderedProcessor.on_done``, and on
    PostgreSQL onto each update its chat's lease runs: ``bench.bot_process.report_handled``).
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

    def handled(self, chat_id: int, update_id: int) -> None:
        """The bot finished an update (told by the child: ``bench.bot_process.report_handled``)."""
        self.scan()
        step = self._pending.get(chat_id)
        if step is not None and update_id == step.update_id:
            self._finish(chat_id, step)

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
    """The full customer journey: 14 updates from /start to /mybookings."""
    user = customer.user
    return [
        lambda: user.send_command("/start"),
        customer.press("🔧 Report a fault"),
        customer.press("Washing machine"),
        customer.press("Won't drain"),
        customer.press("❌ Still broken"),
        customer.press("Skip"),
        customer.press("Don't know"),  # when the product was bought
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
    """The same 14 updates of the same kinds, to the echo bot."""
    user = customer.user
    nxt = customer.press("Next")
    return [
        lambda: user.send_command("/start"),
        nxt,
        nxt,
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
    beat: float = 0.0,
) -> DriveOutcome:
    """Every customer through its script at once; returns when all finished or failed.

    ``beat`` (instead of a think time): each customer acts every ``beat`` seconds, the
    customers' beats evenly staggered, so together they offer ``len(customers) / beat``
    updates a second for as long as the bot keeps up (a late reply only delays that one).
    """
    outcome = outcome if outcome is not None else DriveOutcome()
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def one(customer: Customer) -> None:
        rng = random.Random(seed + customer.index)
        if think > 0:
            await asyncio.sleep(rng.uniform(0, 2 * think))  # arrivals spread out
        offset = beat * customer.index / len(customers)
        try:
            for number, action in enumerate(script(customer)):
                if think > 0 and number:
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
                if beat > 0:
                    await asyncio.sleep(max(0.0, start + offset + number * beat - loop.time()))
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
    flooded: int = 0  # updates the flooder sent while measuring (not counted in ``updates``)
    receive: str = "polling"  # or "webhook": the fake POSTs each update to the bot
    webhook_latencies: list[float] = field(default_factory=list)
    """Seconds from the fake POSTing an update to the bot's 2xx answer (webhook runs)."""
    engine: str = "sqlite"  # or "postgresql"
    instances: int = 1
    database_cpu_s: float | None = None
    """CPU seconds of the PostgreSQL server while measuring, when it is the benchmark's own."""
    handled_by: list[int] = field(default_factory=list)
    """Updates each instance handled while measuring."""

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_update(self) -> float:
        return 1000 * self.cpu_s / self.updates if self.updates else float("nan")

    @property
    def database_cpu_ms_per_update(self) -> float:
        if self.database_cpu_s is None or not self.updates:
            return float("nan")
        return 1000 * self.database_cpu_s / self.updates

    def percentile_ms(self, p: float) -> float:
        return percentile_ms(self.latencies, p)

    def webhook_percentile_ms(self, p: float) -> float:
        return percentile_ms(self.webhook_latencies, p)


def percentile_ms(seconds: list[float], p: float) -> float:
    """The nearest-rank percentile, in milliseconds (NaN for no samples)."""
    if not seconds:
        return float("nan")
    ordered = sorted(seconds)
    rank = max(1, -(-len(ordered) * p // 100))
    return 1000 * ordered[int(rank) - 1]


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
    library_polling: bool = False  # diagnostic: the library's Updater instead of our Poller
    flood_per_s: float = 0.0  # one more user, a script sending this many messages a second
    flood_limit: bool = False  # the bot's per-person limit on (only sensible with think time)
    receive: str = "polling"  # or "webhook" (the journey only)
    postgres: PostgresServer | None = None  # None: SQLite; else a fresh schema on this server
    instances: int = 1  # more than one: webhook on PostgreSQL, behind a round-robin balancer
    rate: float = 0.0  # > 0: customers act on a beat, together offering this many updates/s

    @property
    def variant(self) -> str:
        if self.library_polling:
            return "library polling, diagnostic"
        if self.flood_per_s:
            return f"flooder {self.flood_per_s:g}/s"
        if self.postgres is not None:
            return f"{self.instances} instances, postgresql" if self.instances > 1 else "postgresql"
        if self.rate:
            return f"paced to {self.rate:g}/s"
        return ""


@dataclass
class Flooder:
    """A stuck client or a script: one user sending text at a steady pace until cancelled."""

    user: FakeUser
    per_second: float
    sent: int = 0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            due = int((loop.time() - start) * self.per_second)
            while self.sent < due:
                self.user.send_text(f"spam {self.sent}")
                self.sent += 1
            await asyncio.sleep(0.01)


async def _measure(
    spec: RunSpec,
    api: FakeBotApi,
    tracker: Tracker,
    script: Callable[[Customer], Script],
    check: Callable[[Customer], None] | None,
    result: RunResult,
    logs: ErrorLogCounter,
    bots: list[BotProcess],
    postgres: PostgresServer | None,
) -> None:
    """Warm up, then drive the measured customers; fills ``result``."""
    watcher = asyncio.create_task(tracker.watch())
    try:
        api.latency = spec.latency_ms / 1000
        warm = [
            Customer(FakeUser(api, 9_000_000 + i, f"Warm{i}"), tracker, i)
            for i in range(spec.warmup)
        ]
        # At full speed unless the per-person limit is on: it would refuse such customers.
        await drive(warm, script, check, spec.think if spec.flood_limit else 0.0, spec.seed)
        tracker.reset()
        logs.errors, logs.samples[:] = 0, []
        customers = [
            Customer(FakeUser(api, 1_000_000 + i, f"Customer{i}"), tracker, i)
            for i in range(spec.customers)
        ]
        # This process's own garbage collection would pause the fake server for up to 100 ms
        # now and then, and that would show as the bot's reply latency: off while measuring.
        gc.collect()
        gc.disable()
        hooked, delivered = len(api.webhook_latencies), len(api.webhook_deliveries)
        outcome = DriveOutcome()
        wall0, cpu0 = time.monotonic(), sum(bot.cpu_s() for bot in bots)
        handled0 = [bot.handled for bot in bots]
        database0 = postgres.cpu_s() if postgres is not None else None
        beat = spec.customers / spec.rate if spec.rate else 0.0
        job = asyncio.create_task(
            drive(customers, script, check, spec.think, spec.seed, outcome, beat)
        )
        flooder = Flooder(FakeUser(api, FLOODER_ID, "Script"), spec.flood_per_s)
        flooding = asyncio.create_task(flooder.run()) if spec.flood_per_s else None
        done, _ = await asyncio.wait({job}, timeout=spec.cap_s)
        result.wall_s = time.monotonic() - wall0
        result.cpu_s = sum(bot.cpu_s() for bot in bots) - cpu0
        result.handled_by = [bot.handled - at for bot, at in zip(bots, handled0, strict=True)]
        database1 = postgres.cpu_s() if postgres is not None else None
        if database0 is not None and database1 is not None:
            result.database_cpu_s = database1 - database0
        if flooding is not None:
            flooding.cancel()
            result.flooded = flooder.sent
        tracker.scan()
        result.updates = tracker.handled_count
        result.latencies = list(tracker.latencies)
        result.polls, result.fetched = tracker.polls, tracker.fetched
        if spec.receive == "webhook":
            # Each delivery carries one update: more than one per update means retries.
            result.fetched = len(api.webhook_deliveries) - delivered
            result.webhook_latencies = api.webhook_latencies[hooked:]
        result.api_calls = tracker.api_calls
        result.peak_mb = sum(bot.peak_mb() for bot in bots)
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
        gc.enable()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


# --------------------------------------------------------------------------------------------
# The bot's process
# --------------------------------------------------------------------------------------------


class BotProcess:
    """The child running the bot (``bench.bot_process``), and what it reports."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.backend = ""
        self.concurrency = 0
        self.tracker: Tracker | None = None
        self.logs: ErrorLogCounter | None = None
        self.handled = 0
        """Updates this process said it handled (with several instances: its share)."""
        self._ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            word, _, rest = raw.decode("utf-8", "replace").rstrip("\n").partition(" ")
            if word == "handled" and self.tracker is not None:
                self.handled += 1
                chat_id, update_id = rest.split()
                self.tracker.handled(int(chat_id), int(update_id))
            elif word == "error" and self.logs is not None:
                self.logs.error(rest)
            elif word == "ready":
                backend, concurrency = rest.split()
                self.backend, self.concurrency = backend, int(concurrency)
                self._ready.set_result(None)
        if not self._ready.done():
            self._ready.set_exception(RuntimeError("the bot's process ended before polling"))

    async def ready(self) -> None:
        await asyncio.wait_for(self._ready, timeout=60)

    def cpu_s(self) -> float:
        """User and system CPU seconds of the bot's process so far, with its children's: in
        webhook mode the receiver's process answers Telegram for it (Linux ``/proc``)."""
        return cpu_s(self.process.pid)

    def peak_mb(self) -> float:
        """The bot's process's peak resident memory so far."""
        return peak_rss_mb(self.process.pid)

    async def stop(self) -> None:
        """Close its stdin, so it shuts the bot down as ``python -m bot`` does."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), timeout=30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        await self._reader


def cpu_s(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` so far, with those of its children, those
    running and those ended (which the kernel adds to their parent's once it waits for them)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            running = [int(child) for child in children.read().split()]
    except FileNotFoundError:  # it ended meanwhile
        return 0.0
    ticks = sum(int(field) for field in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK") + sum(cpu_s(child) for child in running)


def free_port() -> int:
    """A loopback port nobody listens on now (the bot's webhook URL must name its port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def bot_process(
    kind: str,
    api: FakeBotApi,
    folder: Path,
    backend: str | None,
    concurrency: int,
    flood_limit: bool,
    receive: str = "polling",
    database_url: str | None = None,
    webhook_url: str | None = None,
    webhook_port: int | None = None,
) -> AsyncIterator[BotProcess]:
    """The bot's process, once it receives; ``webhook_url``: a balancer's address, in front
    of ``webhook_port``."""
    command = [sys.executable, "-m", "bench.bot_process", kind, api.base_url, str(folder)]
    if backend is not None:
        command += ["--backend", backend]
    command += ["--concurrency", str(concurrency)]
    if receive == "webhook":
        command += ["--webhook-port", str(webhook_port or free_port())]
        if webhook_url is not None:
            command += ["--webhook-url", webhook_url]
    if database_url is not None:
        command += ["--database-url", database_url]
    if not flood_limit:
        command.append("--no-flood-limit")
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    bot = BotProcess(process)
    try:
        await bot.ready()
        yield bot
    finally:
        await bot.stop()


@contextlib.asynccontextmanager
async def bot_processes(
    spec: RunSpec, api: FakeBotApi, folder: Path, database_url: str | None
) -> AsyncIterator[list[BotProcess]]:
    """The bot's process, or ``spec.instances`` of them behind a round-robin balancer, all
    set to give Telegram the balancer's address."""
    kind = "library" if spec.library_polling else spec.kind
    common = (kind, api, folder, spec.backend, spec.concurrency, spec.flood_limit, spec.receive)
    async with contextlib.AsyncExitStack() as stack:
        if spec.instances == 1:
            yield [await stack.enter_async_context(bot_process(*common, database_url))]
            return
        ports = [free_port() for _ in range(spec.instances)]
        balancer = await stack.enter_async_context(
            RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
        )
        bots = []
        for port in ports:  # one after another: the first migrates the schema
            running = bot_process(*common, database_url, f"{balancer.url}/telegram", port)
            bots.append(await stack.enter_async_context(running))
        yield bots


async def run(spec: RunSpec) -> RunResult:
    """One setting: the fake and the customers here, the bot in its own process (or several)."""
    if spec.instances > 1 and (spec.postgres is None or spec.receive != "webhook"):
        raise ValueError("several instances run in webhook mode on PostgreSQL")
    echo = spec.kind == "echo"
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, counting_logs() as logs:
        folder = Path(tmp)
        write_workshops(folder / "workshops.yaml")
        async with contextlib.AsyncExitStack() as stack:
            api = await stack.enter_async_context(FakeBotApi(token=TOKEN))
            database_url = None
            if spec.postgres is not None:
                database_url = await stack.enter_async_context(spec.postgres.schema())
            bots = await stack.enter_async_context(bot_processes(spec, api, folder, database_url))
            tracker = Tracker(api, complete_on_first_call=echo)
            for bot in bots:
                bot.tracker, bot.logs = tracker, logs
            result = RunResult(
                spec.kind,
                spec.mode,
                spec.latency_ms,
                spec.customers,
                bots[0].concurrency,
                bots[0].backend,
                variant=spec.variant,
                receive=spec.receive,
                engine="sqlite" if spec.postgres is None else "postgresql",
                instances=spec.instances,
            )
            await _measure(
                spec,
                api,
                tracker,
                echo_script if echo else journey_script,
                None if echo else check_journey,
                result,
                logs,
                bots,
                spec.postgres,
            )
    return result
