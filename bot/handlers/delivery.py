"""The postman: sends what the outbox holds, once, and records how each delivery ended.

The outbox decides what is pending; the postman only reads it. It is woken right after a
change that queued something, by a one-off job armed for the next message due (one job,
always named `outbox:next`, rebuilt from the outbox at start-up), and by a slow repeating
tick. One lock means one postman at a time in this process.

Several instances of the bot may share one database: a postman sends only the messages it
claimed in the outbox (`Outbox.claim_due`), each held by one instance until its lease ends,
and kept longer while a slow batch is still being sent. Recording how a message ended lets
it go. A claim of an instance that died runs out and another instance sends the message: at
most once more, when the dead one had sent it and not yet recorded that, as after a crash of
a lone instance.

A message is marked sent right after Telegram took it. When that write fails (a full disk),
the postman keeps the message's id in memory, sends nothing more, and tries the write again
at every wake-up and tick before anything else: the message never goes out a second time
from this process, and nothing piles up unrecorded behind it. (Another instance whose writes
the database takes would send it again once the claim ran out; on one full disk, none does.)
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, JobQueue

from bot.digest import plan_digests
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    BookAgain,
    CancelAsk,
    EstimateAnswer,
    Rating,
    Reschedule,
    SetStatus,
    WillCome,
)
from bot.handlers.context import Context
from bot.handlers.formatting import long_day, money, next_opening, opening_hours, when
from bot.handlers.part_views import digest_parts, eta_words, part_name
from bot.handlers.thread_views import THREAD_KINDS, digest_questions, thread_letter
from bot.handlers.ticket_views import category_title, status_news, status_word
from bot.i18n import Lang, preferred
from bot.message_length import MAX_CAPTION, split_message
from bot.messages import label, text
from bot.money import from_minor
from bot.notifications import Kind
from bot.overdue import limits_days, overdue, overdue_lines
from bot.reminders import CUSTOMER_KINDS, Facts, still_meaningful
from bot.runtime.rate_limit import BULK, retry_seconds
from bot.services import Services
from bot.storage.outbox import Outbox, OutboxRecord
from bot.storage.tickets import TicketRecord
from bot.tickets import Status
from bot.workshops import Workshop

log = logging.getLogger(__name__)

BATCH = 50
LEASE = timedelta(minutes=2)
"""How long a claimed message stays this instance's: more than one message takes to send,
with Telegram's usual "retry after" and the request timeouts, so only a stalled or dead
instance loses a message it is sending. A dead instance's claims wait this long."""
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(seconds=10)
TICK_SECONDS = 60
WAKEUP_JOB = "outbox:next"


@dataclass(frozen=True)
class Letter:
    body: str
    markup: InlineKeyboardMarkup | None = None
    venue: Workshop | None = None
    photo: str | None = None
    """A Telegram file_id, passed on as it is: the text is its caption when it fits."""
    thread: int | None = None
    """The question thread this belongs to: a reply to any of its messages continues it."""


