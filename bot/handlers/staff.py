"""Workshop staff (and head office) running their jobs: /today, /jobs, /find, /job, status
changes with the cause of a finished repair, /eta, /quote, /warranty and /walkin."""

from __future__ import annotations

import io
import logging
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import qrcode
from pydantic import BaseModel, ValidationError
from qrcode.image.pure import PyPNGImage
from telegram import InputMediaPhoto, InputMediaVideo, Update
from telegram.error import BadRequest

from bot.fault_notes import Attachment, MediaKind
from bot.handlers import keyboards
from bot.handlers.access import STAFF_OR_HEAD_OFFICE, requires
from bot.handlers.callbacks import (
    CausePick,
    GuardedKeep,
    GuardedMove,
    JobOpen,
    JobsPageTurn,
    QuoteDecision,
    ReasonPick,
    SetStatus,
)
from bot.handlers.common import not_understood
from bot.handlers.context import Context, lang_of
from bot.handlers.delivery import wake_postman
from bot.handlers.formatting import long_day, money, when
from bot.handlers.part_views import ticket_parts
from bot.handlers.replies import (
    acknowledge,
    answered,
    edit,
    pressed,
    retire_buttons,
    say,
    show,
    stale,
)
from bot.handlers.thread_views import thread_lines
from bot.handlers.ticket_views import (
    actor_names,
    category_title,
    history_line,
    reason_words,
    status_word,
    warranty_lines,
    workshop_title,
)
from bot.i18n import Lang, pick
from bot.messages import label, text
from bot.money import from_minor, split_amount
from bot.roles import Principal, Role
from bot.status_rules import (
    OPEN_STATUSES,
    CancelReason,
    needs_confirmation,
    needs_reason,
    next_statuses,
)
from bot.storage.estimates import EstimateRecord
from bot.storage.tickets import TicketRecord
from bot.ticket_desk import Moved, Outcome
from bot.ticket_search import search_terms
from bot.tickets import Status

log = logging.getLogger(__name__)

MAX_NOTE = 500


def args_of(context: Context) -> list[str]:
    return list(context.args or [])


async def usage(update: Update, context: Context, usage_text: str) -> None:
    await say(update, text(lang_of(update, context), "usage", usage=usage_text))


def parse_status(value: str) -> Status | None:
    try:
        return Status(value.lower())
    except ValueError:
        return None


def all_statuses() -> str:
    return ", ".join(status.value for status in Status)


# /today


@requires(Role.STAFF)
async def today(update: Update, context: Context, who: Principal) -> None:
    """The drop-offs expected today at the staff member's workshop, by time."""
    lang = lang_of(update, context)
    assert who.workshop_code is not None
    name = workshop_title(context.services, lang, who.workshop_code)
    tickets = await context.services.desk.today(who)
    if not tickets:
        await say(update, text(lang, "today_empty", workshop=name))
        return
    zone = context.services.network.zone(who.workshop_code)
    lines = [text(lang, "today_title", workshop=name)]
    for ticket in tickets:
        customer = await context.services.customers.name(ticket.customer_id or 0)
        assert ticket.slot_start is not None
        lines.append(
            text(
                lang,
                "today_line",
                time=f"{ticket.slot_start.astimezone(zone):%H:%M}",
                code=ticket.code,
                category=category_title(context.services, lang, ticket.category),
                customer=customer or label(lang, "walk_in_customer"),
                status=status_word(lang, ticket.status),
            )
        )
    await say(update, "\n".join(lines))


# /jobs


@requires(*STAFF_OR_HEAD_OFFICE)
async def jobs(update: Update, context: Context, who: Principal) -> None:
    """Open tickets, oldest first: `/jobs [status]`, head office also `/jobs <WORKSHOP_CODE>`."""
    lang = lang_of(update, context)
    scope, status = "-", "-"
    for arg in args_of(context):
        if parse_status(arg) is not None:
            status = arg.lower()
        elif who.is_head_office and arg.upper() in context.services.network.workshops:
            scope = arg.upper()
        else:
            codes = ", ".join(context.services.network.workshops)
            hint = text(lang, "unknown_status", status=arg, statuses=all_statuses())
            if who.is_head_office:
                hint += "\n" + text(lang, "unknown_workshop", code=arg, codes=codes)
            await say(update, hint)
            return
    body, markup = await jobs_page(
        context, lang, who, JobsPageTurn(scope=scope, status=status, page=0)
    )
    await say(update, body, markup)


