"""Tickets of a period as files head office opens in Excel: an `.xlsx` whose cells have
types (dates are dates, amounts are numbers) and a CSV for any other tool."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.i18n import Lang, pick
from bot.money import from_minor
from bot.storage.parts import UsedPart
from bot.storage.stats import ExportRow
from bot.storage.unit_of_work import Repositories
from bot.troubleshooting import TroubleshootingTree
from bot.warranty import PurchaseAge, likelihood
from bot.workshops import Network

HEADER = (
    "ticket",
    "created_utc",
    "workshop_code",
    "workshop",
    "category",
    "status",
    "dropoff_local",
    "customer_id",
    "customer_name",
    "phone",
    "eta",
    "estimate",
    "estimate_currency",
    "estimate_answer",
    "description",
    "fixes_tried",
    "rating",
    "purchase_age",
    "warranty",
    "warranty_confirmed",
    "warranty_reason",
    "cause",
    "parts_used",
    "parts_cost",
)
"""`purchase_age`, `warranty` (likely/no/unknown) and `cause` are the codes of
`bot/warranty.py`; `warranty_confirmed` is yes, no or empty until staff have said."""
_MINUTES = "%Y-%m-%d %H:%M"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_UTC = ZoneInfo("UTC")
_FIXES_SEPARATOR = " | "
_EXCEL_FORMATS = {datetime: "yyyy-mm-dd hh:mm", date: "yyyy-mm-dd", Decimal: "#,##0.00"}



class Typed(str):
    """Text typed by people: a leading `=` or `+` would make Excel run it as a formula."""


Value = str | int | Decimal | datetime | date | None


def _values(
    item: ExportRow, parts: list[UsedPart], network: Network, tree: TroubleshootingTree
) -> list[Value]:
    """One ticket's cells, typed; times without a zone, as spreadsheets keep them."""
    workshop = network.get(item.workshop_code)
    # A workshop since removed from the file has no zone any more: its drop-off stays in UTC.
    zone = network.zone(item.workshop_code) if workshop else _UTC
    category = tree.category(item.category)
    fixes = []
    for fix_id in item.fixes_tried:
        node = tree.node(fix_id)
        fixes.append(pick(node.fix, Lang.EN) if node is not None and node.fix else fix_id)
    return [
        item.code,
        item.created_at.astimezone(_UTC).replace(tzinfo=None),
        item.workshop_code,
        workshop.title(Lang.EN) if workshop else "",
        pick(category.title, Lang.EN) if category else item.category,
        item.status,
        item.slot_start.astimezone(zone).replace(tzinfo=None) if item.slot_start else None,
        item.customer_id,
        None if item.customer_name is None else Typed(item.customer_name),
        item.phone,
        item.eta,
        None if item.estimate_minor is None else from_minor(item.estimate_minor),
        item.estimate_currency,
        item.estimate_answer,
        None if item.description is None else Typed(item.description),
        _FIXES_SEPARATOR.join(fixes) or None,
        item.rating,
        item.purchase_age,
        likelihood(
            PurchaseAge(item.purchase_age) if item.purchase_age else None,
            category.warranty_months if category else None,
        ).value,
        None if item.warranty_confirmed is None else ("yes" if item.warranty_confirmed else "no"),
        None if item.warranty_reason is None else Typed(item.warranty_reason),
        item.cause,
        _FIXES_SEPARATOR.join(
            f"{part.sku} x{part.quantity} @ {from_minor(part.unit_price_minor)}" for part in parts
        )
        or None,
        from_minor(sum(part.cost_minor for part in parts)) if parts else None,
    ]


async def _rows(
    storage: Repositories, network: Network, tree: TroubleshootingTree, now: datetime, days: int
) -> list[list[Value]]:
    """Tickets created in the `days` days before `now`, oldest first, with the parts used."""
    since = now - timedelta(days=days)
    items = await storage.stats.tickets_for_export(since, now)
    used = await storage.parts.used_on_tickets_created(since, now)
    return [_values(item, used.get(item.code, []), network, tree) for item in items]


def _as_text(value: Value, lang: Lang) -> str:
    """A CSV field, written the way the caller's Excel reads it."""
    match value:
        case None:
            return ""
        case datetime():
            return f"{value:{_MINUTES}}"
        case date():
            return value.isoformat()
        case Decimal():
            # A Russian Excel, which splits on `;`, reads only a decimal comma as a number.
            return str(value).replace(".", ",") if lang is Lang.RU else str(value)
        case int():
            return str(value)
        case Typed() if value.startswith(_FORMULA_STARTS):
            return "'" + value
    return str(value)


async def tickets_csv(
    storage: Repositories,
    network: Network,
    tree: TroubleshootingTree,
    now: datetime,
    days: int,
    lang: Lang = Lang.EN,
) -> bytes:
    """The CSV for a reader of `lang`: a Russian Excel splits columns on `;`, an English one on
    `,`. UTF-8 with a byte-order mark, which is how Excel recognises UTF-8 and shows Cyrillic."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if lang is Lang.RU else ",")
    writer.writerow(HEADER)
    for values in await _rows(storage, network, tree, now, days):
        writer.writerow([_as_text(value, lang) for value in values])
    return buffer.getvalue().encode("utf-8-sig")


async def tickets_xlsx(
    storage: Repositories, network: Network, tree: TroubleshootingTree, now: datetime, days: int
) -> bytes:
    """The workbook: a header row, frozen and filtered, and one typed row per ticket.

    Every text cell is stored as text, so a description starting with `=` is never a formula.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "tickets"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_number, values in enumerate(await _rows(storage, network, tree, now, days), start=2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
            elif form := _EXCEL_FORMATS.get(type(value)):
                cell.number_format = form
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column in sheet.columns:
        letter = column[0].column_letter
        widest = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[letter].width = min(max(widest, 8) + 2, 50)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
