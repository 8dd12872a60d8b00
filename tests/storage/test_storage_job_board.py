"""The job board's queries on a real file: order by time in status across statuses and
pages, and the query plans that keep them fast at a million tickets."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.status_rules import OPEN_STATUSES
from bot.storage.customers import Customers
from bot.storage.database import Database
from bot.storage.tickets import NewTicket, Tickets
from bot.tickets import Status

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
WORKSHOPS = ("MSK-CENTER", "SPB-NEVSKY")


async def add(db: Database, number: int, workshop: str, status: Status, since: datetime) -> str:
    """A ticket created long ago that entered `status` at `since`."""
    tickets = Tickets(db)
    code = f"SR-{number:06d}"
    ticket_id = await tickets.insert(
        NewTicket(code, None, workshop, "tv", None, Status.BOOKED, None, None, None),
        NOW - timedelta(days=90 - number),
    )
    await tickets.set_status(ticket_id, status, since)
    return code


async def test_every_page_of_the_board_follows_time_in_status_across_statuses(
    db: Database,
) -> None:
    rng = random.Random(3)
    expected: dict[str | None, list[tuple[datetime, str]]] = {None: []}
    expected.update({workshop: [] for workshop in WORKSHOPS})
    for number in range(40):
        workshop = rng.choice(WORKSHOPS)
        status = rng.choice([*OPEN_STATUSES, Status.PICKED_UP])
        since = NOW - timedelta(hours=rng.randrange(1, 500))
        code = await add(db, number, workshop, status, since)
        if status in OPEN_STATUSES:
            expected[None].append((since, code))
            expected[workshop].append((since, code))
    tickets = Tickets(db)

    for scope, listed in expected.items():
        codes = [code for _, code in sorted(listed)]
        for page in range(4):
            found = await tickets.of_workshop(scope, OPEN_STATUSES, 7, page * 7)
            assert [t.code for t in found] == codes[page * 7 : page * 7 + 7], (scope, page)


@pytest.mark.sqlite_only("reads SQLite's query plans")
async def test_the_board_reads_each_status_in_index_order_without_sorting_every_ticket(
    db: Database, db_path: Path
) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.sql = ""
            self.params: tuple[object, ...] = ()

        async def fetch_all(self, sql: str, params: tuple[object, ...] = ()) -> list[object]:
            self.sql, self.params = sql, tuple(params)
            return []

    indexes = {None: "tickets_status_since", "MSK-CENTER": "tickets_workshop_status_since"}
    for scope, index in indexes.items():
        recorder = Recorder()
        await Tickets(recorder).of_workshop(scope, OPEN_STATUSES, 10, 0)  # type: ignore[arg-type]
        with sqlite3.connect(db_path) as connection:
            explained = connection.execute(f"EXPLAIN QUERY PLAN {recorder.sql}", recorder.params)
            plan = [row[-1] for row in explained]
        reads = [line for line in plan if "SEARCH tickets USING" in line and "status=?" in line]
        assert len(reads) == len(OPEN_STATUSES) and all(index in line for line in reads), plan


async def test_words_follow_a_renamed_customer_and_an_added_description(db: Database) -> None:
    tickets = Tickets(db)
    await Customers(db).remember(1001, "Анна", "Петрова", None, "ru", NOW)
    ticket_id = await tickets.insert(
        NewTicket("SR-000001", 1001, "MSK-CENTER", "tv", None, Status.BOOKED, None, None, None),
        NOW,
    )

    async def found(*words: str) -> list[str]:
        return [t.code for t in await tickets.with_words(None, words, 10)]

    assert await found("анна", "ПЕТР") == ["SR-000001"], "any case, the start of a word"
    assert await found("экран") == []

    await tickets.set_description(ticket_id, "Экран мигает", NOW)
    await Customers(db).remember(1001, "Anya", None, None, "ru", NOW)

    assert await found("экран", "anya") == ["SR-000001"]
    assert await found("анна") == [], "the old name is forgotten"
    assert await found('"экран"*') == ["SR-000001"], "typed quotes and stars are not syntax"
    assert await found("NOT", "экран") == [], "nor are FTS operators"