async def jobs_page(
    context: Context, lang: Lang, who: Principal, turn: JobsPageTurn
) -> tuple[str, keyboards.InlineKeyboardMarkup]:
    """One page of the board: a button per ticket, then the status filter and paging."""
    workshop = None if turn.scope == "-" else turn.scope
    status = None if turn.status == "-" else Status(turn.status)
    page = await context.services.desk.jobs(who, workshop, status, turn.page)
    own = who.workshop_code if who.is_staff else workshop
    scope_name = workshop_title(context.services, lang, own) if own else label(lang, "jobs_all")
    if status is not None:
        scope_name += f" · {status_word(lang, status)}"
    rows = [open_row(lang, ticket) for ticket in page.tickets]
    rows.extend(status_filter(lang, turn))
    paging: keyboards.Row = []
    if page.page > 0:
        paging.append((label(lang, "btn_prev"), turn.model_copy(update={"page": page.page - 1})))
    if page.page + 1 < page.pages:
        paging.append((label(lang, "btn_next"), turn.model_copy(update={"page": page.page + 1})))
    if paging:
        rows.append(paging)
    if not page.tickets:
        return text(lang, "jobs_empty", scope=scope_name), keyboards.inline(rows)
    lines = [
        text(
            lang,
            "jobs_title",
            scope=scope_name,
            total=page.total,
            page=page.page + 1,
            pages=page.pages,
        )
    ]
    lines.extend(ticket_line(context, lang, ticket) for ticket in page.tickets)
    return "\n".join(lines), keyboards.inline(rows)


def ticket_line(context: Context, lang: Lang, ticket: TicketRecord) -> str:
    """A ticket on a list: code, status and since when, category, workshop."""
    zone = context.services.network.zone(ticket.workshop_code)
    return text(
        lang,
        "jobs_line",
        code=ticket.code,
        status=status_word(lang, ticket.status),
        category=category_title(context.services, lang, ticket.category),
        workshop=ticket.workshop_code,
        since=f"{ticket.status_since.astimezone(zone):%d.%m %H:%M}",
    )


def open_row(lang: Lang, ticket: TicketRecord) -> keyboards.Row:
    """A ticket as a button that opens its card."""
    name = label(lang, "jobs_button", code=ticket.code, status=status_word(lang, ticket.status))
    return [(name, JobOpen(code=ticket.code))]


def status_filter(lang: Lang, turn: JobsPageTurn) -> list[keyboards.Row]:
    """A button per open status and one for all of them; the chosen one is marked."""
    choices = [("-", label(lang, "jobs_every_status"))] + [
        (status.value, status_word(lang, status)) for status in OPEN_STATUSES
    ]
    buttons = [
        (
            f"• {name}" if value == turn.status else name,
            turn.model_copy(update={"status": value, "page": 0}),
        )
        for value, name in choices
    ]
    return keyboards.chunks(buttons, 3)


@requires(*STAFF_OR_HEAD_OFFICE)
async def jobs_turned(update: Update, context: Context, who: Principal) -> None:
    query = pressed(update)
    turn = JobsPageTurn.decode(query.data)
    if turn is None or (turn.status != "-" and parse_status(turn.status) is None):
        await acknowledge(query, text(lang_of(update, context), "stale_button"))
        return
    await acknowledge(query)
    body, markup = await jobs_page(context, lang_of(update, context), who, turn)
    await edit(query, body, markup)


# /job


@requires(*STAFF_OR_HEAD_OFFICE)
async def job(update: Update, context: Context, who: Principal) -> None:
    """The whole ticket: customer, fault, slot, status, estimate, history, next statuses."""
    args = args_of(context)
    if len(args) != 1:
        await usage(update, context, "/job SR-XXXXXX")
        return
    lang = lang_of(update, context)
    ticket = await context.services.desk.find(who, args[0])
    if ticket is None:
        await say(update, text(lang, "ticket_unknown", code=args[0][:20]))
        return
    await send_card(update, context, lang, ticket)


