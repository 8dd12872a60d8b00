"""How questions and answers read: the messages the postman delivers, /questions and /job.

The customer is shown by first name only, and whoever answers by their workshop's name or
"Head office": the bot is the channel, nobody's Telegram id or username travels.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.handlers import keyboards
from bot.handlers.callbacks import HandOver, ThreadReply
from bot.i18n import Lang
from bot.messages import label, text
from bot.notifications import Kind
from bot.questions import still_late
from bot.services import Services
from bot.storage.outbox import OutboxRecord
from bot.storage.questions import MessageRecord, ThreadRecord
from bot.storage.tickets import TicketRecord

THREAD_KINDS = frozenset({Kind.QUESTION, Kind.ANSWER, Kind.QUESTION_LATE})
PREVIEW = 200
"""Characters of a question shown in a list."""


@dataclass(frozen=True)
class ThreadLetter:
    body: str
    markup: InlineKeyboardMarkup
    photo: str | None
    thread: int


def age(lang: Lang, waited: timedelta) -> str:
    minutes = max(0, int(waited.total_seconds() // 60))
    if minutes < 60:
        return text(lang, "age_minutes", minutes=minutes)
    if minutes < 24 * 60:
        return text(lang, "age_hours", hours=minutes // 60, minutes=minutes % 60)
    return text(lang, "age_days", days=minutes // (24 * 60), hours=minutes // 60 % 24)


def content(message: MessageRecord, limit: int | None = None) -> str:
    """The words of a message, with 📷 for its photo; shortened to `limit` in lists."""
    body = message.body
    if limit is not None and len(body) > limit:
        body = body[:limit] + "…"
    return " ".join(part for part in ("📷" if message.photo else "", body) if part)


def answerer_title(services: Services, lang: Lang, workshop_code: str | None) -> str:
    workshop = services.network.get(workshop_code) if workshop_code else None
    return workshop.title(lang) if workshop else label(lang, "head_office")


async def _ticket(services: Services, thread: ThreadRecord) -> TicketRecord | None:
    return await services.storage.tickets.by_id(thread.ticket_id) if thread.ticket_id else None


async def question_heading(services: Services, lang: Lang, thread: ThreadRecord) -> str:
    """Who asks (first name) and about what."""
    name = await services.customers.first_name(thread.customer_id) or "—"
    ticket = await _ticket(services, thread)
    if ticket is None:
        return text(lang, "question_general", name=name)
    return text(
        lang,
        "question_about",
        name=name,
        code=ticket.code,
        workshop=answerer_title(services, lang, ticket.workshop_code),
    )


def reply_button(lang: Lang, thread: ThreadRecord, hand_over: bool = False) -> InlineKeyboardMarkup:
    row: keyboards.Row = [(label(lang, "btn_reply"), ThreadReply(thread=thread.id))]
    if hand_over and thread.ticket_id is not None:
        row.append((label(lang, "btn_hand_over"), HandOver(thread=thread.id)))
    return keyboards.inline([row])


async def thread_letter(
    services: Services, record: OutboxRecord, lang: Lang
) -> ThreadLetter | None:
    """A question to its answerers, an escalation to head office, or an answer to the
    customer; None once there is nothing to say (an escalation that was answered meanwhile)."""
    thread = await services.questions.thread(int(record.params["thread"]))
    message = await services.questions.message(int(record.params["message"]))
    if thread is None or message is None:
        return None
    if record.kind == Kind.ANSWER:
        who = answerer_title(services, lang, message.workshop_code)
        body = text(lang, "answer_to_customer", who=who, body=message.body)
        return ThreadLetter(body.rstrip(), reply_button(lang, thread), message.photo, thread.id)
    heading = await question_heading(services, lang, thread)
    lines = [heading, html.escape(message.body, quote=False)]
    if record.kind == Kind.QUESTION_LATE:
        if not still_late(thread, str(record.params["since"])):
            return None
        late = text(
            lang,
            "question_late",
            workshop=answerer_title(services, lang, thread.workshop_code),
            minutes=services.settings.question_sla_minutes,
        )
        lines.insert(0, late)
    markup = reply_button(lang, thread, hand_over=record.kind == Kind.QUESTION_LATE)
    return ThreadLetter("\n".join(lines).rstrip(), markup, message.photo, thread.id)


async def open_questions(
    services: Services, lang: Lang, now: datetime, shown: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Head office's /questions: unanswered ones, oldest first, with age and workshop."""
    waiting = await services.questions.waiting()
    if not waiting:
        return text(lang, "questions_empty"), None
    lines = [text(lang, "questions_title")]
    rows: list[keyboards.Row] = []
    for number, thread in enumerate(waiting[:shown], start=1):
        question = await services.questions.last_question(thread.id)
        ticket = await _ticket(services, thread)
        assert thread.waiting_since is not None
        lines.append(
            text(
                lang,
                "questions_line",
                number=number,
                code=ticket.code if ticket else "—",
                workshop=answerer_title(services, lang, thread.workshop_code),
                age=age(lang, now - thread.waiting_since),
                name=await services.customers.first_name(thread.customer_id) or "—",
                body=content(question, PREVIEW) if question else "",
            )
        )
        row: keyboards.Row = [
            (label(lang, "btn_answer_n", n=number), ThreadReply(thread=thread.id))
        ]
        if ticket is not None:
            row.append((label(lang, "btn_hand_over_n", n=number), HandOver(thread=thread.id)))
        rows.append(row)
    if len(waiting) > shown:
        lines.append(text(lang, "questions_more", count=len(waiting) - shown))
    return "\n\n".join(lines), keyboards.inline(rows)


async def thread_lines(
    services: Services, lang: Lang, ticket: TicketRecord, zone: ZoneInfo
) -> list[str]:
    """The ticket's questions and answers for /job: when, who (first name or workshop), what."""
    messages = await services.questions.of_ticket(ticket)
    if not messages:
        return []
    name = await services.customers.first_name(ticket.customer_id or 0) or "—"
    lines = [text(lang, "thread_title")]
    for message in messages:
        who = (
            name
            if message.author_role == "customer"
            else answerer_title(services, lang, message.workshop_code)
        )
        lines.append(
            text(
                lang,
                "thread_line",
                when=f"{message.at.astimezone(zone):%d.%m %H:%M}",
                who=who,
                body=content(message),
            )
        )
    return lines


async def digest_questions(
    services: Services, lang: Lang, workshop_code: str | None, now: datetime
) -> list[str]:
    """The morning digest's line on unanswered questions: all for head office, a
    workshop's own for its staff."""
    waiting = await services.questions.waiting(workshop_code)
    if not waiting:
        return []
    oldest = waiting[0].waiting_since
    assert oldest is not None
    key = "digest_questions_workshop" if workshop_code else "digest_questions"
    return [text(lang, key, count=len(waiting), age=age(lang, now - oldest))]
