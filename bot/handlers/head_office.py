"""Head office: who works where, the state of the network, statistics and exports."""

from __future__ import annotations

from telegram import Update

from bot.charts import stats_chart
from bot.export import tickets_csv, tickets_xlsx
from bot.handlers.access import STAFF_OR_HEAD_OFFICE, requires
from bot.handlers.arguments import whole_number
from bot.handlers.context import Context, lang_of
from bot.handlers.menus import publish_menu_for
from bot.handlers.replies import say
from bot.handlers.report_views import (
    chart_title,
    parts_stats_lines,
    scorecard_lines,
    stats_lines,
    treestats_lines,
    workshops_shown,
)
from bot.i18n import Lang, pick
from bot.messages import label, text
from bot.overdue import limits_days, overdue, overdue_lines
from bot.roles import Principal, Role, RoleChange
from bot.statistics import fix_stats, network_stats, readable_workshop, scorecard, weekly
from bot.status_rules import OPEN_STATUSES

DEFAULT_DAYS = 30
MAX_DAYS = 3650


def user_id_arg(value: str) -> int | None:
    return whole_number(value, 1, 2**53)


def workshop_names(context: Context, lang: Lang) -> dict[str, str]:
    return {code: w.title(lang) for code, w in context.services.network.workshops.items()}


async def days_arg(update: Update, context: Context) -> int | None:
    """The optional `[days]` argument; None after telling the user what is wrong."""
    args = list(context.args or [])
    if not args:
        return DEFAULT_DAYS
    days = whole_number(args[0], 1, MAX_DAYS) if len(args) == 1 else None
    if days is not None:
        return days
    await say(update, text(lang_of(update, context), "bad_days"))
    return None


# People


async def person_arg(update: Update, context: Context, usage: str, count: int = 1) -> int | None:
    """The Telegram user id that starts `count` arguments; None after showing the usage."""
    args = list(context.args or [])
    user_id = user_id_arg(args[0]) if len(args) == count else None
    if user_id is None:
        await say(update, text(lang_of(update, context), "usage", usage=usage))
    return user_id


async def person_name(context: Context, user_id: int) -> str:
    """`Mike (7001)`: the name to recognise someone by, the id to type in /removestaff."""
    name = await context.services.customers.name(user_id)
    return f"{name} ({user_id})" if name else str(user_id)


@requires(Role.HEAD_OFFICE)
async def add_admin(update: Update, context: Context, who: Principal) -> None:
    """`/addadmin <telegram_user_id>`."""
    user_id = await person_arg(update, context, "/addadmin <telegram_user_id>")
    if user_id is None:
        return
    result = await context.services.access.add_admin(who, user_id, update.update_id)
    await tell_change(update, context, user_id, ADMIN_ADDED[result])


@requires(Role.HEAD_OFFICE)
async def remove_admin(update: Update, context: Context, who: Principal) -> None:
    """`/removeadmin <telegram_user_id>`; ids from HEAD_OFFICE_IDS cannot be removed here."""
    user_id = await person_arg(update, context, "/removeadmin <telegram_user_id>")
    if user_id is None:
        return
    result = await context.services.access.remove_admin(who, user_id, update.update_id)
    await tell_change(update, context, user_id, ADMIN_REMOVED[result])


@requires(Role.HEAD_OFFICE)
async def add_staff(update: Update, context: Context, who: Principal) -> None:
    """`/addstaff <telegram_user_id> <WORKSHOP_CODE>`."""
    user_id = await person_arg(
        update, context, "/addstaff <telegram_user_id> <WORKSHOP_CODE>", count=2
    )
    if user_id is None:
        return
    typed = (context.args or [])[1]
    code = typed.upper()
    result = await context.services.access.add_staff(who, user_id, code, update.update_id)
    if result is RoleChange.UNKNOWN_WORKSHOP:
        codes = ", ".join(context.services.network.workshops)
        lang = lang_of(update, context)
        await say(update, text(lang, "unknown_workshop", code=typed[:32], codes=codes))
        return
    await tell_change(update, context, user_id, STAFF_ADDED[result], workshop=code)