@requires(*STAFF_OR_HEAD_OFFICE)
async def job_opened(update: Update, context: Context, who: Principal) -> None:
    """A ticket's button on /jobs or /find: its card below the list, which stays."""
    query = pressed(update)
    payload = JobOpen.decode(query.data)
    lang = lang_of(update, context)
    ticket = await context.services.desk.find(who, payload.code) if payload else None
    if ticket is None:
        await acknowledge(query, text(lang, "stale_button"))
        return
    await acknowledge(query)
    await send_card(update, context, lang, ticket)


async def send_card(update: Update, context: Context, lang: Lang, ticket: TicketRecord) -> None:
    await say(update, await ticket_card(context, lang, ticket), status_buttons(lang, ticket))
    await show_attachments(update, context, lang, ticket)


# /find


@requires(*STAFF_OR_HEAD_OFFICE)
async def find(update: Update, context: Context, who: Principal) -> None:
    """`/find <code, phone, name or words>`: up to ten tickets, each a button to its card."""
    lang = lang_of(update, context)
    typed = " ".join(args_of(context))
    terms = search_terms(typed, context.services.settings.default_region)
    if terms is None:
        await usage(update, context, label(lang, "find_usage"))
        return
    found = await context.services.desk.search(who, terms)
    if not found:
        await say(update, text(lang, "find_none", query=typed[:50]))
        return
    lines = [text(lang, "find_title", query=typed[:50], count=len(found))]
    lines.extend(ticket_line(context, lang, ticket) for ticket in found)
    await say(update, "\n".join(lines), keyboards.inline([open_row(lang, t) for t in found]))


async def show_attachments(
    update: Update, context: Context, lang: Lang, ticket: TicketRecord
) -> None:
    """The customer's photos and video by their Telegram ids: one album, or one alone."""
    attachments = await context.services.desk.attachments(ticket)
    chat = update.effective_chat
    if not attachments or chat is None:
        return
    caption = label(lang, "attachments_caption", code=ticket.code)
    only = attachments[0]
    try:
        if len(attachments) > 1:
            await chat.send_media_group(
                [
                    album_item(item, caption if number == 0 else None)
                    for number, item in enumerate(attachments)
                ]
            )
        elif only.kind is MediaKind.PHOTO:
            await chat.send_photo(only.file_id, caption=caption)
        else:
            await chat.send_video(only.file_id, caption=caption)
    except BadRequest as error:
        # The card is shown already; say what is missing rather than "something went wrong".
        log.warning("Attachments of %s could not be shown: %s", ticket.code, error.message)
        await say(update, text(lang, "attachments_unavailable", count=len(attachments)))


def album_item(attachment: Attachment, caption: str | None) -> InputMediaPhoto | InputMediaVideo:
    kind = InputMediaPhoto if attachment.kind is MediaKind.PHOTO else InputMediaVideo
    return kind(attachment.file_id, caption=caption)


def status_buttons(lang: Lang, ticket: TicketRecord) -> keyboards.InlineKeyboardMarkup | None:
    allowed = next_statuses(Status(ticket.status))
    if not allowed:
        return None
    buttons = [
        (
            label(lang, "btn_set_status", status=status_word(lang, status)),
            SetStatus(code=ticket.code, status=status.value),
        )
        for status in allowed
    ]
    return keyboards.inline(keyboards.chunks(buttons, 2))


async def ticket_card(context: Context, lang: Lang, ticket: TicketRecord) -> str:
    services = context.services
    none = label(lang, "unknown_value")
    zone = services.network.zone(ticket.workshop_code)
    customer = (
        await services.customers.name(ticket.customer_id)
        if ticket.customer_id is not None
        else None
    )
    phone = ticket.phone or (
        await services.customers.phone(ticket.customer_id)
        if ticket.customer_id is not None
        else None
    )
    estimate = await services.desk.latest_estimate(ticket)
    card = text(
        lang,
        "ticket_card",
        code=ticket.code,
        status=status_word(lang, ticket.status),
        workshop=workshop_title(context.services, lang, ticket.workshop_code),
        category=category_title(context.services, lang, ticket.category),
        customer=customer or label(lang, "walk_in_customer"),
        phone=phone or label(lang, "not_shared"),
        dropoff=when(lang, ticket.slot_start, zone) if ticket.slot_start else none,
        eta=long_day(lang, ticket.eta) if ticket.eta else none,
        estimate=text(
            lang,
            "estimate_value",
            amount=money(lang, from_minor(estimate.amount_minor), estimate.currency),
            answer=text(lang, f"answer_{estimate.answer}"),
        )
        if estimate
        else none,
    )
    sections = ["\n".join([card, *await warranty_lines(services, lang, ticket)])]
    fault = await fault_lines(context, lang, ticket)
    if fault:
        sections.append("\n".join([text(lang, "fault_title"), *fault]))
    if parts := await ticket_parts(services, lang, ticket):
        sections.append("\n".join(parts))
    events = await services.desk.history(ticket)
    names = await actor_names(services, events)
    history = [history_line(lang, event, zone, names) for event in events]
    sections.append("\n".join([text(lang, "history_title"), *history]))
    if thread := await thread_lines(services, lang, ticket, zone):
        sections.append("\n".join(thread))
    return "\n\n".join(sections)


