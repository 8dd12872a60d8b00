"""The tickets files head office opens in Excel: the workbook's typed cells, and the CSV's
header, values, money, separator and Cyrillic."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.config import DATA_DIR
from bot.export import tickets_csv, tickets_xlsx
from bot.i18n import Lang
from bot.storage.cases import Cases
from bot.storage.customers import Customers
from bot.storage.database import Database
from bot.storage.estimates import Estimates
from bot.storage.feedback import Feedback
from bot.storage.parts import PartsStore
from bot.storage.tickets import NewTicket, Tickets
from bot.storage.unit_of_work import Storage
from bot.storage.warranty import Warranties
from bot.tickets import Status
from bot.troubleshooting import TroubleshootingTree, load_tree
from bot.warranty import Cause, PurchaseAge
from bot.workshops import Network

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
BORIS, STAFF = 2, 900
HEADER = (
    "ticket,created_utc,workshop_code,workshop,category,status,dropoff_local,customer_id,"
    "customer_name,phone,eta,estimate,estimate_currency,estimate_answer,description,"
    "fixes_tried,rating,purchase_age,warranty,warranty_confirmed,warranty_reason,cause,"
    "parts_used,parts_cost"
)
DRAIN_FIX = "Unplug the machine, open the small hatch at the bottom front"


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
    case_id: int | None = None,
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
            case_id=case_id,
            description=description,
        ),
        created,
    )


@pytest.fixture
async def exported(db: Database, network: Network, tree: TroubleshootingTree) -> list[list[str]]:
    await filled(db)
    data = await tickets_csv(Storage(db), network, tree, NOW, 30)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


async def filled(db: Database) -> None:
    """A booked ticket after two fixes that did not help, rated; a walk-in; an old one."""
    await Customers(db).remember(
        BORIS, "Борис", "Петров", None, client_language="ru", now=NOW - timedelta(days=40)
    )
    cases = Cases(db)
    case = await cases.open(BORIS, "washer", NOW - timedelta(days=2, minutes=5))
    path = [
        {"node": "w_start", "answer": "Won't drain"},
        {"fix": "w_drain", "helped": "n"},
        {"fix": "w_power", "helped": "n"},
    ]
    await cases.close(case, "booked", path, NOW - timedelta(days=2))
    booked = await add_ticket(
        db,
        "SR-BORIS1",
        NOW - timedelta(days=2),
        slot_start=datetime(2026, 11, 27, 3, 0, tzinfo=UTC),  # 10:00 in Novosibirsk
        description="Не сливает воду",
        case_id=case,
    )
    await Feedback(db).rate(booked, BORIS, 4, NOW - timedelta(hours=2))
    warranties = Warranties(db)
    await warranties.set_purchase_age(booked, PurchaseAge.MONTHS_6_TO_12)
    await warranties.confirm(booked, False, "=seal broken", STAFF, NOW - timedelta(days=1))
    await warranties.set_cause(booked, Cause.MISUSE, STAFF, NOW - timedelta(hours=3))
    await Tickets(db).set_eta(booked, date(2026, 12, 1), NOW - timedelta(days=1))
    estimates = Estimates(db)
    await estimates.add(booked, 100000, "RUB", None, STAFF, NOW - timedelta(days=1))
    latest = await estimates.add(booked, 150000, "RUB", "насос", STAFF, NOW - timedelta(hours=20))
    await estimates.answer(latest, "approved", NOW - timedelta(hours=10))
    parts = PartsStore(db)
    for quantity in (1, 1):
        await parts.record(
            NOW - timedelta(hours=5), STAFF, "WP-DRAIN-PUMP", "NSK-ZAELTSOVSKY", None, quantity,
            "use", booked, unit_price_minor=250000,
        )
    await parts.record(
        NOW - timedelta(hours=5), STAFF, "WP-DOOR-LOCK", "NSK-ZAELTSOVSKY", None, 1, "use",
        booked, unit_price_minor=110050,
    )  # fmt: skip

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
        "fixes_tried": exported[1][15],
        "rating": "4",
        "purchase_age": "6to12m",
        "warranty": "likely",
        "warranty_confirmed": "no",
        "warranty_reason": "'=seal broken",
        "cause": "misuse",
        "parts_used": "WP-DRAIN-PUMP x2 @ 2500.00 | WP-DOOR-LOCK x1 @ 1100.50",
        "parts_cost": "6100.50",
    }
    first, second = exported[1][15].split(" | ")
    assert first.startswith(DRAIN_FIX) and second.startswith("Check that the door clicks shut")


async def test_a_walk_in_has_empty_customer_and_drop_off_and_an_exact_estimate(
    exported: list[list[str]],
) -> None:
    row = dict(zip(exported[0], exported[2], strict=True))

    assert (row["customer_id"], row["customer_name"], row["phone"]) == ("", "", "")
    assert row["dropoff_local"] == ""
    assert (row["purchase_age"], row["warranty"], row["warranty_confirmed"]) == (
        "",
        "unknown",
        "",
    ), "a walk-in's customer was not asked when it was bought"
    assert (row["warranty_reason"], row["cause"]) == ("", "")
    assert (row["workshop"], row["category"], row["status"]) == (
        "Tverskaya Workshop",
        "TV",
        "received",
    )
    assert (row["estimate"], row["estimate_answer"]) == ("1500.05", "pending")
    assert (row["parts_used"], row["parts_cost"]) == ("", ""), "no parts went into it"


async def test_a_description_that_looks_like_a_formula_is_kept_as_text(
    exported: list[list[str]],
) -> None:
    assert exported[2][14] == '\'=HYPERLINK("http://example.com")'


async def test_cyrillic_survives_as_utf_8_after_the_byte_order_mark(
    db: Database, network: Network, tree: TroubleshootingTree, exported: list[list[str]]
) -> None:
    data = await tickets_csv(Storage(db), network, tree, NOW, 30)

    assert data[:3] == b"\xef\xbb\xbf"
    assert "Не сливает воду".encode() in data
    assert "Борис" in exported[1]


async def test_an_empty_period_exports_only_the_header(
    db: Database, network: Network, tree: TroubleshootingTree
) -> None:
    data = await tickets_csv(Storage(db), network, tree, NOW, 30)

    assert data.decode("utf-8-sig") == HEADER + "\r\n"


async def test_a_russian_speaking_caller_gets_semicolons_and_decimal_commas(
    db: Database, network: Network, tree: TroubleshootingTree
) -> None:
    await filled(db)
    data = (await tickets_csv(Storage(db), network, tree, NOW, 30, Lang.RU)).decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=";"))
    assert ",".join(rows[0]) == HEADER
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["estimate"], row["rating"], row["workshop"]) == (
        "1500,00",
        "4",
        "Krasny Prospekt Workshop",
    )
    assert data.splitlines()[0].count(";") == len(rows[0]) - 1


async def test_the_workbook_has_a_frozen_filtered_header_and_typed_cells(
    db: Database, network: Network, tree: TroubleshootingTree
) -> None:
    from openpyxl import load_workbook

    await filled(db)
    workbook = load_workbook(io.BytesIO(await tickets_xlsx(Storage(db), network, tree, NOW, 30)))
    sheet = workbook.active
    assert sheet is not None

    rows = list(sheet.iter_rows(values_only=True))
    assert ",".join(rows[0]) == HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:X{len(rows)}"
    booked = dict(zip(rows[0], rows[1], strict=True))
    assert booked["created_utc"] == datetime(2026, 11, 24, 6, 0)
    assert booked["dropoff_local"] == datetime(2026, 11, 27, 10, 0)
    assert booked["eta"] == datetime(2026, 12, 1)  # a date cell; openpyxl reads it back at 00:00
    assert sheet["K2"].is_date and sheet["K2"].number_format == "yyyy-mm-dd"
    assert booked["estimate"] == 1500 and sheet["L2"].data_type == "n"
    assert (booked["customer_id"], booked["rating"]) == (2, 4)
    assert booked["fixes_tried"].startswith(DRAIN_FIX)
    assert booked["parts_cost"] == Decimal("6100.50") and sheet["X2"].data_type == "n"
    walk_in = dict(zip(rows[0], rows[2], strict=True))
    assert walk_in["estimate"] == pytest.approx(1500.05)
    assert walk_in["description"] == '=HYPERLINK("http://example.com")'
    assert sheet["O3"].data_type == "s", "text, never a formula Excel would run"
    assert walk_in["customer_id"] is None and walk_in["rating"] is None
