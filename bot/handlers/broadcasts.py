"""Head-office broadcasts: preview and confirm, schedule, list, cancel, and the sender.

The sender works through the recipients recorded in the database with a few workers in
the bulk lane of the rate limiter, so replies to customers go first. Each delivery is
marked as soon as Telegram accepted it; after a crash only the pending ones are sent.
When that mark cannot be written (a full disk), the recipient is kept in memory, the
broadcast pauses, and every tick tries the mark again; once it is written the broadcast goes
on, so nobody gets a second copy while the bot runs.

Broadcasts are sent by the leader only (`bot.runtime.leadership`): with several instances, one
rate limiter paces them all. A broadcast confirmed on another instance is stored as running,
and the leader takes it up at its next tick; when the leader stops leading, its workers stop
after the message each is sending, and the new leader goes on with the pending recipients.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, ValidationError
from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.broadcasts import MAX_BODY, Draft, Segment, Texts, missing, split_texts
from bot.handlers import keyboards
from bot.handlers.access import requires
from bot.handlers.arguments import local_time, whole_number
from bot.handlers.callbacks import BroadcastDecision, RowId
from bot.handlers.context import Context, lang_of
from bot.handlers.replies import acknowledge, edit, pressed, say, stale
from bot.i18n import Lang, pick, preferred
from bot.message_length import split_message, utf16_len
from bot.messages import label, text
from bot.roles import Principal, Role
from bot.runtime.rate_limit import BROADCAST
from bot.services import Services
from bot.storage.broadcasts import Broadcasts, Recipient

log = logging.getLogger(__name__)

WORKERS = 4
"""Sends in flight at once: enough to keep up the pace over a slow network; also the most
recipients a crash (not a clean stop) can leave with a second copy."""
STOP_GRACE = 10.0
BATCH = 500
MAX_ATTEMPTS = 3
PROGRESS_EVERY = 3.0
"""Seconds between edits of the progress message: often enough to watch, rare enough to
stay far from Telegram's limits."""


