"""The one place where handlers, persistence, jobs and services are wired together."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.clock import Clock
from bot.config import Listen, Settings
from bot.handlers import (
    access,
    bookings,
    broadcasts,
    common,
    flood,
    followups,
    leftovers,
    parts,
    questions,
    repair,
    staff,
)
from bot.handlers.broadcasts import BroadcastRunner
from bot.handlers.callbacks import (
    Ask,
    BroadcastDecision,
    CancelAsk,
    CancelConfirm,
    CancelKeep,
    CardCancel,
    CausePick,
    Decision,
    EstimateAnswer,
    GuardedKeep,
    GuardedMove,
    HandOver,
    JobOpen,
    JobsPageTurn,
    LanguagePick,
    MenuPick,
    QuoteDecision,
    Rating,
    ReasonPick,
    Reschedule,
    RescheduleDay,
    RescheduleSlot,
    SetStatus,
    ShipRequest,
    ThreadReply,
    WillCome,
)
from bot.handlers.commands import CommandTable, Placement
from bot.handlers.context import Context
from bot.handlers.delivery import TICK_SECONDS, Postman, on_tick
from bot.handlers.menus import publish_all_menus
from bot.pacing import Pacer
from bot.runtime.aiohttp_request import AiohttpRequest
from bot.runtime.health import Health
from bot.runtime.instance import instance_id
from bot.runtime.intake import Intake
from bot.runtime.leadership import LeaderElection
from bot.runtime.metrics import Metrics, metrics_route
from bot.runtime.ordering import ChatOrderedProcessor
from bot.runtime.persistence import DatabasePersistence, UpdateState
from bot.runtime.polling import OnFatal, Poller, Sleep
from bot.runtime.rate_limit import TwoLaneRateLimiter
from bot.runtime.shared_chats import SWEEP_EVERY, SharedChats
from bot.runtime.web import WebServer
from bot.runtime.webhook import WebhookReceiver
from bot.services import Services
from bot.storage.chat_leases import ChatLeases
from bot.storage.database import inbox_path
from bot.storage.engine import open_inbox
from bot.storage.inbox import InboxStore
from bot.storage.leadership import leadership_for
from bot.storage.postgres import PostgresDatabase

log = logging.getLogger(__name__)

REASON_GROUP = -7
"""Runs first of all: a command or a button press ends the wait for a cancellation's reason."""

ASKING_GROUP = -6
"""Runs first of all: a command or a button press ends the wait for a question."""

EDITED_GROUP = -5
"""Then: an edited message corrects an old one and is never a new command."""

FLOOD_GROUP = -4
"""Someone sending too fast is stopped before anything else happens."""

PRIVATE_GROUP = -3
"""Group chats and channels are stopped here: personal data is shown in private chats only."""

VISITOR_GROUP = -2
"""Runs before the handlers proper: notes who is talking to the bot."""

AWAITED_GROUP = -1
"""A message the bot asked for outside any conversation is taken here, and goes no further;
anything else goes on to the handlers proper."""

def build_application(
    settings: Settings, services: Services, election: LeaderElection
) -> Application:
    metrics = Metrics()
    limiter = TwoLaneRateLimiter(Pacer())
    limiter.sent = metrics.sent
    processor = ChatOrderedProcessor()
    processor.took = metrics.took
    persistence = DatabasePersistence(services.conversations, repair.Waiting)
    application = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .context_types(ContextTypes(context=Context))
        .persistence(persistence)
        # aiohttp costs about a quarter of the CPU per request of the default httpx backend.
        .request(AiohttpRequest(observe=metrics.api_call))
        .get_updates_request(AiohttpRequest(connection_pool_size=1, observe=metrics.api_call))
        .rate_limiter(limiter)
        .concurrent_updates(processor)
        .updater(None)
        .build()
    )
    application.bot_data["services"] = services
    application.bot_data["metrics"] = metrics
    postman = Postman(application.bot, services, application.job_queue, instance_id())
    application.bot_data["postman"] = postman
    # Replies Telegram tells to wait go out later from the outbox, not held in their update.
    limiter.defer = postman.defer_reply
    application.bot_data["leadership"] = election
    broadcaster = BroadcastRunner(application.bot, services, lambda: election.is_leader)
    election.on_change(broadcaster.leadership_changed)
    application.bot_data["broadcaster"] = broadcaster
    application.bot_data["commands"] = CommandTable()
    add_handlers(application)
    # Once every conversation is registered: it loads the states of each one.
    processor.memory = UpdateState(application, persistence)
    return application


