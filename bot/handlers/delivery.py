"""The postman: sends what the outbox holds, once, and records how each delivery ended.

The outbox decides what is pending; the postman only reads it. It is woken right after a
change that queued something, and by a repeating job for anything that fell due later.
One lock means one postman at a time, so no message goes out twice from this process.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.handlers import keyboards
from bot.handlers.callbacks import EstimateAnswer
from bot.handlers.context import Context
from bot.handlers.formatting import when
from bot.i18n import Lang, pick, preferred
from bot.messages import label, text
from bot.money import from_minor
from bot.notifications import Kind
from bot.services import Services
from bot.storage.outbox import Outbox, OutboxRecord
from bot.storage.tickets import Tickets
from bot.tickets import Status
from bot.workshops import WEEKDAYS

log = logging.getLogger(__name__)

BATCH = 50
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(seconds=10)
TICK_SECONDS = 5


class Postman:
    def __init__(self, bot: Bot, services: Services) -> None:
        self._bot = bot
        self._services = services
        self._lock = asyncio.Lock()

    async def deliver_due(self) -> int:
        """Send everything due now; return how many messages went out."""
        sent = 0
        async with self._lock:
            outbox = Outbox(self._services.db)
            while batch := await outbox.due(self._services.clock.now(), BATCH):
                for record in batch:
                    sent += await self._deliver(outbox, record)
        return sent

    async def _deliver(self, outbox: Outbox, record: OutboxRecord) -> int:
        now = self._services.clock.now()
        try:
            body, markup = await self._render(record)
            await self._bot.send_message(
                record.chat_id, body, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except Forbidden as error:
            await self._services.customers.mark_blocked(record.chat_id, now)
            await outbox.finish(record.id, "skipped", now, str(error))
            return 0
        except RetryAfter as error:
            wait = error.retry_after
            delay = wait if isinstance(wait, timedelta) else timedelta(seconds=wait)
            await outbox.retry_later(record.id, now + delay, str(error))
            return 0
        except BadRequest as error:
            log.error("Outbox message %s refused by Telegram: %s", record.key, error)
            await outbox.finish(record.id, "failed", now, str(error))
            return 0
        except (TimedOut, NetworkError) as error:
            if record.attempts + 1 >= MAX_ATTEMPTS:
                await outbox.finish(record.id, "failed", now, str(error))
            else:
                backoff = FIRST_RETRY * 2**record.attempts
                await outbox.retry_later(record.id, now + backoff, str(error))
            return 0
        await outbox.finish(record.id, "sent", now, None)
        return 1

    async def _render(self, record: OutboxRecord) -> tuple[str, InlineKeyboardMarkup | None]:
        services = self._services
        lang = preferred(*await services.customers.languages(record.chat_id))
        ticket = await Tickets(services.db).by_id(record.ticket_id) if record.ticket_id else None
        params: dict[str, Any] = record.params
        code = params["code"]
        if record.kind == Kind.STATUS:
            status = Status(params["status"])
            lines = [text(lang, "notice_status", code=code, status=text(lang, f"status_{status}"))]
            if params.get("note"):
                lines.append(text(lang, "notice_note", note=params["note"]))
            if status is Status.READY and ticket is not None:
                workshop = services.network.workshops[ticket.workshop_code]
                lines.append(
                    text(
                        lang,
                        "notice_ready_where",
                        workshop=workshop.title(lang),
                        address=workshop.where(lang),
                        hours=opening_hours(workshop.hours, lang),
                    )
                )
            return "\n".join(lines), None
        if record.kind == Kind.ETA:
            return text(lang, "notice_eta", code=code, eta=params["eta"]), None
        if record.kind == Kind.ESTIMATE:
            lines = [
                text(
                    lang,
                    "notice_estimate",
                    code=code,
                    amount=params["amount"],
                    currency=params["currency"],
                ),
            ]
            if params.get("comment"):
                lines.append(text(lang, "notice_note", note=params["comment"]))
            lines.append(text(lang, "notice_estimate_ask"))
            estimate_id = int(params["estimate_id"])
            markup = keyboards.inline(
                [
                    [
                        (
                            label(lang, "btn_approve"),
                            EstimateAnswer(estimate=estimate_id, approve="y"),
                        ),
                        (
                            label(lang, "btn_decline"),
                            EstimateAnswer(estimate=estimate_id, approve="n"),
                        ),
                    ]
                ]
            )
            return "\n\n".join(lines), markup
        if record.kind == Kind.ESTIMATE_ANSWER:
            return text(
                lang,
                "notice_estimate_answer",
                code=code,
                answer=text(lang, f"answer_{params['answer']}"),
                amount=from_minor(int(params["amount_minor"])),
                currency=params["currency"],
            ), None
        assert ticket is not None
        category = services.tree.category(ticket.category)
        zone = services.network.zone(ticket.workshop_code)
        slot = when(lang, ticket.slot_start, zone) if ticket.slot_start else "—"
        category_title = pick(category.title, lang) if category else ticket.category
        if record.kind == Kind.NEW_BOOKING:
            customer = await services.customers.name(ticket.customer_id or 0) or "—"
            return text(
                lang,
                "notice_new_booking",
                code=code,
                category=category_title,
                when=slot,
                customer=customer,
                phone=ticket.phone or label(lang, "not_shared"),
            ), None
        if record.kind == Kind.BOOKING_CANCELLED:
            return text(
                lang, "notice_booking_cancelled", code=code, category=category_title, when=slot
            ), None
        raise ValueError(f"unknown outbox kind {record.kind!r}")


def opening_hours(hours: dict[str, Any], lang: Lang) -> str:
    names = label(lang, "weekdays").split()
    return ", ".join(
        f"{names[WEEKDAYS.index(day)]} {hours[day]}" for day in WEEKDAYS if day in hours
    )


async def wake_postman(context: Context) -> None:
    """Send what the change just queued, before the handler that made it returns."""
    await context.postman.deliver_due()


async def on_tick(context: Context) -> None:
    """The repeating job: anything that fell due since, or waits for a retry."""
    await context.postman.deliver_due()