async def fault_lines(context: Context, lang: Lang, ticket: TicketRecord) -> list[str]:
    """How the customer described the fault: their answers and the fixes they tried."""
    lines: list[str] = []
    if ticket.description:
        lines.append(text(lang, "fault_answer", question="📝", answer=ticket.description))
    if ticket.case_id is None:
        return lines
    tree = context.services.tree
    for step in await context.services.reports.path(ticket.case_id):
        node = tree.node(step.get("node") or step.get("fix") or "")
        if node is None:
            continue
        if "fix" in step and node.fix is not None:
            outcome = label(lang, "fix_helped" if step.get("helped") == "y" else "fix_did_not_help")
            fix = pick(node.fix, lang)
            lines.append(
                text(
                    lang,
                    "fault_fix",
                    fix=fix if len(fix) <= 80 else fix[:79] + "…",
                    outcome=outcome,
                )
            )
        elif node.text is not None:
            answer = next(
                (
                    pick(o.label, lang)
                    for o in node.options
                    if pick(o.label, Lang.EN) == step.get("answer")
                ),
                step.get("answer", ""),
            )
            lines.append(text(lang, "fault_answer", question=pick(node.text, lang), answer=answer))
    return lines


# Status changes

REASON_WANTED_KEY = "reason_wanted"
"""In a staff member's user data: the ticket whose cancellation waits for a typed reason."""
REASON_GIVEN_KEY = "reason_given"
"""In a staff member's user data: a typed reason waiting for its confirmation."""
REASON_VALID = timedelta(hours=1)
"""After this, a message is no longer taken as the reason the bot asked for."""


Remembered = TypeVar("Remembered", bound=BaseModel)


class ReasonWanted(BaseModel):
    code: str
    since: datetime


class ReasonGiven(BaseModel):
    code: str
    note: str


def remembered(context: Context, key: str, model: type[Remembered]) -> Remembered | None:
    raw = context.user_data.get(key) if context.user_data is not None else None
    try:
        return model.model_validate(raw) if raw else None
    except ValidationError:
        return None


def remember(context: Context, key: str, value: BaseModel | None) -> None:
    """Keep `value` in the persisted user data, so a restart in between loses nothing."""
    if context.user_data is None:
        return
    if value is None:
        context.user_data.pop(key, None)
    else:
        context.user_data[key] = value.model_dump(mode="json")


@requires(*STAFF_OR_HEAD_OFFICE)
async def set_status(update: Update, context: Context, who: Principal) -> None:
    """`/setstatus <ticket> <status> [note...]`; a cancellation or a missed drop-off is
    confirmed first."""
    args = args_of(context)
    lang = lang_of(update, context)
    if len(args) < 2:
        await usage(update, context, f"/setstatus SR-XXXXXX <status> [note]\n{all_statuses()}")
        return
    target = parse_status(args[1])
    if target is None:
        await say(
            update, text(lang, "unknown_status", status=args[1][:20], statuses=all_statuses())
        )
        return
    note = " ".join(args[2:])[:MAX_NOTE] or None
    if needs_confirmation(target):
        await guard(update, context, who, args[0], target, note)
        return
    moved = await context.services.desk.move(who, args[0], target, note, update.update_id)
    await say_moved(update, context, moved, args[0], target)
    await wake_postman(context)


