"""Scale figures: nearest-workshop search, ticket queries on a big database, start-up, and
loading a big workshops file (``python -m bench.scale`` runs only that last one).

The big database is made the fast way: the project's migrations create the schema
(``Database.open``), then stdlib sqlite3 bulk-inserts in one transaction, with the tickets
indexes dropped during the insert and re-created from their own stored SQL afterwards, so the
schema ends up exactly as the migrations made it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bench.driver import CATEGORIES, FixedClock
from bot.booking import MY_BOOKINGS_LIMIT
from bot.locator import Locator, Point
from bot.status_rules import OPEN_STATUSES
from bot.storage.database import Database, stamp
from bot.storage.tickets import Tickets
from bot.ticket_desk import JOBS_PAGE_SIZE
from bot.workshops import WEEKDAYS, Workshop

NOW = FixedClock().now()


# --------------------------------------------------------------------------------------------
# Nearest workshop
# --------------------------------------------------------------------------------------------


def random_workshop_entries(
    count: int, rng: random.Random, bilingual: bool = False
) -> list[dict[str, Any]]:
    """Workshops scattered over Russia, each repairing two to four categories, as the
    workshops file writes them; `bilingual` adds Russian names and every optional field."""
    entries: list[dict[str, Any]] = []
    for i in range(count):
        entry: dict[str, Any] = {
            "code": f"W{i:05d}",
            "name": f"Workshop {i}",
            "city": f"City {i % 700}",
            "address": f"Street {i % 977} {i}",
            "lat": rng.uniform(43.0, 69.0),
            "lon": rng.uniform(28.0, 135.0),
            "phone": "+7 900 000 00 00",
            "categories": rng.sample(CATEGORIES, rng.randint(2, 4)),
            "hours": {day: "09:00-20:00" for day in WEEKDAYS},
        }
        if bilingual:
            entry["name"] = {"en": entry["name"], "ru": f"Мастерская {i}"}
            entry["city"] = {"en": entry["city"], "ru": f"Город {i % 700}"}
            entry["address"] = {"en": entry["address"], "ru": f"ул. Улица {i % 977}, {i}"}
            entry.update(slot_minutes=30, slot_capacity=3, timezone="Europe/Moscow")
        entries.append(entry)
    return entries


def random_workshops(count: int, rng: random.Random) -> list[Workshop]:
    return [Workshop(**entry) for entry in random_workshop_entries(count, rng)]


def median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


@dataclass
class NearestResult:
    workshops: int
    queries: int
    nearest_ms: float
    locate_ms: float
    locate_queries: int


def bench_nearest(count: int, queries: int, locate_queries: int, seed: int = 7) -> NearestResult:
    rng = random.Random(seed)
    workshops = random_workshops(count, rng)
    locator = Locator(workshops)  # built once at start-up, as the bot does
    samples = []
    for _ in range(queries):
        here = Point(rng.uniform(43.0, 69.0), rng.uniform(28.0, 135.0))
        category = rng.choice(CATEGORIES)
        started = time.perf_counter()
        found = locator.nearest(category, here)
        samples.append(time.perf_counter() - started)
        assert found
    # Typing a city instead of sharing the location: informative, no goal in the spec.
    typed = []
    for i in range(locate_queries):
        started = time.perf_counter()
        locator.locate(f"City {i * 37 % 700}")
        typed.append(time.perf_counter() - started)
    return NearestResult(count, queries, median_ms(samples), median_ms(typed), locate_queries)


# --------------------------------------------------------------------------------------------
# A database with many tickets
# --------------------------------------------------------------------------------------------

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CLOSED = ("picked_up", "cancelled", "no_show")
RECENT_DAYS = 30
STUCK_OPEN = 0.005  # old tickets someone forgot to move on


def ticket_code(number: int) -> str:
    scrambled = (number * 2_654_435_761) % (len(ALPHABET) ** 6)
    chars = []
    for _ in range(6):
        scrambled, digit = divmod(scrambled, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "SR-" + "".join(chars)


def _utc_text(seconds: float) -> str:
    """What ``stamp`` stores for a Unix time, computed without datetime objects (fast)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))