class BroadcastRunner:
    def __init__(self, bot: Bot, services: Services, leading: Callable[[], bool]) -> None:
        """``leading`` tells whether this instance is the leader, the one that sends."""
        self._bot = bot
        self._services = services
        self._leading = leading
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._stopping = False
        self._cancelled: set[int] = set()
        self._unrecorded: dict[tuple[int, int], datetime] = {}
        """(broadcast, chat) Telegram took but the database has not marked sent, with when."""
        self._paused: set[int] = set()
        """Broadcasts that stopped sending until those marks are written."""

    @property
    def exclude(self) -> set[int]:
        """Head office from the configuration; staff and admins are excluded in SQL."""
        return set(self._services.settings.head_office_ids)

    def cancelled(self, broadcast_id: int) -> None:
        """Stop sending at once; the database already says cancelled."""
        self._cancelled.add(broadcast_id)

    def start(self, broadcast_id: int) -> None:
        """Send a running broadcast from here, if this instance leads; else the leader will."""
        if not self._leading():
            return
        task = self._tasks.get(broadcast_id)
        if task is None or task.done():
            self._tasks[broadcast_id] = asyncio.create_task(
                self._run(broadcast_id), name=f"broadcast:{broadcast_id}"
            )

    async def resume(self) -> None:
        """Broadcasts that are running and not sent from here go on: at start-up those the
        bot was sending when it stopped, and on a leader those another instance left."""
        if not self._leading():
            return
        for record in await self._services.broadcasts.running():
            self.start(record.id)

    async def leadership_changed(self, leading: bool) -> None:
        """A new leader takes up the running broadcasts; one that stops leading lets its
        workers end by themselves after their current message."""
        if leading:
            await self.resume()

    async def start_due(self) -> None:
        """The tick: first the marks the database refused, then, on the leader, scheduled
        broadcasts and those confirmed on another instance."""
        if not await self._record_unrecorded() or not self._leading():
            return
        for broadcast_id in await self._services.broadcasts.start_due(self.exclude):
            self.start(broadcast_id)
        await self.resume()

    async def wait(self, broadcast_id: int) -> None:
        task = self._tasks.get(broadcast_id)
        if task is not None:
            await task

    async def stop(self) -> None:
        """Let each worker finish the message it is sending, then stop; the rest resumes later.

        Cancelling a send in flight could leave a delivered message unmarked, and the
        recipient would get it twice after the restart.
        """
        self._stopping = True
        tasks = [task for task in self._tasks.values() if not task.done()]
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _record_unrecorded(self) -> bool:
        """Write the refused marks again; resume the broadcasts they paused once all are in."""
        store = self._services.storage.broadcasts
        for (broadcast_id, chat_id), sent_at in list(self._unrecorded.items()):
            try:
                await store.mark(broadcast_id, chat_id, "sent", sent_at)
            except Exception:
                log.debug("Broadcast %s to %s still cannot be marked sent", broadcast_id, chat_id)
                return False
            del self._unrecorded[broadcast_id, chat_id]
            log.warning("Broadcast %s to %s is recorded as sent at last", broadcast_id, chat_id)
        for broadcast_id in self._paused:
            self.start(broadcast_id)
        self._paused.clear()
        return True

    async def _run(self, broadcast_id: int) -> None:
        desk = self._services.broadcasts
        record = await desk.get(broadcast_id)
        if record is None:
            return
        tally = await desk.tally(broadcast_id)
        log.info(
            "Broadcast %s started: %d recipients, %d still to send",
            broadcast_id,
            tally.total,
            tally.pending,
        )
        started = time.monotonic()
        last_edit = [started]
        lang = await self._reader_language(record.report_chat_id)
        store = self._services.storage.broadcasts
        while (
            not self._stopping
            and self._leading()
            and not self._unrecorded
            and (record := await desk.get(broadcast_id)) is not None
            and record.status == "running"
        ):
            batch = await store.pending(broadcast_id, BATCH)
            if not batch:
                break
            queue: asyncio.Queue[Recipient] = asyncio.Queue()
            for item in batch:
                queue.put_nowait(item)
            await asyncio.gather(
                *(
                    self._worker(broadcast_id, record.texts, queue, lang, last_edit)
                    for _ in range(WORKERS)
                )
            )
        if self._stopping or not self._leading():
            return
        if self._unrecorded:
            self._paused.add(broadcast_id)
            return
        finished = await desk.finish(broadcast_id)
        key = "broadcast_report" if finished else "broadcast_cancelled"
        tally = await desk.tally(broadcast_id)
        log.info(
            "Broadcast %s %s: delivered %d, blocked %d, failed %d",
            broadcast_id,
            "finished" if finished else "cancelled",
            tally.sent,
            tally.blocked,
            tally.failed,
        )
        await self._report(
            broadcast_id,
            text(
                lang,
                key,
                id=broadcast_id,
                sent=tally.sent,
                blocked=tally.blocked,
                failed=tally.failed,
                seconds=round(time.monotonic() - started),
            ),
        )

    async def _worker(
        self,
        broadcast_id: int,
        texts: Texts,
        queue: asyncio.Queue[Recipient],
        lang: Lang,
        last_edit: list[float],
    ) -> None:
        """Send to the queued recipients, each the text in their language as they read now."""
        store = self._services.storage.broadcasts
        now = self._services.clock.now
        while (
            not queue.empty()
            and not self._stopping
            and self._leading()
            and not self._unrecorded
            and broadcast_id not in self._cancelled
        ):
            recipient = queue.get_nowait()
            chat_id, attempts = recipient.chat_id, recipient.attempts
            if not await store.is_pending(broadcast_id, chat_id):
                # Since the batch was read: cancelled on another instance, or sent by an
                # earlier leader.
                continue
            body = pick(texts, preferred(recipient.language, recipient.client_language))
            try:
                await self._bot.send_message(chat_id, body, rate_limit_args=BROADCAST)
            except Forbidden:
                await self._services.customers.mark_blocked(chat_id, now())
                await store.mark(broadcast_id, chat_id, "blocked", now())
            except RetryAfter:
                await store.count_attempt(broadcast_id, chat_id)
            except BadRequest as error:
                log.warning("Broadcast %s to %s refused: %s", broadcast_id, chat_id, error)
                await store.mark(broadcast_id, chat_id, "failed", now())
            except TelegramError as error:
                if attempts + 1 >= MAX_ATTEMPTS:
                    log.warning("Broadcast %s to %s failed: %s", broadcast_id, chat_id, error)
                    await store.mark(broadcast_id, chat_id, "failed", now())
                else:
                    await store.count_attempt(broadcast_id, chat_id)
            else:
                await self._mark_sent(store, broadcast_id, chat_id, now())
            if time.monotonic() - last_edit[0] >= PROGRESS_EVERY:
                last_edit[0] = time.monotonic()
                tally = await store.tally(broadcast_id)
                await self._report(
                    broadcast_id,
                    text(
                        lang,
                        "broadcast_progress",
                        id=broadcast_id,
                        done=tally.total - tally.pending,
                        total=tally.total,
                        sent=tally.sent,
                        blocked=tally.blocked,
                        failed=tally.failed,
                    ),
                )

    async def _mark_sent(
        self, store: Broadcasts, broadcast_id: int, chat_id: int, sent_at: datetime
    ) -> None:
        """Mark a delivery sent; if the database refuses, keep it in memory so it goes once."""
        try:
            await store.mark(broadcast_id, chat_id, "sent", sent_at)
        except Exception:
            self._unrecorded[broadcast_id, chat_id] = sent_at
            log.exception(
                "ALERT: broadcast %s went to chat %s but could not be recorded as sent"
                " (disk full?); it will not be sent again, and broadcasts pause until the"
                " record is written",
                broadcast_id,
                chat_id,
            )

    async def _reader_language(self, chat_id: int) -> Lang:
        return preferred(*await self._services.customers.languages(chat_id))

    async def _report(self, broadcast_id: int, body: str) -> None:
        """Edit the head-office message in place; a failed edit must not stop the sending."""
        record = await self._services.broadcasts.get(broadcast_id)
        if record is None:
            return
        try:
            if record.report_message_id is None:
                sent = await self._bot.send_message(
                    record.report_chat_id, body, parse_mode=ParseMode.HTML
                )
                await self._services.storage.broadcasts.set_report_message(
                    broadcast_id, sent.message_id
                )
            else:
                await self._bot.edit_message_text(
                    body,
                    chat_id=record.report_chat_id,
                    message_id=record.report_message_id,
                    parse_mode=ParseMode.HTML,
                )
        except TelegramError as error:
            log.info("Could not update the report of broadcast %s: %s", broadcast_id, error)


