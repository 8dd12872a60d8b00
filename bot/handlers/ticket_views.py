"""How tickets read in messages: statuses, names and history lines, in the reader's language."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import Lang, pick
from bot.messages import text
from bot.services import Services
from bot.storage.tickets import EventRecord


def status_word(lang: Lang, status: str) -> str:
    return text(lang, f"status_{status}")


def category_title(services: Services, lang: Lang, category_id: str) -> str:
    category = services.tree.category(category_id)
    return pick(category.title, lang) if category else category_id


def workshop_title(services: Services, lang: Lang, code: str) -> str:
    workshop = services.network.get(code)
    return workshop.title(lang) if workshop else code


def history_line(lang: Lang, event: EventRecord, zone: ZoneInfo) -> str:
    """One event: when (local time), who (role and id), and what changed."""
    who = event.actor_role.replace("_", " ") + (f" {event.actor_id}" if event.actor_id else "")
    what = event.kind
    if event.from_status or event.to_status:
        parts = [status_word(lang, s) for s in (event.from_status, event.to_status) if s]
        what = " → ".join(parts)
    if event.note:
        what = f"{what}: {event.note}" if event.kind == "status" else f"{event.kind}: {event.note}"
    return text(
        lang,
        "history_line",
        when=f"{event.at.astimezone(zone):%d.%m %H:%M}",
        who=who,
        what=what,
    )