def _tickets(
    count: int, customers: int, workshops: list[str], rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    """Three years of tickets, oldest first; the last month's are mostly still open."""
    assert _utc_text(NOW.timestamp()) == stamp(NOW)
    span = 3 * 365 * 86_400
    now = NOW.timestamp()
    start = now - span
    recent_since = now - RECENT_DAYS * 86_400
    open_statuses = [status.value for status in OPEN_STATUSES]
    closed = rng.choices(CLOSED, weights=(90, 7, 3), k=1009)
    random_ = rng.random
    for number in range(count):
        created = start + span * number / count + 60 * random_()
        if (created >= recent_since and random_() < 0.8) or random_() < STUCK_OPEN:
            status = open_statuses[int(random_() * len(open_statuses))]
        else:
            status = closed[number % len(closed)]
        changed = _utc_text(created + 5 * 86_400 * random_())
        yield (
            ticket_code(number),
            1 + int(random_() * customers),
            workshops[int(random_() * len(workshops))],
            CATEGORIES[int(random_() * len(CATEGORIES))],
            _utc_text(created + 86_400),
            status,
            None,
            _utc_text(created),
            changed,
            changed,
        )


async def migrate(path: Path) -> None:
    """The schema exactly as the bot creates it."""
    database = await Database.open(path)
    await database.close()


def build_ticket_db(
    path: Path, tickets: int, customers: int, workshops: int, seed: int = 11
) -> None:
    asyncio.run(migrate(path))
    rng = random.Random(seed)
    codes = [f"WS-{i:02d}" for i in range(workshops)]
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        # Bulk-load settings for this connection only; the bot opens the file in WAL again.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -262144")  # 256 MB: random ticket codes
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets'"
            " AND sql IS NOT NULL"
        ).fetchall()
        connection.execute("BEGIN")
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        stamp_now = stamp(NOW)
        connection.executemany(
            "INSERT INTO customers (user_id, first_name, language, created_at, seen_at)"
            " VALUES (?, ?, 'en', ?, ?)",
            ((user, f"Customer {user}", stamp_now, stamp_now) for user in range(1, customers + 1)),
        )
        connection.executemany(
            "INSERT INTO tickets (code, customer_id, workshop_code, category, slot_start, status,"
            " phone, created_at, updated_at, status_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _tickets(tickets, customers, codes, rng),
        )
        for _, sql in indexes:
            connection.execute(sql)
        connection.execute("COMMIT")
    finally:
        connection.close()