def runner_of(context: Context) -> BroadcastRunner:
    runner: BroadcastRunner = context.bot_data["broadcaster"]
    return runner


# Commands


TEXT_WANTED_KEY = "broadcast_text_wanted"


class TextWanted(BaseModel):
    """A draft whose preview asked for its text in one more language, kept in the head
    office member's data so that their next message fills it in, even after a restart."""

    broadcast: RowId
    lang: Lang


def text_wanted(context: Context) -> TextWanted | None:
    """The text this person was asked for; None if none, or if what is stored is unreadable."""
    stored = context.user_data.get(TEXT_WANTED_KEY) if context.user_data else None
    try:
        return None if stored is None else TextWanted.model_validate(stored)
    except ValidationError:
        return None


def too_long(lang: Lang, texts: Texts, named: bool) -> str | None:
    """Why a text cannot go out as one message, naming its language when there are two."""
    for language, body in texts.items():
        if (length := utf16_len(body)) > MAX_BODY:
            if not named:
                return text(lang, "broadcast_too_long", length=length, limit=MAX_BODY)
            name = label(lang, f"broadcast_language_{language.value}")
            return text(lang, "broadcast_too_long_in", language=name, length=length, limit=MAX_BODY)
    return None


async def preview(
    update: Update,
    context: Context,
    who: Principal,
    segment: Segment,
    value: str | None,
    typed: str,
    scheduled_at: datetime | None,
) -> None:
    lang = lang_of(update, context)
    chat = update.effective_chat
    assert chat is not None
    texts = split_texts(typed)
    if texts is None:
        await say(update, text(lang, "broadcast_separators"))
        return
    if (refusal := too_long(lang, texts, named=len(texts) > 1)) is not None:
        await say(update, refusal)
        return
    draft = await context.services.broadcasts.prepare(
        who.user_id,
        texts,
        segment,
        value,
        scheduled_at,
        chat.id,
        runner_of(context).exclude,
        update.update_id,
    )
    if context.user_data is not None:
        context.user_data.pop(TEXT_WANTED_KEY, None)
        if (absent := missing(draft.texts)) is not None:
            wanted = TextWanted(broadcast=draft.broadcast_id, lang=absent)
            context.user_data[TEXT_WANTED_KEY] = wanted.model_dump(mode="json")
    await show_preview(update, context, draft)