@requires(Role.HEAD_OFFICE)
async def remove_staff(update: Update, context: Context, who: Principal) -> None:
    """`/removestaff <telegram_user_id>`."""
    user_id = await person_arg(update, context, "/removestaff <telegram_user_id>")
    if user_id is None:
        return
    result = await context.services.access.remove_staff(who, user_id, update.update_id)
    await tell_change(update, context, user_id, STAFF_REMOVED[result])


ADMIN_ADDED = {
    RoleChange.DONE: "admin_added",
    RoleChange.UNCHANGED: "admin_already",
    RoleChange.CONFIGURED: "admin_configured",
}
ADMIN_REMOVED = {
    RoleChange.DONE: "admin_removed",
    RoleChange.UNCHANGED: "admin_not_found",
    RoleChange.CONFIGURED: "admin_configured",
}
STAFF_ADDED = {
    RoleChange.DONE: "staff_added",
    RoleChange.UNCHANGED: "staff_already",
    RoleChange.IS_HEAD_OFFICE: "staff_is_head_office",
}
STAFF_REMOVED = {RoleChange.DONE: "staff_removed", RoleChange.UNCHANGED: "staff_not_found"}


async def tell_change(
    update: Update, context: Context, user_id: int, key: str, **params: str
) -> None:
    """Say what changed for this person, by name with the id to act on, and give them the
    command menu of their new role."""
    person = await person_name(context, user_id)
    await say(update, text(lang_of(update, context), key, user=person, **params))
    await publish_menu_for(context, user_id)


@requires(Role.HEAD_OFFICE)
async def staff(update: Update, context: Context, who: Principal) -> None:
    """Staff per workshop, every workshop listed, also those with nobody."""
    lang = lang_of(update, context)
    by_workshop: dict[str, list[str]] = {code: [] for code in context.services.network.workshops}
    for user_id, code in await context.services.access.staff():
        by_workshop.setdefault(code, []).append(await person_name(context, user_id))
    lines = [text(lang, "staff_title")]
    for code, people in by_workshop.items():
        lines.append(
            text(
                lang, "staff_line", workshop=code, people=", ".join(people) or label(lang, "nobody")
            )
        )
    await say(update, "\n".join(lines))


# The network


@requires(Role.HEAD_OFFICE)
async def workshops(update: Update, context: Context, who: Principal) -> None:
    """Every workshop with its staff count and open tickets."""
    lang = lang_of(update, context)
    staff_count: dict[str, int] = {}
    for _, code in await context.services.access.staff():
        staff_count[code] = staff_count.get(code, 0) + 1
    tickets = context.services.storage.tickets
    lines = [text(lang, "workshops_title")]
    for code, workshop in context.services.network.workshops.items():
        lines.append(
            text(
                lang,
                "workshops_line",
                code=code,
                name=workshop.title(lang),
                city=pick(workshop.city, lang),
                staff=staff_count.get(code, 0),
                open=await tickets.count_of_workshop(code, OPEN_STATUSES),
            )
        )
    await say(update, "\n".join(lines))


@requires(Role.HEAD_OFFICE)
async def stats(update: Update, context: Context, who: Principal) -> None:
    """`/stats [days]`: the figures in sections against the period before, then a chart."""
    days = await days_arg(update, context)
    if days is None:
        return
    lang = lang_of(update, context)
    services = context.services
    now = services.clock.now()
    figures = await network_stats(services.storage, now, days)
    names = workshop_names(context, lang)
    categories = {
        category.id: pick(category.title, lang)
        for category in services.tree.categories.values()
    }
    parts = await services.stock.figures(figures.since, figures.until)
    lines = [
        *stats_lines(figures, lang, names, categories),
        "",
        *parts_stats_lines(parts, lang, services.settings.currency),
    ]
    await say(update, "\n".join(lines))
    if update.effective_chat is not None:
        per_workshop = [
            (name, figures.tickets_per_workshop.get(code, 0))
            for code, name in workshops_shown(figures, names)
        ]
        weeks = await weekly(services.storage, now)
        chart = stats_chart(chart_title(figures, lang), lang, weeks, per_workshop, days)
        await update.effective_chat.send_photo(chart)