@requires(*STAFF_OR_HEAD_OFFICE)
async def status_pressed(update: Update, context: Context, who: Principal) -> None:
    """A status button under /job: the same checks as /setstatus."""
    query = pressed(update)
    payload = SetStatus.decode(query.data)
    lang = lang_of(update, context)
    target = parse_status(payload.status) if payload else None
    if payload is None or target is None:
        await acknowledge(query, text(lang, "stale_button"))
        return
    if needs_confirmation(target):
        await guard(update, context, who, payload.code, target, None)
        return
    moved = await context.services.desk.move(who, payload.code, target, None, update.update_id)
    if moved.outcome is Outcome.NOT_FOUND:
        await acknowledge(query, text(lang, "ticket_unknown", code=payload.code), show_alert=True)
        return
    await acknowledge(query)
    if moved.ticket is not None and moved.outcome is Outcome.DONE:
        await show(
            update,
            await ticket_card(context, lang, moved.ticket),
            status_buttons(lang, moved.ticket),
        )
    await say_moved(update, context, moved, payload.code, target)
    await wake_postman(context)


async def say_moved(
    update: Update, context: Context, moved: Moved, code: str, target: Status
) -> None:
    """How the move went; a repair just finished also asks staff why the product broke."""
    lang = lang_of(update, context)
    answer = moved_text(lang, moved, code, target)
    if target is not Status.READY or moved.outcome is not Outcome.DONE or moved.ticket is None:
        await say(update, answer)
        return
    cause = (await context.services.desk.warranty(moved.ticket)).cause
    await say(
        update,
        f"{answer}\n\n{text(lang, 'cause_ask', code=moved.ticket.code)}",
        keyboards.causes(lang, moved.ticket.code, cause),
    )


@requires(*STAFF_OR_HEAD_OFFICE)
async def cause_pressed(update: Update, context: Context, who: Principal) -> None:
    """A cause button: recorded (or changed) until pickup; the buttons stay for a change."""
    query = pressed(update)
    payload = CausePick.decode(query.data)
    desk = context.services.desk
    moved = (
        await desk.record_cause(who, payload.code, payload.cause, update.update_id)
        if payload
        else None
    )
    if payload is None or moved is None or moved.outcome is not Outcome.DONE:
        await stale(update, context)
        await retire_buttons(update)
        return
    await acknowledge(query)
    lang = lang_of(update, context)
    await edit(
        query,
        text(
            lang, "cause_recorded", code=payload.code, cause=label(lang, f"cause_{payload.cause}")
        ),
        keyboards.causes(lang, payload.code, payload.cause),
    )


async def guard(
    update: Update,
    context: Context,
    who: Principal,
    code: str,
    target: Status,
    note: str | None,
) -> None:
    """Ask for a reason (a cancellation without one) or a confirmation before a move that
    ends a customer's repair; nothing changes yet."""
    lang = lang_of(update, context)
    checked = await context.services.desk.check_move(who, code, target)
    query = update.callback_query
    if checked.outcome is not Outcome.ALLOWED or checked.ticket is None:
        if query is not None and checked.outcome is Outcome.NOT_FOUND:
            await acknowledge(query, text(lang, "ticket_unknown", code=code), show_alert=True)
            return
        await answered(update)
        await say(update, moved_text(lang, checked, code, target))
        return
    await answered(update)
    ticket = checked.ticket
    if needs_reason(target) and note is None:
        question = text(lang, "cancel_why", code=ticket.code)
        await say(update, question, keyboards.cancel_reasons(lang, ticket.code))
        return
    reason = None
    if note is not None:
        remember(context, REASON_GIVEN_KEY, ReasonGiven(code=ticket.code, note=note))
        reason = CancelReason.OTHER
    await say(
        update,
        confirmation(lang, ticket.code, target, note),
        keyboards.confirm_move(lang, ticket.code, target, reason),
    )


def confirmation(lang: Lang, code: str, target: Status, reason: str | None) -> str:
    if target is Status.CANCELLED:
        return text(lang, "cancel_confirm", code=code, reason=reason_words(lang, reason or ""))
    return text(lang, "no_show_confirm", code=code)