async def show_preview(update: Update, context: Context, draft: Draft) -> None:
    """Each text whole, as its readers will get it, then who gets which, and the buttons;
    when a language has no text, ask for it as the next message."""
    lang = lang_of(update, context)
    zone = context.services.settings.zone
    when = (
        label(lang, "broadcast_when", when=f"{draft.scheduled_at.astimezone(zone):%d.%m.%Y %H:%M}")
        if draft.scheduled_at
        else ""
    )
    header = text(
        lang,
        "broadcast_preview",
        audience=draft.audience,
        when=when,
        en=draft.readers[Lang.EN],
        ru=draft.readers[Lang.RU],
    )
    pieces = [("", header)]
    for language, body in sorted(draft.texts.items()):
        pieces += [
            ("\n\n", text(lang, f"broadcast_text_{language.value}")),
            ("\n", html.escape(body, quote=False)),
        ]
    absent = missing(draft.texts)
    if absent is not None:
        [(given, _)] = draft.texts.items()
        warning = text(
            lang,
            "broadcast_missing",
            absent=label(lang, f"broadcast_language_{absent.value}"),
            given=label(lang, f"broadcast_language_{given.value}"),
        )
        pieces.append(("\n\n", warning))
    *first, last = packed(pieces)
    for message in first:
        await say(update, message)
    await say(
        update,
        last,
        keyboards.inline(
            [
                [
                    (
                        label(lang, "btn_confirm"),
                        BroadcastDecision(broadcast=draft.broadcast_id, confirm="y"),
                    ),
                    (
                        label(lang, "btn_cancel"),
                        BroadcastDecision(broadcast=draft.broadcast_id, confirm="n"),
                    ),
                ]
            ]
        ),
    )


def packed(pieces: list[tuple[str, str]]) -> list[str]:
    """(joint, piece) pairs joined into as few messages as fit, no piece ever cut in two."""
    messages: list[str] = []
    for joint, piece in pieces:
        if messages and len(split_message(messages[-1] + joint + piece)) == 1:
            messages[-1] += joint + piece
        else:
            messages.append(piece)
    return messages


