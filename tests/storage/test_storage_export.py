"""The tickets CSV head office opens in Excel: header, values, money and Cyrillic."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.config import DATA_DIR
from bot.export import tickets_csv
from bot.storage.customers import Customers
from bot.storage.database import Database
from bot.storage.estimates import Estimates
from bot.storage.tickets import NewTicket, Tickets
from bot.tickets import Status
from bot.troubleshooting import TroubleshootingTree, load_tree
from bot.workshops import Network

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
BORIS, STAFF = 2, 900
HEADER = (
    "ticket,created_utc,workshop_code,workshop,category,status,dropoff_local,customer_id,"
    "customer_name,phone,eta,estimate,estimate_currency,estimate_answer,description"
)


@pytest.fixture(scope="module")
def tree() -> TroubleshootingTree:
    return load_tree(DATA_DIR / "troubleshooting.yaml")


async def add_ticket(
    db: Database,
    code: str,
    created: datetime,
    workshop: str = "NSK-ZAELTSOVSKY",
    category: str = "washer",
    customer_id: int | None = BORIS,
    slot_start: datetime | None = None,
    description: str | None = None,
) -> int:
    return await Tickets(db).insert(
        NewTicket(
            code=code,
            customer_id=customer_id,
            workshop_code=workshop,
            category=category,
            slot_start=slot_start,
            status=Status.BOOKED if slot_start else Status.RECEIVED,
            phone="+7 913 000 00 00" if customer_id else None,
            case_id=None,
            description=description,
        ),
        created,
    )


@pytest.fixture
async def exported(db: Database, network: Network, tree: TroubleshootingTree) -> list[list[str]]:
    await Customers(db).remember(
        BORIS, "Борис", "Петров", None, client_language="ru", now=NOW - timedelta(days=40)
    )
    booked = await add_ticket(
        db,
        "SR-BORIS1",
        NOW - timedelta(days=2),
        slot_start=datetime(2026, 11, 27, 3, 0, tzinfo=UTC),  # 10:00 in Novosibirsk
        description="Не сливает воду",
    )
    await Tickets(db).set_eta(booked, date(2026, 12, 1), NOW - timedelta(days=1))
    estimates = Estimates(db)
    await estimates.add(booked, 100000, "RUB", None, STAFF, NOW - timedelta(days=1))
    latest = await estimates.add(booked, 150000, "RUB", "насос", STAFF, NOW - timedelta(hours=20))
    await estimates.answer(latest, "approved", NOW - timedelta(hours=10))

    walk_in = await add_ticket(
        db,
        "SR-WALKIN",
        NOW - timedelta(days=1),
        workshop="MSK-CENTER",
        category="tv",
        customer_id=None,
        description='=HYPERLINK("http://example.com")',
    )
    await estimates.add(walk_in, 150005, "RUB", None, STAFF, NOW - timedelta(hours=1))

    await add_ticket(db, "SR-OLD001", NOW - timedelta(days=31))

    data = await tickets_csv(db, network, tree, NOW, 30)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


async def test_the_header_row_is_exactly_the_agreed_columns(exported: list[list[str]]) -> None:
    assert ",".join(exported[0]) == HEADER


async def test_tickets_of_the_period_are_rows_oldest_first_and_older_ones_are_left_out(
    exported: list[list[str]],
) -> None:
    assert [row[0] for row in exported[1:]] == ["SR-BORIS1", "SR-WALKIN"]


async def test_a_row_has_english_names_local_drop_off_time_and_the_latest_estimate(
    exported: list[list[str]],
) -> None:
    assert dict(zip(exported[0], exported[1], strict=True)) == {
        "ticket": "SR-BORIS1",
        "created_utc": "2026-11-24 06:00",
        "workshop_code": "NSK-ZAELTSOVSKY",
        "workshop": "Krasny Prospekt Workshop",
        "category": "Washing machine",
        "status": "booked",
        "dropoff_local": "2026-11-27 10:00",
        "customer_id": "2",
        "customer_name": "Борис",
        "phone": "+7 913 000 00 00",
        "eta": "2026-12-01",
        "estimate": "1500.00",
        "estimate_currency": "RUB",
        "estimate_answer": "approved",
        "description": "Не сливает воду",
    }


async def test_a_walk_in_has_empty_customer_and_drop_off_and_an_exact_estimate(
    exported: list[list[str]],
) -> None:
    row = dict(zip(exported[0], exported[2], strict=True))

    assert (row["customer_id"], row["customer_name"], row["phone"]) == ("", "", "")
    assert row["dropoff_local"] == ""
    assert (row["workshop"], row["category"], row["status"]) == (
        "Tverskaya Workshop",
        "TV",
        "received",
    )
    assert (row["estimate"], row["estimate_answer"]) == ("1500.05", "pending")


async def test_a_description_that_looks_like_a_formula_is_kept_as_text(
    exported: list[list[str]],
) -> None:
    assert exported[2][-1] == '\'=HYPERLINK("http://example.com")'


async def test_cyrillic_survives_as_utf_8_after_the_byte_order_mark(
    db: Database, network: Network, tree: TroubleshootingTree, exported: list[list[str]]
) -> None:
    data = await tickets_csv(db, network, tree, NOW, 30)

    assert data[:3] == b"\xef\xbb\xbf"
    assert "Не сливает воду".encode() in data
    assert "Борис" in exported[1]


async def test_an_empty_period_exports_only_the_header(
    db: Database, network: Network, tree: TroubleshootingTree
) -> None:
    data = await tickets_csv(db, network, tree, NOW, 30)

    assert data.decode("utf-8-sig") == HEADER + "\r\n"
