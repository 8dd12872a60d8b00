"""Every command declared once: its name, handler, who it is for and its description.

Handler registration (`bot.app.add_handlers`), each role's command menu in each language
(`bot.handlers.menus`) and `/help` are all generated from `COMMANDS`, so they cannot drift.
Adding a command is one entry here (its place in the tuple is its place in the menus), its
description and arguments in `bot/messages.py`, and the same roles on its handler's `requires`
guard: tests/flows/test_command_table.py fails if the guard and the entry disagree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum, auto
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import CommandHandler

from bot.handlers import bookings, broadcasts, common, head_office, parts, questions, staff
from bot.handlers.context import Context
from bot.i18n import Lang
from bot.messages import label, text
from bot.roles import Role

Callback = Callable[[Update, Context], Awaitable[Any]]

EVERYONE = frozenset(Role)
STAFF = frozenset({Role.STAFF})
HEAD_OFFICE = frozenset({Role.HEAD_OFFICE})
WORKERS = STAFF | HEAD_OFFICE
"""Who works on tickets: staff of a workshop, head office of any."""


class Placement(Enum):
    """Where among the handlers a command is registered, which matters for the repair
    conversation: within a group the first handler that matches wins."""

    ANY_STEP = auto()
    """Before the repair conversation: it works at every step of it."""
    OUTSIDE = auto()
    """After the conversation, which has its own handler for it while it runs."""
    CONVERSATION = auto()
    """Only by the repair conversation (`bot.handlers.repair.conversation`)."""


@dataclass(frozen=True)
class Command:
    name: str
    callback: Callback | None
    """None for a command only the repair conversation registers."""
    roles: frozenset[Role]
    """Who may use it: who sees it in the menu and `/help`. Its handler's guard says the same."""
    description: str
    """Catalogue key of the description in the menu and in `/help`."""
    arguments: str | None = None
    """Catalogue key of the arguments `/help` shows after the name."""
    placement: Placement = Placement.ANY_STEP

    def handler(self) -> CommandHandler[Context, Any]:
        assert self.callback is not None, f"/{self.name} is registered by its conversation"
        return CommandHandler(self.name, self.callback)

    def help_line(self, lang: Lang) -> str:
        call = f"/{self.name}"
        if self.arguments is not None:
            call += " " + label(lang, self.arguments)
        return text(lang, "help_line", command=call, description=label(lang, self.description))