@requires(*STAFF_OR_HEAD_OFFICE)
async def reason_pressed(update: Update, context: Context, who: Principal) -> None:
    """A cancellation reason: the confirmation, or for `Other` a wait for the typed one."""
    query = pressed(update)
    payload = ReasonPick.decode(query.data)
    checked = (
        await context.services.desk.check_move(who, payload.code, Status.CANCELLED)
        if payload
        else None
    )
    if payload is None or checked is None or checked.outcome is not Outcome.ALLOWED:
        await stale(update, context)
        await retire_buttons(update)
        return
    await acknowledge(query)
    lang = lang_of(update, context)
    if payload.reason is CancelReason.OTHER:
        wanted = ReasonWanted(code=payload.code, since=context.services.clock.now())
        remember(context, REASON_WANTED_KEY, wanted)
        await edit(
            query,
            text(lang, "cancel_type_reason", code=payload.code),
            keyboards.inline([keyboards.keep_ticket(lang, payload.code)]),
        )
        return
    await edit(
        query,
        confirmation(lang, payload.code, Status.CANCELLED, payload.reason.value),
        keyboards.confirm_move(lang, payload.code, Status.CANCELLED, payload.reason),
    )


async def reason_typed(update: Update, context: Context) -> None:
    """The reason the bot asked for after `Other`: shown back for confirmation."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    lang = lang_of(update, context)
    wanted = remembered(context, REASON_WANTED_KEY, ReasonWanted)
    who = await context.services.access.who(user.id)
    now = context.services.clock.now()
    if wanted is None or now - wanted.since > REASON_VALID or who.role not in STAFF_OR_HEAD_OFFICE:
        remember(context, REASON_WANTED_KEY, None)
        await not_understood(update, context)
        return
    if not message.text:
        await say(update, text(lang, "reason_text_only"))
        return
    remember(context, REASON_WANTED_KEY, None)
    note = message.text.strip()[:MAX_NOTE]
    await guard(update, context, who, wanted.code, Status.CANCELLED, note)


async def forget_reason_on_new_action(update: Update, context: Context) -> None:
    """A command or a button starts something else: stop waiting for a typed reason, so
    no later message is taken as one."""
    if remembered(context, REASON_WANTED_KEY, ReasonWanted) is None:
        return
    message = update.message
    if update.callback_query is not None or (
        message is not None and message.text and message.text.startswith("/")
    ):
        remember(context, REASON_WANTED_KEY, None)


@requires(*STAFF_OR_HEAD_OFFICE)
async def guarded_confirmed(update: Update, context: Context, who: Principal) -> None:
    """`Yes, cancel it` / `Yes, it was missed`: the move happens, the customer is told."""
    query = pressed(update)
    payload = GuardedMove.decode(query.data)
    lang = lang_of(update, context)
    if payload is None:
        await stale(update, context)
        return
    note: str | None = None
    if payload.reason == CancelReason.OTHER:
        given = remembered(context, REASON_GIVEN_KEY, ReasonGiven)
        if given is None or given.code != payload.code:
            await stale(update, context)
            await retire_buttons(update)
            return
        note = given.note
    elif isinstance(payload.reason, CancelReason):
        note = payload.reason.value
    target = Status(payload.status)
    moved = await context.services.desk.move(who, payload.code, target, note, update.update_id)
    if moved.outcome is not Outcome.DONE or moved.ticket is None:
        await stale(update, context)
        await retire_buttons(update)
        return
    # A typed reason stays until the next one: this press handled again after a crash
    # finds it and answers as before, while the ticket, closed now, takes no second move.
    await acknowledge(query)
    await edit(query, moved_text(lang, moved, payload.code, target))
    await wake_postman(context)


@requires(*STAFF_OR_HEAD_OFFICE)
async def guarded_kept(update: Update, context: Context, who: Principal) -> None:
    """`Keep the ticket`: nothing changes and the customer hears nothing."""
    query = pressed(update)
    payload = GuardedKeep.decode(query.data)
    ticket = await context.services.desk.find(who, payload.code) if payload else None
    if ticket is None:
        await stale(update, context)
        return
    waits = ((REASON_WANTED_KEY, ReasonWanted), (REASON_GIVEN_KEY, ReasonGiven))
    for key, model in waits:
        pending = remembered(context, key, model)
        if pending is not None and pending.code == ticket.code:
            remember(context, key, None)
    await acknowledge(query)
    lang = lang_of(update, context)
    await edit(
        query, text(lang, "move_kept", code=ticket.code, status=status_word(lang, ticket.status))
    )


def moved_text(lang: Lang, moved: Moved, code: str, target: Status) -> str:
    if moved.outcome is Outcome.NOT_FOUND or moved.ticket is None:
        return text(lang, "ticket_unknown", code=code[:20])
    if moved.outcome is Outcome.FORBIDDEN_MOVE:
        allowed = ", ".join(s.value for s in moved.allowed) or label(lang, "nothing_allowed")
        return text(
            lang,
            "move_forbidden",
            code=moved.ticket.code,
            current=moved.ticket.status,
            target=target.value,
            allowed=allowed,
        )
    return text(lang, "status_changed", code=moved.ticket.code, status=status_word(lang, target))


# /eta and /quote


@requires(*STAFF_OR_HEAD_OFFICE)
async def eta(update: Update, context: Context, who: Principal) -> None:
    """`/eta <ticket> <YYYY-MM-DD>`: the expected completion date."""
    args = args_of(context)
    lang = lang_of(update, context)
    if len(args) != 2:
        await usage(update, context, "/eta SR-XXXXXX YYYY-MM-DD")
        return
    try:
        # fromisoformat also reads "20261201" and week dates; the command says YYYY-MM-DD.
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", args[1]):
            raise ValueError(args[1])
        day = date.fromisoformat(args[1])
    except ValueError:
        await say(update, text(lang, "bad_eta"))
        return
    moved = await context.services.desk.set_eta(who, args[0], day, update.update_id)
    if moved.outcome is Outcome.DONE and moved.ticket is not None:
        await say(update, text(lang, "eta_set", code=moved.ticket.code, eta=long_day(lang, day)))
        await wake_postman(context)
    else:
        await say(update, outcome_text(lang, moved, args[0]))


QUOTE_KEY = "quote_draft"
"""In a staff member's user data: the estimate shown in the latest /quote preview."""