async def text_given(update: Update, context: Context) -> None:
    """Head office's next message after a preview asked for the text in the other language.

    Runs before the other handlers; anything else, or a message after the draft got its
    text or was confirmed or discarded, goes on to them. The request stays until then, so
    this message handled again after a crash finds the draft it filled in.
    """
    wanted = text_wanted(context)
    message = update.effective_message
    user = update.effective_user
    if wanted is None or message is None or not message.text or user is None:
        return
    assert context.user_data is not None
    if (await context.services.access.who(user.id)).role is not Role.HEAD_OFFICE:
        context.user_data.pop(TEXT_WANTED_KEY, None)
        return
    desk = context.services.broadcasts
    body = message.text.strip()
    refusal = too_long(lang_of(update, context), {wanted.lang: body}, named=True)
    if refusal is not None and await desk.wants(wanted.broadcast, message.chat.id, wanted.lang):
        await say(update, refusal)
        raise ApplicationHandlerStop
    draft = await desk.add_text(
        wanted.broadcast,
        message.chat.id,
        wanted.lang,
        body,
        runner_of(context).exclude,
        update.update_id,
    )
    if draft is None:
        context.user_data.pop(TEXT_WANTED_KEY, None)
        return
    await show_preview(update, context, draft)
    raise ApplicationHandlerStop


def body_after(update: Update, words: int) -> str:
    """The text after the command and its first `words` arguments, line breaks kept."""
    message = update.effective_message
    raw = message.text if message and message.text else ""
    parts = raw.split(maxsplit=words + 1)
    return parts[words + 1].strip() if len(parts) > words + 1 else ""


@requires(Role.HEAD_OFFICE)
async def broadcast(update: Update, context: Context, who: Principal) -> None:
    """`/broadcast <text>`: every customer who talked to the bot and has not blocked it."""
    body = body_after(update, 0)
    if not body:
        await say(update, text(lang_of(update, context), "usage", usage="/broadcast <text>"))
        return
    await preview(update, context, who, Segment.ALL, None, body, None)


async def target_and_body(update: Update, context: Context, usage: str) -> tuple[str, str] | None:
    """`<target> <text>`: the first argument and the text after it; None after the usage."""
    args = list(context.args or [])
    body = body_after(update, 1)
    if len(args) < 2 or not body:
        await say(update, text(lang_of(update, context), "usage", usage=usage))
        return None
    return args[0], body


@requires(Role.HEAD_OFFICE)
async def broadcast_workshop(update: Update, context: Context, who: Principal) -> None:
    """`/broadcast_workshop <WORKSHOP_CODE> <text>`: customers with a ticket there (90 days)."""
    given = await target_and_body(update, context, "/broadcast_workshop <WORKSHOP_CODE> <text>")
    if given is None:
        return
    typed, body = given
    workshops = context.services.network.workshops
    if typed.upper() not in workshops:
        await say(
            update,
            text(
                lang_of(update, context),
                "unknown_workshop",
                code=typed[:32],
                codes=", ".join(workshops),
            ),
        )
        return
    await preview(update, context, who, Segment.WORKSHOP, typed.upper(), body, None)


@requires(Role.HEAD_OFFICE)
async def broadcast_category(update: Update, context: Context, who: Principal) -> None:
    """`/broadcast_category <category> <text>`: customers with a report or ticket in it."""
    given = await target_and_body(update, context, "/broadcast_category <category> <text>")
    if given is None:
        return
    typed, body = given
    tree = context.services.tree
    if tree.category(typed.lower()) is None:
        await say(
            update,
            text(
                lang_of(update, context),
                "unknown_category",
                category=typed[:30],
                categories=", ".join(tree.categories),
            ),
        )
        return
    await preview(update, context, who, Segment.CATEGORY, typed.lower(), body, None)


@requires(Role.HEAD_OFFICE)
async def broadcast_at(update: Update, context: Context, who: Principal) -> None:
    """`/broadcast_at <YYYY-MM-DD HH:MM> <text>`: local time in TIMEZONE."""
    lang = lang_of(update, context)
    args = list(context.args or [])
    body = body_after(update, 2)
    zone = context.services.settings.zone
    moment = local_time(args[0], args[1], zone) if len(args) >= 2 else None
    if moment is None or not body or not context.services.broadcasts.schedulable(moment):
        tomorrow = context.services.clock.now().astimezone(zone) + timedelta(days=1)
        await say(update, text(lang, "bad_when", example=f"{tomorrow:%Y-%m-%d} 10:00"))
        return
    await preview(update, context, who, Segment.ALL, None, body, moment)