class Postman:
    def __init__(
        self, bot: Bot, services: Services, job_queue: JobQueue | None, instance: str
    ) -> None:
        self._bot = bot
        self.instance = instance
        """Whose claims on outbox messages are this postman's (`bot.runtime.instance`)."""
        self._services = services
        self._job_queue = job_queue
        self._lock = asyncio.Lock()
        self._unrecorded: dict[int, datetime] = {}
        """Outbox ids Telegram took but the database has not recorded as sent, with when."""
        self._reply_due: dict[int, datetime] = {}
        """The latest due time of a deferred reply per chat, so later ones queue behind it."""

    async def deliver_due(self) -> int:
        """Send everything due now, then arm the wake-up for the next; return how many went."""
        sent = 0
        async with self._lock:
            outbox = self._services.storage.outbox
            await self._record_unrecorded(outbox)
            while not self._unrecorded and (
                batch := await outbox.claim_due(
                    self.instance, self._services.clock.now(), LEASE, BATCH
                )
            ):
                sent += await self._deliver_claimed(outbox, batch)
            await self._arm(outbox)
        return sent

    async def _deliver_claimed(self, outbox: Outbox, batch: list[OutboxRecord]) -> int:
        """Send a batch this instance claimed, while the claims last.

        Once half the lease has passed, the rest of the batch is held longer before the next
        message; one another instance took meanwhile (this one stalled) is left to it.
        """
        clock = self._services.clock
        renew_at = clock.now() + LEASE / 2
        lost: set[int] = set()
        sent = 0
        for index, record in enumerate(batch):
            if clock.now() >= renew_at:
                rest = [each.id for each in batch[index:]]
                kept = await outbox.extend_claims(self.instance, rest, clock.now() + LEASE)
                lost = set(rest) - kept
                renew_at = clock.now() + LEASE / 2
            if record.id in lost:
                continue
            sent += await self._deliver(outbox, record)
            if self._unrecorded:
                break
        return sent

    async def _record_unrecorded(self, outbox: Outbox) -> None:
        """Try again to record the sends the database refused; stop at the first refusal."""
        for outbox_id, sent_at in list(self._unrecorded.items()):
            try:
                await outbox.finish(outbox_id, "sent", sent_at, None)
            except Exception:
                log.debug("Outbox message %s still cannot be recorded as sent", outbox_id)
                return
            del self._unrecorded[outbox_id]
            log.warning("Outbox message %s is recorded as sent at last", outbox_id)

    async def _record_sent(self, outbox: Outbox, record: OutboxRecord, now: datetime) -> None:
        """Mark a message sent; if the database refuses, keep it in memory so it goes only once."""
        try:
            await outbox.finish(record.id, "sent", now, None)
        except Exception:
            self._unrecorded[record.id] = now
            log.exception(
                "ALERT: outbox message %s (%s) went to chat %s but could not be recorded as"
                " sent (disk full?); this instance will not send it again, and its outbox"
                " waits until the record is written",
                record.id,
                record.kind,
                record.chat_id,
            )

    async def plan_and_deliver(self, plan: bool) -> None:
        """The tick: queue the morning digests once they are due (if ``plan``: on the leader
        only), then deliver."""
        services = self._services
        async with self._lock:
            # First of all, even if planning fails on the same full disk.
            await self._record_unrecorded(services.storage.outbox)
        if plan:
            await self._plan()
        await self.deliver_due()

    async def _plan(self) -> None:
        services = self._services
        await plan_digests(
            services.storage,
            services.network,
            await services.access.head_office_ids(),
            self.limits,
            services.settings.zone,
            services.clock.now(),
            services.stock,
        )

    async def defer_reply(
        self, chat_id: int, method: str, request: dict[str, Any], seconds: float
    ) -> None:
        """Queue a reply Telegram told us to make later, and wake up when it is due."""
        now = self._services.clock.now()
        self._reply_due = {chat: at for chat, at in self._reply_due.items() if at > now}
        due = max(now + timedelta(seconds=seconds), self._reply_due.get(chat_id, now))
        self._reply_due[chat_id] = due
        key = f"{Kind.REPLY}:{chat_id}:{uuid.uuid4().hex}"
        params = {"method": method, "request": request}
        await self._services.storage.outbox.add(key, chat_id, Kind.REPLY, params, None, due, now)
        if self._job_queue is not None:
            # One more wake-up; the next delivery re-arms exactly one for the earliest due.
            self._job_queue.run_once(on_wakeup, when=seconds, name=WAKEUP_JOB)

    @property
    def limits(self) -> dict[str, int]:
        return limits_days(self._services.settings.overdue_limits)

    async def _arm(self, outbox: Outbox) -> None:
        if self._job_queue is None:
            return
        for job in self._job_queue.get_jobs_by_name(WAKEUP_JOB):
            job.schedule_removal()
        if self._unrecorded:
            # The tick tries the record again; a wake-up now would only spin on a full disk.
            return
        due = await outbox.next_due_at(self.instance)
        if due is not None:
            delay = max(0.0, (due - self._services.clock.now()).total_seconds())
            self._job_queue.run_once(on_wakeup, when=delay, name=WAKEUP_JOB)

    async def _deliver(self, outbox: Outbox, record: OutboxRecord) -> int:
        services = self._services
        now = services.clock.now()
        tickets = services.storage.tickets
        ticket = await tickets.by_id(record.ticket_id) if record.ticket_id else None
        zone = services.network.zone(ticket.workshop_code) if ticket else services.settings.zone
        if not still_meaningful(record.kind, record.due_at, await self._facts(record, ticket), now):
            await outbox.finish(record.id, "skipped", now, "no longer meaningful")
            return 0
        quiet = services.settings.quiet
        if quiet is not None and record.kind in CUSTOMER_KINDS:
            allowed = quiet.next_allowed(now, zone)
            if allowed > now:
                await outbox.postpone(record.id, allowed)
                return 0
        try:
            if record.kind == Kind.REPLY:
                await self._bot.do_api_request(
                    record.params["method"],
                    api_kwargs={**record.params["request"], "chat_id": record.chat_id},
                    rate_limit_args=BULK,
                )
                await self._record_sent(outbox, record, now)
                return 1
            lang = preferred(*await services.customers.languages(record.chat_id))
            letter = await self._render(record, ticket, lang, zone)
            if letter is None:
                await outbox.finish(record.id, "skipped", now, "nothing to report")
                return 0
            sent_ids = await self._send(record.chat_id, letter)
            if letter.venue is not None:
                await self._bot.send_venue(
                    record.chat_id,
                    latitude=letter.venue.lat,
                    longitude=letter.venue.lon,
                    title=letter.venue.title(lang),
                    address=letter.venue.where(lang),
                    rate_limit_args=BULK,
                )
        except Forbidden as error:
            await services.customers.mark_blocked(record.chat_id, now)
            await self._not_delivered(outbox, record, "skipped", now, f"blocked: {error}")
            return 0
        except RetryAfter as error:
            delay = timedelta(seconds=retry_seconds(error))
            await outbox.retry_later(record.id, now + delay, str(error))
            return 0
        except BadRequest as error:
            # Telegram refused what we built: a bug to look at, not bad luck.
            await self._not_delivered(outbox, record, "failed", now, str(error), logging.ERROR)
            return 0
        except TelegramError as error:
            # Network trouble and server errors (5xx) pass: try again later, a few times.
            if record.attempts + 1 >= MAX_ATTEMPTS:
                await self._not_delivered(outbox, record, "failed", now, str(error))
            else:
                await outbox.retry_later(
                    record.id, now + FIRST_RETRY * 2**record.attempts, str(error)
                )
            return 0
        except Exception as error:
            # A message we cannot even render must not hold up the ones behind it.
            log.exception("Outbox message %s could not be sent", record.key)
            await self._not_delivered(outbox, record, "failed", now, repr(error))
            return 0
        await self._record_sent(outbox, record, now)
        if letter.thread is not None:
            await self._remember_thread(record.chat_id, sent_ids, letter.thread)
        return 1

    async def _remember_thread(self, chat_id: int, message_ids: list[int], thread: int) -> None:
        """Note which thread the sent messages belong to, for Telegram's reply to them.

        After the send is recorded: failing here must not make a sent message look unsent.
        """
        try:
            await self._services.questions.delivered(chat_id, message_ids, thread)
        except Exception:
            log.exception(
                "Messages %s in chat %s could not be tied to question thread %s; a reply to"
                " them will not continue it (the Reply button still does)",
                message_ids,
                chat_id,
                thread,
            )

    async def _send(self, chat_id: int, letter: Letter) -> list[int]:
        """Send a letter's text (in parts if long) and photo; return the messages' ids.

        A photo whose text fits a caption goes as one message, buttons under it.
        """
        if letter.photo is not None and len(split_message(letter.body, MAX_CAPTION)) == 1:
            sent = await self._bot.send_photo(
                chat_id,
                letter.photo,
                caption=letter.body,
                parse_mode=ParseMode.HTML,
                reply_markup=letter.markup,
                rate_limit_args=BULK,
            )
            return [sent.message_id]
        parts = split_message(letter.body)
        ids: list[int] = []
        for number, part in enumerate(parts, start=1):
            sent = await self._bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=letter.markup if number == len(parts) else None,
                rate_limit_args=BULK,
            )
            ids.append(sent.message_id)
        if letter.photo is not None:
            sent = await self._bot.send_photo(chat_id, letter.photo, rate_limit_args=BULK)
            ids.append(sent.message_id)
        return ids

    async def _not_delivered(
        self,
        outbox: Outbox,
        record: OutboxRecord,
        status: str,
        now: datetime,
        reason: str,
        level: int | None = None,
    ) -> None:
        """Close a message that will not go out, with one log line an operator can search.

        A warning when it failed for good; only a note when it was skipped (a customer who
        blocked the bot), which is the customer's choice, not trouble.
        """
        log.log(
            level or (logging.WARNING if status == "failed" else logging.INFO),
            "Outbox message %s (%s) to chat %s not delivered: %s",
            record.id,
            record.kind,
            record.chat_id,
            reason,
        )
        await outbox.finish(record.id, status, now, reason)

    async def _facts(self, record: OutboxRecord, ticket: TicketRecord | None) -> Facts:
        estimate_pending = False
        if record.kind == Kind.ESTIMATE_REMINDER and ticket is not None:
            latest = await self._services.storage.estimates.latest(ticket.id)
            estimate_pending = (
                latest is not None
                and latest.id == record.params.get("estimate_id")
                and latest.answer == "pending"
            )
        rated = (
            await self._services.storage.feedback.rated(ticket.id)
            if record.kind == Kind.FEEDBACK and ticket is not None
            else False
        )
        return Facts(
            status=Status(ticket.status) if ticket else None,
            slot_start=ticket.slot_start if ticket else None,
            estimate_pending=estimate_pending,
            rated=rated,
        )

    async def _render(
        self, record: OutboxRecord, ticket: TicketRecord | None, lang: Lang, zone: ZoneInfo
    ) -> Letter | None:
        services = self._services
        params: dict[str, Any] = record.params
        if record.kind == Kind.DIGEST:
            grouped = await overdue(
                services.storage, services.clock.now(), self.limits, params.get("workshop")
            )
            names = {code: w.title(lang) for code, w in services.network.workshops.items()}
            lines = overdue_lines(grouped, lang, names)
            heading = [text(lang, "digest_title")] if lines else [text(lang, "digest_morning")]
            questions = await digest_questions(
                services, lang, params.get("workshop"), services.clock.now()
            )
            parts = await digest_parts(services, lang, params.get("workshop"), services.clock.now())
            news = [*lines, *questions, *parts]
            return Letter("\n".join([*heading, *news])) if news else None
        if record.kind in THREAD_KINDS:
            found = await thread_letter(services, record, lang)
            if found is None:
                return None
            return Letter(found.body, found.markup, photo=found.photo, thread=found.thread)
        if ticket is None:
            raise ValueError(f"outbox kind {record.kind!r} needs a ticket")
        code = ticket.code
        workshop = services.network.workshops[ticket.workshop_code]
        slot = when(lang, ticket.slot_start, zone) if ticket.slot_start else "—"
        time_only = f"{ticket.slot_start.astimezone(zone):%H:%M}" if ticket.slot_start else "—"
        where = {"workshop": workshop.title(lang), "address": workshop.where(lang)}
        match record.kind:
            case Kind.STATUS:
                return await self._status_letter(
                    ticket, Status(params["status"]), params.get("note"), lang, zone
                )
            case Kind.ETA:
                eta = long_day(lang, date.fromisoformat(params["eta"]))
                return Letter(
                    text(lang, "notice_eta", code=code, eta=eta), keyboards.ask_button(lang, code)
                )
            case Kind.ESTIMATE if params.get("warranty"):
                lines = [text(lang, "notice_estimate_warranty", code=code)]
                if params.get("comment"):
                    lines.append(text(lang, "notice_note", note=params["comment"]))
                return Letter("\n\n".join(lines), keyboards.ask_button(lang, code))
            case Kind.PART_AWAITED | Kind.PART_ARRIVED:
                part = part_name(services.stock.catalogue, lang, params["sku"])
                body = text(lang, f"notice_{record.kind}", code=code, part=part)
                return Letter(body, keyboards.ask_button(lang, code))
            case Kind.PART_ON_WAY:
                part = part_name(services.stock.catalogue, lang, params["sku"])
                if params.get("eta"):
                    eta = long_day(lang, date.fromisoformat(params["eta"]))
                    body = text(lang, "notice_part_on_way_eta", code=code, part=part, eta=eta)
                else:
                    body = text(lang, "notice_part_on_way", code=code, part=part)
                return Letter(body, keyboards.ask_button(lang, code))
            case Kind.PART_REQUESTED:
                return Letter(
                    text(
                        lang,
                        "notice_part_requested",
                        request=params["request"],
                        workshop=workshop.title(lang),
                        quantity=params["quantity"],
                        sku=params["sku"],
                        name=part_name(services.stock.catalogue, lang, params["sku"]),
                        code=code,
                    )
                )
            case Kind.PART_SHIPPED:
                eta = date.fromisoformat(params["eta"]) if params.get("eta") else None
                return Letter(
                    text(
                        lang,
                        "notice_part_shipped",
                        request=params["request"],
                        quantity=params["quantity"],
                        sku=params["sku"],
                        name=part_name(services.stock.catalogue, lang, params["sku"]),
                        code=code,
                        eta=eta_words(lang, eta),
                    )
                )
            case Kind.ESTIMATE:
                lines = [
                    text(
                        lang,
                        "notice_estimate",
                        code=code,
                        amount=money(lang, Decimal(params["amount"]), params["currency"]),
                    )
                ]
                if params.get("comment"):
                    lines.append(text(lang, "notice_note", note=params["comment"]))
                lines.append(text(lang, "notice_estimate_ask"))
                return Letter("\n\n".join(lines), estimate_buttons(lang, params["estimate_id"]))
            case Kind.WARRANTY:
                key = "notice_warranty_yes" if params["covered"] else "notice_warranty_no"
                lines = [text(lang, key, code=code)]
                if params.get("reason"):
                    lines.append(text(lang, "notice_note", note=params["reason"]))
                return Letter("\n\n".join(lines), keyboards.ask_button(lang, code))
            case Kind.ESTIMATE_REMINDER:
                return Letter(
                    text(
                        lang,
                        "estimate_reminder",
                        code=code,
                        amount=money(lang, Decimal(params["amount"]), params["currency"]),
                    ),
                    estimate_buttons(lang, params["estimate_id"]),
                )
            case Kind.ESTIMATE_ANSWER:
                return Letter(
                    text(
                        lang,
                        "notice_estimate_answer",
                        code=code,
                        customer=await self._customer_name(ticket),
                        answer=label(lang, f"customer_{params['answer']}"),
                        amount=money(
                            lang, from_minor(int(params["amount_minor"])), params["currency"]
                        ),
                    )
                )
            case Kind.NEW_BOOKING:
                customer = await self._customer_name(ticket)
                lines = [
                    text(
                        lang,
                        "notice_new_booking",
                        code=code,
                        category=category_title(services, lang, ticket.category),
                        when=slot,
                        customer=customer,
                        phone=ticket.phone or label(lang, "not_shared"),
                    )
                ]
                if ticket.description:
                    lines.append(text(lang, "fault_words", words=ticket.description))
                if attachments := await services.storage.attachments.of_ticket(ticket.id):
                    lines.append(text(lang, "attachments_count", count=len(attachments)))
                return Letter("\n".join(lines))
            case Kind.BOOKING_CANCELLED:
                return Letter(
                    text(
                        lang,
                        "notice_booking_cancelled",
                        code=code,
                        category=category_title(services, lang, ticket.category),
                        when=slot,
                    )
                )
            case Kind.RESCHEDULED:
                return Letter(text(lang, "notice_rescheduled", code=code, when=slot))
            case Kind.DROPOFF_EVENING | Kind.DROPOFF_SOON:
                key = "reminder_evening" if record.kind == Kind.DROPOFF_EVENING else "reminder_soon"
                buttons = keyboards.inline(
                    [
                        [(label(lang, "btn_will_come"), WillCome(code=code))],
                        [
                            (label(lang, "btn_reschedule"), Reschedule(code=code)),
                            (label(lang, "btn_cancel_short"), CancelAsk(code=code)),
                        ],
                    ]
                )
                return Letter(
                    text(lang, key, code=code, time=time_only, **where), buttons, venue=workshop
                )
            case Kind.NO_SHOW_CHECK:
                customer = await self._customer_name(ticket)
                buttons = keyboards.inline(
                    [
                        [
                            (
                                label(lang, "btn_set_status", status=status_word(lang, s)),
                                SetStatus(code=code, status=s.value),
                            )
                            for s in (Status.RECEIVED, Status.NO_SHOW)
                        ]
                    ]
                )
                return Letter(
                    text(lang, "no_show_check", code=code, when=slot, customer=customer), buttons
                )
            case Kind.PICKUP_REMINDER:
                return Letter(
                    text(
                        lang,
                        "pickup_reminder",
                        code=code,
                        hours=self._open_hours(workshop, lang, zone),
                        **where,
                    ),
                    venue=workshop,
                )
            case Kind.FEEDBACK:
                stars = keyboards.inline(
                    [[(str(n), Rating(code=code, stars=n)) for n in range(1, 6)]]
                )
                return Letter(text(lang, "feedback_ask", code=code, **where), stars)
            case Kind.FEEDBACK_ALERT:
                return Letter(
                    text(
                        lang,
                        "feedback_alert",
                        code=code,
                        customer=await self._customer_name(ticket),
                        rating=params["rating"],
                        workshop=workshop.title(lang),
                    )
                    + (
                        f"\n{text(lang, 'feedback_alert_comment', comment=params['comment'])}"
                        if params.get("comment")
                        else ""
                    )
                )
        raise ValueError(f"unknown outbox kind {record.kind!r}")

    async def _customer_name(self, ticket: TicketRecord) -> str:
        """Staff read people by name; a walk-in nobody has claimed has none yet."""
        return await self._services.customers.name(ticket.customer_id or 0) or "—"

    async def _status_letter(
        self, ticket: TicketRecord, status: Status, note: str | None, lang: Lang, zone: ZoneInfo
    ) -> Letter:
        """A new status in a sentence, and what happens next: where and when to pick the
        device up and what to pay, or a way to book again when the visit will not happen."""
        workshop = self._services.network.workshops[ticket.workshop_code]
        name = workshop.title(lang)
        news = status_news(lang, status, name, note)
        lines = [text(lang, "notice_status", code=ticket.code, news=news)]
        rows = [keyboards.ask_row(lang, ticket.code)]
        if status is Status.READY:
            estimate = await self._services.storage.estimates.latest(ticket.id)
            if estimate is not None and estimate.answer == "approved":
                amount = money(lang, from_minor(estimate.amount_minor), estimate.currency)
                lines.append(text(lang, "notice_amount_due", amount=amount))
            hours = self._open_hours(workshop, lang, zone)
            where = workshop.where(lang)
            lines.append(text(lang, "notice_ready_open", workshop=name, address=where, hours=hours))
        if status in (Status.CANCELLED, Status.NO_SHOW):
            lines.append(text(lang, "notice_book_again"))
            rows.insert(0, [(label(lang, "btn_book_again"), BookAgain())])
        return Letter("\n".join(lines), keyboards.inline(rows))

    def _open_hours(self, workshop: Workshop, lang: Lang, zone: ZoneInfo) -> str:
        """Today's or tomorrow's hours when it opens on one of them, else the week's."""
        now = self._services.clock.now()
        return next_opening(lang, workshop.hours, now, zone) or opening_hours(lang, workshop.hours)