class QuoteDraft(BaseModel):
    """An estimate previewed; `draft` is the /quote update, named by its buttons. `sent_by` is
    the Send press that sent it: that press handled again after a crash answers as before,
    any other is stale."""

    draft: int
    code: str
    amount: Decimal
    comment: str | None
    covered: bool = False
    """A confirmed warranty repair: free of charge, whatever amount was typed."""
    sent_by: int | None = None


@requires(*STAFF_OR_HEAD_OFFICE)
async def quote(update: Update, context: Context, who: Principal) -> None:
    """`/quote <ticket> <amount> [comment]`: a preview; the customer sees the estimate on Send."""
    args = args_of(context)
    lang = lang_of(update, context)
    if len(args) < 2:
        await usage(update, context, "/quote SR-XXXXXX 12 500,50 [comment]")
        return
    desk = context.services.desk
    typed = " ".join(args[1:])
    quoted = split_amount(typed, desk.currency)
    if quoted is None:
        await say(update, text(lang, "bad_amount", amount=typed[:30]))
        return
    checked = await desk.check_quote(who, args[0])
    if checked.outcome is not Outcome.ALLOWED or checked.ticket is None:
        await say(update, outcome_text(lang, checked, args[0]))
        return
    covered = (await desk.warranty(checked.ticket)).confirmed is True
    draft = QuoteDraft(
        draft=update.update_id,
        code=checked.ticket.code,
        amount=quoted.amount,
        comment=quoted.rest[:MAX_NOTE] or None,
        covered=covered,
    )
    remember(context, QUOTE_KEY, draft)
    open_estimate = await desk.latest_estimate(checked.ticket)
    if open_estimate is not None and open_estimate.answer != "pending":
        open_estimate = None
    preview = quote_preview(lang, draft, desk.currency, open_estimate)
    await say(update, preview, keyboards.quote_preview(lang, draft.draft))


def quote_preview(
    lang: Lang, draft: QuoteDraft, currency: str, replaced: EstimateRecord | None
) -> str:
    """The estimate as the customer will get it, and the open one it will replace."""
    amount = money(lang, draft.amount, currency)
    lines = [
        text(lang, "quote_preview_warranty", code=draft.code)
        if draft.covered
        else text(lang, "quote_preview", code=draft.code, amount=amount)
    ]
    if draft.comment:
        lines.append(text(lang, "quote_preview_comment", comment=draft.comment))
    if replaced is not None:
        old = money(lang, from_minor(replaced.amount_minor), replaced.currency)
        lines.append(text(lang, "quote_preview_replaces", amount=old))
    lines.append(text(lang, "quote_preview_ask"))
    return "\n".join(lines)