@requires(*STAFF_OR_HEAD_OFFICE)
async def scorecard_of(update: Update, context: Context, who: Principal) -> None:
    """`/scorecard [CODE]`: staff see their own workshop; head office names any."""
    lang = lang_of(update, context)
    args = list(context.args or [])
    workshops = context.services.network.workshops
    if len(args) > 1 or (who.role is Role.HEAD_OFFICE and not args):
        await say(update, text(lang, "scorecard_usage", codes=", ".join(workshops)))
        return
    typed = args[0] if args else None
    code = readable_workshop(who, typed, workshops)
    if code is None:
        codes = who.workshop_code if who.role is Role.STAFF else ", ".join(workshops)
        await say(update, text(lang, "unknown_workshop", code=(typed or "")[:32], codes=codes))
        return
    services = context.services
    card = await scorecard(
        services.storage,
        services.network,
        services.clock.now(),
        DEFAULT_DAYS,
        code,
        limits_days(services.settings.overdue_limits),
        services.settings.question_sla_minutes,
    )
    lines = scorecard_lines(
        card, lang, workshops[code].title(lang), services.settings.question_sla_minutes
    )
    await say(update, "\n".join(lines))


@requires(Role.HEAD_OFFICE)
async def treestats(update: Update, context: Context, who: Principal) -> None:
    """`/treestats [category]`: each fix customers were shown, how often it helped."""
    lang = lang_of(update, context)
    tree = context.services.tree
    args = list(context.args or [])
    category = args[0].lower() if len(args) == 1 else None
    if len(args) > 1 or (category is not None and tree.category(category) is None):
        await say(
            update,
            text(
                lang,
                "treestats_unknown",
                category=" ".join(args)[:32],
                categories=", ".join(tree.categories),
            ),
        )
        return
    fixes = await fix_stats(context.services.storage, category)
    await say(update, "\n".join(treestats_lines(fixes, lang, tree)))


@requires(Role.HEAD_OFFICE)
async def overdue_tickets(update: Update, context: Context, who: Principal) -> None:
    """Tickets that sat in one status longer than its limit, per workshop."""
    lang = lang_of(update, context)
    services = context.services
    limits = limits_days(services.settings.overdue_limits)
    grouped = await overdue(services.storage, services.clock.now(), limits)
    lines = overdue_lines(grouped, lang, workshop_names(context, lang))
    await say(update, "\n".join(lines) if lines else text(lang, "overdue_none"))


@requires(Role.HEAD_OFFICE)
async def export(update: Update, context: Context, who: Principal) -> None:
    """`/export [days]`: the tickets of the period as an Excel workbook, then as a CSV whose
    separator suits the caller's Excel."""
    days = await days_arg(update, context)
    if days is None or update.effective_chat is None:
        return
    lang = lang_of(update, context)
    services = context.services
    now = services.clock.now()
    name = f"tickets-{now:%Y%m%d}-{days}d"
    workbook = await tickets_xlsx(services.storage, services.network, services.tree, now, days)
    await update.effective_chat.send_document(
        workbook, filename=f"{name}.xlsx", caption=label(lang, "export_caption", days=days)
    )
    table = await tickets_csv(services.storage, services.network, services.tree, now, days, lang)
    await update.effective_chat.send_document(
        table, filename=f"{name}.csv", caption=label(lang, "export_csv_caption")
    )