class RecordingExecutor:
    """Passes queries on to the database, remembering each one for EXPLAIN QUERY PLAN."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self.queries: list[tuple[str, tuple[Any, ...]]] = []

    async def fetch_one(self, sql: str, params: Any = ()) -> Any:
        self.queries.append((sql, tuple(params)))
        return await self._database.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Any = ()) -> Any:
        self.queries.append((sql, tuple(params)))
        return await self._database.fetch_all(sql, params)


@dataclass
class QueryResult:
    name: str
    median_ms: float
    runs: int
    rows: str
    plan: list[str] = field(default_factory=list)


async def _time_queries(path: Path, customers: int, workshops: int, runs: int) -> list[QueryResult]:
    rng = random.Random(5)
    database = await Database.open(path)
    open_statuses = list(OPEN_STATUSES)
    codes = [f"WS-{i:02d}" for i in range(workshops)]
    try:
        tickets = Tickets(database)

        async def my_bookings() -> int:
            return len(await tickets.of_customer(rng.randint(1, customers), MY_BOOKINGS_LIMIT))

        async def jobs(scope: str | None) -> int:
            total = await tickets.count_of_workshop(scope, open_statuses)
            await tickets.of_workshop(scope, open_statuses, JOBS_PAGE_SIZE, 0)
            return total

        cases = [
            ("/mybookings (one customer)", my_bookings, "tickets listed"),
            ("/jobs staff (one workshop)", lambda: jobs(rng.choice(codes)), "open tickets"),
            ("/jobs head office (all)", lambda: jobs(None), "open tickets"),
        ]
        results = []
        for name, query, unit in cases:
            await query()  # warm the page cache
            samples, sizes = [], []
            for _ in range(runs):
                started = time.perf_counter()
                sizes.append(await query())
                samples.append(time.perf_counter() - started)
            rows = f"{statistics.median(sizes):.0f} {unit}"
            results.append(QueryResult(name, median_ms(samples), runs, rows))
        # The exact statements the bot runs, for the plan.
        recorder = RecordingExecutor(database)
        recording = Tickets(recorder)  # type: ignore[arg-type]
        await recording.of_customer(1, MY_BOOKINGS_LIMIT)
        plans = [recorder.queries[-1:]]
        for scope in (codes[0], None):
            recorder.queries.clear()
            await recording.count_of_workshop(scope, open_statuses)
            await recording.of_workshop(scope, open_statuses, JOBS_PAGE_SIZE, 0)
            plans.append(list(recorder.queries))
    finally:
        await database.close()
    connection = sqlite3.connect(path)
    try:
        for result, statements in zip(results, plans, strict=True):
            for sql, params in statements:
                head = " ".join(sql.split())[:60]
                result.plan.append(f"{head}...")
                for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params):
                    result.plan.append(f"    {row[-1]}")
    finally:
        connection.close()
    return results


@dataclass
class TicketsResult:
    tickets: int
    customers: int
    workshops: int
    build_s: float
    open_tickets: int
    queries: list[QueryResult]


def bench_tickets(
    folder: Path, tickets: int, customers: int, workshops: int, runs: int
) -> TicketsResult:
    path = folder / "tickets.sqlite3"
    started = time.perf_counter()
    build_ticket_db(path, tickets, customers, workshops)
    build_s = time.perf_counter() - started
    connection = sqlite3.connect(path)
    try:
        marks = ", ".join("?" * len(OPEN_STATUSES))
        (open_count,) = connection.execute(
            f"SELECT COUNT(*) FROM tickets WHERE status IN ({marks})",
            [status.value for status in OPEN_STATUSES],
        ).fetchone()
    finally:
        connection.close()
    queries = asyncio.run(_time_queries(path, customers, workshops, runs))
    return TicketsResult(tickets, customers, workshops, build_s, open_count, queries)


# --------------------------------------------------------------------------------------------
# Start-up with a full outbox
# --------------------------------------------------------------------------------------------


def build_outbox_db(path: Path, pending: int, seed: int = 13) -> None:
    """Pending reminders for the weeks ahead, as many bookings would leave them."""
    asyncio.run(migrate(path))
    rng = random.Random(seed)
    now = datetime.now(UTC)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO outbox (key, chat_id, kind, params, due_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    f"bench:{number}",
                    1_000_000 + number % 50_000,
                    rng.choice(("dropoff_evening", "dropoff_soon", "pickup_reminder")),
                    json.dumps({"code": ticket_code(number)}),
                    stamp(now + timedelta(hours=1, seconds=rng.uniform(0, 30 * 86_400))),
                    stamp(now),
                )
                for number in range(pending)
            ),
        )
        connection.execute("COMMIT")
    finally:
        connection.close()


@dataclass
class StartupResult:
    pending: int
    process_s: float  # spawning the process until the bot polls
    imports_s: float
    enter_s: float  # running_bot: from entering until polling started
    peak_mb: float  # the child's own peak RSS
    before_mb: float  # its peak RSS once imports were done and the fake server ran
    pending_after: int


def _child_report(args: list[str], what: str) -> dict[str, Any]:
    """Run ``python -m bench.startup ARGS`` and read the JSON line it prints last."""
    finished = subprocess.run(
        [sys.executable, "-m", "bench.startup", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if finished.returncode != 0 or not lines:
        raise RuntimeError(f"{what} child failed:\n{finished.stdout}\n{finished.stderr}")
    report: dict[str, Any] = json.loads(lines[-1])
    return report


def bench_startup(folder: Path, pending: int) -> StartupResult:
    path = folder / f"outbox-{pending}.sqlite3"
    build_outbox_db(path, pending)
    started = time.perf_counter()
    report = _child_report([str(path), repr(time.time())], "start-up")
    process_s = time.perf_counter() - started
    return StartupResult(
        pending=pending,
        process_s=report.get("polling_at_s", process_s),
        imports_s=report["imports_s"],
        enter_s=report["enter_s"],
        peak_mb=report["peak_mb"],
        before_mb=report["before_mb"],
        pending_after=report["pending_after"],
    )


# --------------------------------------------------------------------------------------------
# A big workshops file
# --------------------------------------------------------------------------------------------


def write_workshops_file(path: Path, count: int, bilingual: bool, seed: int = 7) -> None:
    entries = random_workshop_entries(count, random.Random(seed), bilingual)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(
            {"workshops": entries}, stream, Dumper=dumper, allow_unicode=True, sort_keys=False
        )


@dataclass
class DataFilesResult:
    workshops: int
    bilingual: bool
    file_mb: float
    load_s: float  # bot.services.load_data_files: read, check and index
    cpu_s: float
    peak_mb: float  # the child's own peak RSS
    before_mb: float  # its peak RSS once the imports loading needs were done


def bench_data_files(folder: Path, count: int, bilingual: bool) -> DataFilesResult:
    """Start-up's work on the data files, in a process of its own so its peak is its own."""
    path = folder / f"workshops-{count}{'-bilingual' if bilingual else ''}.yaml"
    write_workshops_file(path, count, bilingual)
    report = _child_report(["--data-files", str(path)], "data files")
    return DataFilesResult(
        workshops=int(report["workshops"]),
        bilingual=bilingual,
        file_mb=path.stat().st_size / 1024 / 1024,
        load_s=report["load_s"],
        cpu_s=report["cpu_s"],
        peak_mb=report["peak_mb"],
        before_mb=report["before_mb"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description="Load a generated workshops file, timed."
    )
    parser.add_argument("--workshops", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-datafiles-") as tmp:
        for bilingual in (False, True):
            result = bench_data_files(Path(tmp), args.workshops, bilingual)
            print(
                f"{result.workshops:,} workshops{', bilingual' if bilingual else ''}"
                f" ({result.file_mb:.1f} MB file): {result.load_s:.2f} s"
                f" (CPU {result.cpu_s:.2f} s), peak {result.peak_mb:.0f} MB"
                f" ({result.before_mb:.0f} MB before loading)",
                flush=True,
            )


if __name__ == "__main__":
    main()
