"""Tickets of a period as a CSV file head office opens in Excel."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import Lang, pick
from bot.money import from_minor
from bot.storage.database import Executor
from bot.storage.stats import ExportRow, StatsQueries
from bot.troubleshooting import TroubleshootingTree
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
)
_MINUTES = "%Y-%m-%d %H:%M"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_UTC = ZoneInfo("UTC")


def _as_text(value: str | None) -> str:
    """Typed by people: a leading `=` or `+` would make Excel run it as a formula."""
    if value is None:
        return ""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _row(item: ExportRow, network: Network, tree: TroubleshootingTree) -> list[str]:
    workshop = network.get(item.workshop_code)
    # A workshop since removed from the file has no zone any more: its drop-off stays in UTC.
    zone = network.zone(item.workshop_code) if workshop else _UTC
    category = tree.category(item.category)
    return [
        item.code,
        f"{item.created_at:{_MINUTES}}",
        item.workshop_code,
        workshop.title(Lang.EN) if workshop else "",
        pick(category.title, Lang.EN) if category else item.category,
        item.status,
        f"{item.slot_start.astimezone(zone):{_MINUTES}}" if item.slot_start else "",
        "" if item.customer_id is None else str(item.customer_id),
        _as_text(item.customer_name),
        item.phone or "",
        item.eta.isoformat() if item.eta else "",
        "" if item.estimate_minor is None else str(from_minor(item.estimate_minor)),
        item.estimate_currency or "",
        item.estimate_answer or "",
        _as_text(item.description),
    ]


async def tickets_csv(
    db: Executor, network: Network, tree: TroubleshootingTree, now: datetime, days: int
) -> bytes:
    """Tickets created in the `days` days before `now`, oldest first.

    UTF-8 with a byte-order mark, which is how Excel recognises UTF-8 and shows Cyrillic.
    """
    rows = await StatsQueries(db).tickets_for_export(now - timedelta(days=days), now)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(_row(item, network, tree) for item in rows)
    return buffer.getvalue().encode("utf-8-sig")