def is_menu_item_other_than_repair(data: object) -> bool:
    """ "Report a fault" opens the repair conversation; the other menu items do not."""
    item = MenuPick.decode(data)
    return item is not None and item.item != "repair"


def add_handlers(application: Application) -> None:
    """Register handlers; within group 0 the first match wins, so order matters."""
    button = CallbackQueryHandler
    commands: CommandTable = application.bot_data["commands"]
    awaiting = filters.ChatType.PRIVATE & questions.AwaitingMessage(application.user_data)
    reason_wanted = filters.ChatType.PRIVATE & questions.AwaitingMessage(
        application.user_data, staff.REASON_WANTED_KEY
    )
    application.add_handler(
        TypeHandler(Update, staff.forget_reason_on_new_action), group=REASON_GROUP
    )
    application.add_handler(
        TypeHandler(Update, questions.forget_on_new_action), group=ASKING_GROUP
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED, access.drop_edit), group=EDITED_GROUP
    )
    application.add_handler(TypeHandler(Update, flood.guard), group=FLOOD_GROUP)
    application.add_handler(TypeHandler(Update, common.note_visitor), group=VISITOR_GROUP)
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, broadcasts.text_given
        ),
        group=AWAITED_GROUP,
    )
    # Available at every step of a conversation, so they come before it. Staff and
    # head-office commands check the caller's rights themselves, as the table says.
    application.add_handlers(
        [
            ChatMemberHandler(followups.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
            *commands.handlers(Placement.ANY_STEP),
            button(common.menu_item, pattern=is_menu_item_other_than_repair),
            button(common.language_chosen, pattern=LanguagePick.matches),
            button(bookings.cancel_asked, pattern=CancelAsk.matches),
            button(bookings.card_cancel_asked, pattern=CardCancel.matches),
            button(bookings.cancel_confirmed, pattern=CancelConfirm.matches),
            button(bookings.cancel_kept, pattern=CancelKeep.matches),
            button(bookings.estimate_answered, pattern=EstimateAnswer.matches),
            button(staff.status_pressed, pattern=SetStatus.matches),
            button(staff.reason_pressed, pattern=ReasonPick.matches),
            button(staff.cause_pressed, pattern=CausePick.matches),
            button(staff.guarded_confirmed, pattern=GuardedMove.matches),
            button(staff.guarded_kept, pattern=GuardedKeep.matches),
            button(staff.quote_decided, pattern=QuoteDecision.matches),
            button(staff.jobs_turned, pattern=JobsPageTurn.matches),
            button(staff.job_opened, pattern=JobOpen.matches),
            button(parts.ship_pressed, pattern=ShipRequest.matches),
            button(followups.will_come, pattern=WillCome.matches),
            button(followups.reschedule_asked, pattern=Reschedule.matches),
            button(followups.reschedule_day, pattern=RescheduleDay.matches),
            button(followups.reschedule_slot, pattern=RescheduleSlot.matches),
            button(followups.rated, pattern=Rating.matches),
            button(broadcasts.decided, pattern=BroadcastDecision.matches),
            button(questions.ask_pressed, pattern=Ask.matches),
            button(questions.reply_pressed, pattern=ThreadReply.matches),
            button(questions.hand_over_pressed, pattern=HandOver.matches),
            # The cancellation reason staff were asked to type, likewise.
            MessageHandler(reason_wanted & ~filters.COMMAND, staff.reason_typed),
            # The question or answer the bot asked for, before any conversation takes the
            # message as its own input; /cancel then stops the asking.
            CommandHandler("cancel", questions.cancel_asking, filters=awaiting),
            MessageHandler(awaiting & ~filters.COMMAND, questions.received),
        ]
    )
    services: Services = application.bot_data["services"]
    from_keyboard = leftovers.FromReplyKeyboard(services.network)
    application.add_handler(repair.conversation(from_keyboard))
    # Outside any conversation: what is left.
    application.add_handlers(
        [
            *commands.handlers(Placement.OUTSIDE),
            # A booking Confirm handled again after a crash that already ended the conversation.
            button(repair.decided, pattern=Decision.matches),
            button(repair.stale),
            # Before the comment: Exit on a left-over keyboard is no comment on a rating.
            MessageHandler(filters.ChatType.PRIVATE & from_keyboard, leftovers.left_over),
            # Telegram's reply to a delivered question or answer continues its thread.
            MessageHandler(
                filters.ChatType.PRIVATE & filters.REPLY & ~filters.COMMAND, questions.replied
            ),
            MessageHandler(
                filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
                followups.comment_received,
            ),
            # Only in private chats: in a group, silence is the polite answer to chatter.
            MessageHandler(filters.ChatType.PRIVATE, common.not_understood),
        ]
    )
    # Registered once every command is: in a group, our own commands (not another bot's)
    # get a pointer to a private chat, and no update of a group or channel goes further.
    application.add_handlers(
        [
            CommandHandler(
                command_names(application.handlers[0]),
                access.write_privately,
                filters=~filters.ChatType.PRIVATE,
            ),
            TypeHandler(Update, access.private_only),
        ],
        group=PRIVATE_GROUP,
    )
    application.add_error_handler(common.on_error)


def command_names(handlers: Iterable[BaseHandler]) -> set[str]:
    """Every command these handlers answer, those inside a conversation included."""
    names: set[str] = set()
    for handler in handlers:
        if isinstance(handler, CommandHandler):
            names |= handler.commands
        elif isinstance(handler, ConversationHandler):
            steps = [step for state in handler.states.values() for step in state]
            names |= command_names([*handler.entry_points, *steps, *handler.fallbacks])
    return names


def freeze_startup_objects() -> None:
    """Take everything loaded so far out of the garbage collector's sight.

    Modules, data files, handlers and services live as long as the process, yet every full
    collection walks them again: about 80 ms per pause, most of the p99 reply latency tail in
    the benchmark's crowd (9 ms frozen). Only for a process that serves one bot: whatever is
    frozen is never freed, so tests, which start many bots in one process, do not call it.
    """
    gc.collect()
    gc.freeze()


def receiving(
    settings: Settings,
    application: Application,
    intake: Intake,
    sleep: Sleep,
    on_fatal: OnFatal | None,
) -> tuple[WebServer, Poller | WebhookReceiver]:
    """The operator's listener and what receives updates: polling, the listener on
    HEALTH_LISTEN; or, when WEBHOOK_URL is set, the webhook's receiver process on
    WEBHOOK_LISTEN, which passes the operator's endpoints on to the listener, on loopback."""
    if not settings.webhook_url:
        web = WebServer(settings.health_listen, "HEALTH_LISTEN")
        return web, Poller(application, intake, sleep=sleep, on_fatal=on_fatal)
    assert settings.webhook_secret is not None  # Settings refuses a webhook without one
    web = WebServer(Listen(host="127.0.0.1", port=0), "the operator's loopback listener")
    url = settings.database_url
    webhook = WebhookReceiver(
        application,
        intake,
        url=settings.webhook_url,
        path=settings.webhook_path,
        secret=settings.webhook_secret.get_secret_value(),
        max_connections=settings.webhook_max_connections,
        listen=settings.webhook_listen,
        inbox_file=None if url else inbox_path(settings.database_path),
        database_url=url,
        log_level=settings.log_level,
        log_format=settings.log_format,
        sleep=sleep,
        on_fatal=on_fatal,
    )
    return web, webhook


@asynccontextmanager
async def running_bot(
    settings: Settings,
    clock: Clock,
    *,
    sleep: Sleep = asyncio.sleep,
    chat_sleep: Sleep = asyncio.sleep,
    on_fatal: OnFatal | None = None,
) -> AsyncIterator[Application]:
    """Open the services, start receiving updates, and close everything in reverse on exit.

    Receiving waits out its errors with ``sleep``, and the leader election waits between its
    tries with it. With PostgreSQL, waiting for a chat another instance holds and renewing
    the lease of one held here take ``chat_sleep``. ``on_fatal`` is told, with the reason, when
    the bot can no longer receive updates (a token Telegram rejects): the caller should then
    leave, so the process does not look alive while deaf.
    """
    services = await Services.open(settings, clock)
    inbox = None
    try:
        inbox = await open_inbox(settings, services.db)
        url = settings.database_url
        election = LeaderElection(
            leadership_for(url.get_secret_value() if url else None), sleep=sleep
        )
        application = build_application(settings, services, election)
        metrics: Metrics = application.bot_data["metrics"]
        intake = Intake(application, InboxStore(inbox), clock, services.flood, metrics)
        application.bot_data["intake"] = intake
        web, receiver = receiving(settings, application, intake, sleep, on_fatal)
        health = Health(services.db, intake, clock, election)
        web.add("GET", "/healthz", health.serve)
        web.add("GET", "/metrics", metrics_route(metrics, health.state))
        # Before Telegram is reached: a port that is taken stops the bot at once.
        await web.start()
        # Where operators (and Telegram) reach the bot.
        application.bot_data["web"] = web
        try:
            if isinstance(receiver, WebhookReceiver):
                await receiver.listen(web.port)
                application.bot_data["web"] = receiver
            try:
                await application.bot.initialize()  # reach Telegram (getMe) before the rest
            except Exception:
                # The library leaves the connections it opened for that open when it fails.
                await application.bot.shutdown()
                raise
            async with application:
                await publish_all_menus(application, services)
                await application.start()
                # Messages that fell due while the bot was down go out first, then broadcasts
                # that were running resume where they stopped.
                await application.bot_data["postman"].deliver_due()
                # Telegram still counts the sends of the last second before a restart.
                application.bot.rate_limiter.pacer.pause(1.0)
                # The leader (SQLite's one instance at once) resumes the running broadcasts.
                await election.start()
                assert application.job_queue is not None
                application.job_queue.run_repeating(
                    on_tick, interval=TICK_SECONDS, first=TICK_SECONDS, name="outbox"
                )
                processor = application.update_processor
                assert isinstance(processor, ChatOrderedProcessor)
                processor.on_done = intake.handled
                # Next to common.on_error, which tells the user: this one records the failure.
                application.add_error_handler(intake.note_failure)
                if isinstance(services.db, PostgresDatabase):
                    # Any number of instances: chats are ordered and handled through the
                    # database, and updates a dead instance left are taken up.
                    shared = SharedChats(
                        application,
                        intake,
                        ChatLeases(services.db),
                        clock,
                        application.bot_data["postman"].instance,
                        chat_sleep,
                    )
                    processor.shared = shared
                    application.bot_data["shared_chats"] = shared
                    application.job_queue.run_repeating(
                        shared.on_sweep, interval=SWEEP_EVERY, first=SWEEP_EVERY, name="sweep"
                    )
                # What a crash left stored but unhandled comes before anything new.
                await intake.resume()
                try:
                    await receiver.start()
                    health.phase = "running"
                    if isinstance(receiver, WebhookReceiver):
                        log.info(
                            "Bot @%s is receiving updates at %s",
                            application.bot.username,
                            settings.webhook_url,
                        )
                    else:
                        log.info("Bot @%s is polling for updates", application.bot.username)
                    yield application
                finally:
                    health.phase = "stopping"
                    # Receiving stops first; what is stored but not handled by the end is
                    # handled at the next start.
                    await receiver.stop()
                    await application.bot_data["broadcaster"].stop()
                    await application.stop()
                    await intake.flush()
                    if isinstance(receiver, Poller):
                        await receiver.confirm()
                    log.info("Bot @%s stopped", application.bot.username)
        finally:
            # Once nothing is sent from here (broadcasts stopped) may another instance lead.
            await election.stop()
            if isinstance(receiver, WebhookReceiver):
                await receiver.close()
            await web.stop()
    finally:
        if inbox is not None and inbox is not services.db:
            await inbox.close()
        await services.close()