@requires(*STAFF_OR_HEAD_OFFICE)
async def quote_decided(update: Update, context: Context, who: Principal) -> None:
    """`Send` or `Cancel` under the latest /quote preview; an older preview's are stale."""
    query = pressed(update)
    payload = QuoteDecision.decode(query.data)
    draft = remembered(context, QUOTE_KEY, QuoteDraft)
    if (
        payload is None
        or draft is None
        or draft.draft != payload.draft
        or draft.sent_by not in (None, update.update_id)
    ):
        await stale(update, context)
        await retire_buttons(update)
        return
    lang = lang_of(update, context)
    desk = context.services.desk
    if payload.send == "n":
        remember(context, QUOTE_KEY, None)
        await acknowledge(query)
        await edit(query, text(lang, "quote_dropped", code=draft.code))
        return
    moved = await desk.quote(who, draft.code, draft.amount, draft.comment, update.update_id)
    remember(context, QUOTE_KEY, draft.model_copy(update={"sent_by": update.update_id}))
    await acknowledge(query)
    if moved.outcome is Outcome.DONE and moved.ticket is not None:
        amount = money(lang, draft.amount, desk.currency)
        sent = (
            text(lang, "quote_sent_warranty", code=moved.ticket.code)
            if draft.covered
            else text(lang, "quote_sent", code=moved.ticket.code, amount=amount)
        )
        await edit(query, sent)
        await wake_postman(context)
    else:
        await edit(query, outcome_text(lang, moved, draft.code))


def outcome_text(lang: Lang, moved: Moved, code: str) -> str:
    if moved.outcome is Outcome.BAD_DATE:
        return text(lang, "bad_eta")
    if moved.outcome is Outcome.CLOSED and moved.ticket is not None:
        return text(
            lang,
            "ticket_closed",
            code=moved.ticket.code,
            status=status_word(lang, moved.ticket.status),
        )
    return text(lang, "ticket_unknown", code=code[:20])


# /warranty


WARRANTY_ANSWERS = {"yes": True, "да": True, "no": False, "нет": False}


@requires(*STAFF_OR_HEAD_OFFICE)
async def warranty(update: Update, context: Context, who: Principal) -> None:
    """`/warranty <ticket> yes|no [reason]`: staff's word after the receipt or the serial."""
    args = args_of(context)
    lang = lang_of(update, context)
    if len(args) < 2:
        await usage(update, context, f"/warranty {label(lang, 'args_warranty')}")
        return
    covered = WARRANTY_ANSWERS.get(args[1].lower())
    if covered is None:
        await say(update, text(lang, "warranty_not_yes_no", answer=args[1][:20]))
        return
    reason = " ".join(args[2:])[:MAX_NOTE] or None
    moved = await context.services.desk.confirm_warranty(
        who, args[0], covered, reason, update.update_id
    )
    if moved.outcome is Outcome.DONE and moved.ticket is not None:
        key = "warranty_set_yes" if covered else "warranty_set_no"
        await say(update, text(lang, key, code=moved.ticket.code))
        await wake_postman(context)
    else:
        await say(update, outcome_text(lang, moved, args[0]))


# /walkin


@requires(Role.STAFF)
async def walk_in(update: Update, context: Context, who: Principal) -> None:
    """`/walkin <category_id> [description...]`: a received ticket with a claim link and QR."""
    args = args_of(context)
    lang = lang_of(update, context)
    assert who.workshop_code is not None
    served = context.services.network.workshops[who.workshop_code].categories
    categories = ", ".join(served)
    if not args:
        await usage(update, context, f"/walkin <category> [description]\n{categories}")
        return
    category = context.services.tree.category(args[0].lower())
    if category is None or category.id not in served:
        await say(
            update, text(lang, "unknown_category", category=args[0][:30], categories=categories)
        )
        return
    description = " ".join(args[1:])[:MAX_NOTE] or None
    created = await context.services.desk.walk_in(
        who, category.id, description, update.update_id
    )
    link = f"https://t.me/{context.bot.username}?start={created.claim_token}"
    await say(
        update,
        text(
            lang,
            "walk_in_created",
            code=created.ticket.code,
            category=pick(category.title, lang),
            link=link,
        ),
    )
    image = io.BytesIO()
    qrcode.make(link, image_factory=PyPNGImage).save(image)
    if update.effective_chat is not None:
        await update.effective_chat.send_photo(
            image.getvalue(),
            caption=label(lang, "walk_in_qr_caption", code=created.ticket.code),
        )