def estimate_buttons(lang: Lang, estimate_id: int) -> InlineKeyboardMarkup:
    return keyboards.inline(
        [
            [
                (label(lang, "btn_approve"), EstimateAnswer(estimate=estimate_id, approve="y")),
                (label(lang, "btn_decline"), EstimateAnswer(estimate=estimate_id, approve="n")),
            ]
        ]
    )


async def wake_postman(context: Context) -> None:
    """Send what the change just queued, before the handler that made it returns."""
    await context.postman.deliver_due()


async def on_wakeup(context: Context) -> None:
    """The one-off job armed for the next message due."""
    await context.postman.deliver_due()


async def on_tick(context: Context) -> None:
    """The repeating job: the morning digests, and anything the wake-up did not cover."""
    await tick(context.application)


async def tick(application: Application) -> None:
    """What the clock starts: due messages on every instance; digests and scheduled
    broadcasts on the leader only, so they are planned once however many instances run.

    Reminders need no planning here: they are queued, with their due times, by the update
    that books or changes a ticket, on whichever instance handles it.
    """
    leading = application.bot_data["leadership"].is_leader
    try:
        await application.bot_data["postman"].plan_and_deliver(plan=leading)
    finally:
        # A failing outbox (a full disk) must not also stop broadcasts from retrying theirs.
        await application.bot_data["broadcaster"].start_due()