@requires(Role.HEAD_OFFICE)
async def decided(update: Update, context: Context, who: Principal) -> None:
    """Confirm starts (or schedules) the previewed broadcast; Cancel discards it."""
    query = pressed(update)
    payload = BroadcastDecision.decode(query.data)
    lang = lang_of(update, context)
    desk = context.services.broadcasts
    runner = runner_of(context)
    chat = update.effective_chat
    if payload is None or chat is None:
        await stale(update, context)
        return
    wanted = text_wanted(context)
    if wanted is not None and wanted.broadcast == payload.broadcast and context.user_data:
        context.user_data.pop(TEXT_WANTED_KEY)
    if payload.confirm == "n":
        if not await desk.discard(payload.broadcast, chat.id, update.update_id):
            await stale(update, context)
            return
        await acknowledge(query)
        await edit(query, text(lang, "broadcast_dropped"))
        return
    record = await desk.confirm(payload.broadcast, chat.id, runner.exclude, update.update_id)
    if record is None:
        await stale(update, context)
        return
    await acknowledge(query)
    if query.message is not None:
        await context.services.storage.broadcasts.set_report_message(
            record.id, query.message.message_id
        )
    if record.status == "scheduled" and record.scheduled_at is not None:
        zone = context.services.settings.zone
        await edit(
            query,
            text(
                lang,
                "broadcast_scheduled",
                id=record.id,
                when=f"{record.scheduled_at.astimezone(zone):%d.%m.%Y %H:%M}",
            ),
        )
        return
    if record.status == "running":
        # Handled again after a crash, the broadcast may be running already, or even done.
        runner.start(record.id)


@requires(Role.HEAD_OFFICE)
async def list_broadcasts(update: Update, context: Context, who: Principal) -> None:
    """Recent and scheduled broadcasts with their counts."""
    lang = lang_of(update, context)
    zone = context.services.settings.zone
    recent = await context.services.broadcasts.recent()
    if not recent:
        await say(update, text(lang, "broadcasts_empty"))
        return
    lines = [text(lang, "broadcasts_title")]
    for record, tally in recent:
        moment = record.scheduled_at or record.started_at or record.created_at
        lines.append(
            text(
                lang,
                "broadcasts_line",
                id=record.id,
                status=record.status,
                segment=f"{record.segment}"
                + (f" {record.segment_value}" if record.segment_value else ""),
                when=f"{moment.astimezone(zone):%d.%m %H:%M}",
                sent=tally.sent,
                total=tally.total,
                blocked=tally.blocked,
                failed=tally.failed,
                preview=shortened(pick(record.texts, lang)),
            )
        )
    await say(update, "\n".join(lines))


def shortened(body: str) -> str:
    return body if len(body) <= 40 else body[:39] + "…"


@requires(Role.HEAD_OFFICE)
async def cancel_broadcast(update: Update, context: Context, who: Principal) -> None:
    """`/broadcast_cancel <id>`: stops a scheduled or running broadcast."""
    lang = lang_of(update, context)
    args = list(context.args or [])
    broadcast_id = whole_number(args[0].lstrip("#"), 1, 2**62) if len(args) == 1 else None
    if broadcast_id is None:
        await say(update, text(lang, "usage", usage="/broadcast_cancel <id>"))
        return
    if not await context.services.broadcasts.cancel(broadcast_id, update.update_id):
        await say(update, text(lang, "broadcast_not_found", id=broadcast_id))
        return
    runner_of(context).cancelled(broadcast_id)
    await runner_of(context).wait(broadcast_id)
    tally = await context.services.broadcasts.tally(broadcast_id)
    await say(update, text(lang, "broadcast_cancelled", id=broadcast_id, sent=tally.sent))