# In the order of the menus: the work of staff and head office first, then what everyone has.
COMMANDS: tuple[Command, ...] = (
    Command("questions", questions.list_questions, HEAD_OFFICE, "cmd_questions"),
    Command("today", staff.today, STAFF, "cmd_today"),
    Command("jobs", staff.jobs, WORKERS, "cmd_jobs", "args_jobs"),
    Command("job", staff.job, WORKERS, "cmd_job", "args_ticket"),
    Command("find", staff.find, WORKERS, "cmd_find", "args_find"),
    Command("setstatus", staff.set_status, WORKERS, "cmd_setstatus", "args_setstatus"),
    Command("eta", staff.eta, WORKERS, "cmd_eta", "args_eta"),
    Command("quote", staff.quote, WORKERS, "cmd_quote", "args_quote"),
    Command("warranty", staff.warranty, WORKERS, "cmd_warranty", "args_warranty"),
    Command("walkin", staff.walk_in, STAFF, "cmd_walkin", "args_walkin"),
    Command("stock", parts.stock, WORKERS, "cmd_stock", "args_stock"),
    Command("receive", parts.receive, WORKERS, "cmd_receive", "args_receive"),
    Command("needpart", parts.need_part, STAFF, "cmd_needpart", "args_ticket_part"),
    Command("use", parts.use, STAFF, "cmd_use", "args_ticket_part"),
    Command("arrived", parts.arrived, STAFF, "cmd_arrived", "args_request"),
    Command("requests", parts.requests, HEAD_OFFICE, "cmd_requests"),
    Command("ship", parts.ship, HEAD_OFFICE, "cmd_ship", "args_ship"),
    Command("minstock", parts.min_stock, HEAD_OFFICE, "cmd_minstock", "args_minstock"),
    Command("workshops", head_office.workshops, HEAD_OFFICE, "cmd_workshops"),
    Command("stats", head_office.stats, HEAD_OFFICE, "cmd_stats", "args_days"),
    Command("scorecard", head_office.scorecard_of, WORKERS, "cmd_scorecard", "args_scorecard"),
    Command("treestats", head_office.treestats, HEAD_OFFICE, "cmd_treestats", "args_treestats"),
    Command("overdue", head_office.overdue_tickets, HEAD_OFFICE, "cmd_overdue"),
    Command("export", head_office.export, HEAD_OFFICE, "cmd_export", "args_days"),
    Command("staff", head_office.staff, HEAD_OFFICE, "cmd_staff"),
    Command("addstaff", head_office.add_staff, HEAD_OFFICE, "cmd_addstaff", "args_addstaff"),
    Command("removestaff", head_office.remove_staff, HEAD_OFFICE, "cmd_removestaff", "args_id"),
    Command("addadmin", head_office.add_admin, HEAD_OFFICE, "cmd_addadmin", "args_id"),
    Command("removeadmin", head_office.remove_admin, HEAD_OFFICE, "cmd_removeadmin", "args_id"),
    Command("broadcast", broadcasts.broadcast, HEAD_OFFICE, "cmd_broadcast", "args_text"),
    Command(
        "broadcast_workshop",
        broadcasts.broadcast_workshop,
        HEAD_OFFICE,
        "cmd_broadcast_workshop",
        "args_broadcast_workshop",
    ),
    Command(
        "broadcast_category",
        broadcasts.broadcast_category,
        HEAD_OFFICE,
        "cmd_broadcast_category",
        "args_broadcast_category",
    ),
    Command(
        "broadcast_at",
        broadcasts.broadcast_at,
        HEAD_OFFICE,
        "cmd_broadcast_at",
        "args_broadcast_at",
    ),
    Command("broadcasts", broadcasts.list_broadcasts, HEAD_OFFICE, "cmd_broadcasts"),
    Command(
        "broadcast_cancel",
        broadcasts.cancel_broadcast,
        HEAD_OFFICE,
        "cmd_broadcast_cancel",
        "args_id",
    ),
    Command("start", common.start, EVERYONE, "cmd_start", placement=Placement.OUTSIDE),
    Command("repair", None, EVERYONE, "cmd_repair", placement=Placement.CONVERSATION),
    Command("mybookings", bookings.my_bookings, EVERYONE, "cmd_mybookings"),
    Command("status", bookings.ticket_status, EVERYONE, "cmd_status", "args_ticket"),
    Command("ask", questions.ask_command, EVERYONE, "cmd_ask", "args_ask"),
    Command("language", common.ask_language, EVERYONE, "cmd_language"),
    Command("help", common.show_help, EVERYONE, "cmd_help"),
    Command(
        "cancel", common.nothing_to_cancel, EVERYONE, "cmd_cancel", placement=Placement.OUTSIDE
    ),
)

HELP_SECTIONS: dict[Role, tuple[str, str]] = {
    Role.CUSTOMER: ("help", "help_tip"),
    Role.STAFF: ("help_staff", "help_staff_note"),
    Role.HEAD_OFFICE: ("help_head_office", "help_head_office_note"),
}
"""The title and the closing note of each role's part of `/help`."""


@dataclass(frozen=True)
class CommandTable:
    """The commands, and what is generated from them."""

    commands: tuple[Command, ...] = COMMANDS

    def handlers(self, placement: Placement) -> list[CommandHandler[Context, Any]]:
        return [c.handler() for c in self.commands if c.placement is placement]

    def of(self, role: Role) -> list[Command]:
        return [c for c in self.commands if role in c.roles]

    def menu(self, role: Role, lang: Lang) -> list[BotCommand]:
        return [BotCommand(c.name, label(lang, c.description)) for c in self.of(role)]

    def help(self, role: Role, lang: Lang) -> str:
        """The work this role adds, as its menu shows it first, then what everyone can do;
        each part under its own title."""
        own = [c for c in self.of(role) if Role.CUSTOMER not in c.roles]
        everyones = [c for c in self.of(role) if Role.CUSTOMER in c.roles]
        parts = ([(role, own)] if own else []) + [(Role.CUSTOMER, everyones)]
        sections = []
        for section_role, commands in parts:
            title, note = HELP_SECTIONS[section_role]
            lines = [text(lang, title), *(c.help_line(lang) for c in commands)]
            sections.append("\n".join(lines) + "\n\n" + text(lang, note))
        return "\n\n".join(sections)
