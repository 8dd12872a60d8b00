"""Keyboards, built by small pure functions from what the step offers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.handlers.callbacks import (
    AnswerPick,
    Ask,
    CancelConfirm,
    CancelKeep,
    CardCancel,
    CategoryPick,
    CausePick,
    DayPick,
    Decision,
    DescriptionDone,
    FixOutcome,
    GuardedKeep,
    GuardedMove,
    LanguagePick,
    MenuPick,
    Nav,
    Payload,
    PurchasePick,
    QuoteDecision,
    ReasonPick,
    SlotPick,
    WorkshopPick,
)
from bot.handlers.formatting import day_label, km
from bot.i18n import Lang, pick
from bot.locator import Nearby
from bot.messages import label
from bot.status_rules import CancelReason
from bot.tickets import Status
from bot.troubleshooting import Node, TroubleshootingTree
from bot.warranty import Cause, PurchaseAge

Row = list[tuple[str, Payload]]
T = TypeVar("T")


def inline(rows: Sequence[Row]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(text, callback_data=payload.encode()) for text, payload in row]
            for row in rows
            if row
        ]
    )


def link(text: str, url: str) -> InlineKeyboardMarkup:
    """One button that opens a link."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, url=url)]])


def chunks(items: Sequence[T], size: int) -> list[list[T]]:
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def nav_row(lang: Lang, back: bool = True) -> Row:
    row: Row = [(label(lang, "btn_back"), Nav(to="back"))] if back else []
    return [*row, (label(lang, "btn_exit"), Nav(to="exit"))]


def main_menu(lang: Lang) -> InlineKeyboardMarkup:
    return inline(
        [
            [(label(lang, "menu_repair"), MenuPick(item="repair"))],
            [(label(lang, "menu_bookings"), MenuPick(item="bookings"))],
            ask_row(lang, None),
            [
                (label(lang, "menu_language"), MenuPick(item="language")),
                (label(lang, "menu_help"), MenuPick(item="help")),
            ],
        ]
    )


def ask_row(lang: Lang, code: str | None, named: bool = False) -> Row:
    """`💬 Ask a question`, about a ticket or (no code) about none; `named` says which ticket,
    where a message shows several."""
    key = "btn_ask_about" if named and code else "btn_ask"
    return [(label(lang, key, code=code), Ask(code=code))]


def ask_button(lang: Lang, code: str | None) -> InlineKeyboardMarkup:
    return inline([ask_row(lang, code)])


def languages() -> InlineKeyboardMarkup:
    return inline(
        [[("English", LanguagePick(lang=Lang.EN)), ("Русский", LanguagePick(lang=Lang.RU))]]
    )


def categories(lang: Lang, tree: TroubleshootingTree) -> InlineKeyboardMarkup:
    buttons = [
        (pick(category.title, lang), CategoryPick(category=category.id))
        for category in tree.categories.values()
    ]
    return inline([*chunks(buttons, 2), nav_row(lang, back=False)])


def question(lang: Lang, node: Node) -> InlineKeyboardMarkup:
    return inline(
        [
            *[
                [(pick(option.label, lang), AnswerPick(node=node.id, option=index))]
                for index, option in enumerate(node.options)
            ],
            nav_row(lang),
        ]
    )


def fix(lang: Lang, node: Node) -> InlineKeyboardMarkup:
    return inline(
        [
            [(label(lang, "btn_fixed"), FixOutcome(node=node.id, helped="y"))],
            [(label(lang, "btn_still_broken"), FixOutcome(node=node.id, helped="n"))],
            nav_row(lang),
        ]
    )


def description(lang: Lang, sent: bool, back: bool = True) -> InlineKeyboardMarkup:
    """`Skip` until something was sent, then `➡️ Continue`."""
    onward = label(lang, "btn_continue" if sent else "btn_skip")
    return inline([[(onward, DescriptionDone())], nav_row(lang, back=back)])


def purchase_ages(lang: Lang) -> InlineKeyboardMarkup:
    """When the product was bought, one answer a row, then Back and Exit."""
    rows: list[Row] = [
        [(label(lang, f"btn_bought_{age.value}"), PurchasePick(age=age))] for age in PurchaseAge
    ]
    return inline([*rows, nav_row(lang)])


def location_request(lang: Lang, cities: Sequence[str]) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(label(lang, "btn_send_location"), request_location=True)],
            *chunks([KeyboardButton(city) for city in cities], 3),
            [KeyboardButton(label(lang, "btn_back")), KeyboardButton(label(lang, "btn_exit"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=False,
    )


def workshops(lang: Lang, nearby: Sequence[Nearby]) -> InlineKeyboardMarkup:
    return inline(
        [
            *[
                [
                    (
                        label(
                            lang,
                            "workshop_button",
                            name=item.workshop.title(lang),
                            km=km(lang, item.km),
                        ),
                        WorkshopPick(code=item.workshop.code),
                    )
                ]
                for item in nearby
            ],
            nav_row(lang),
        ]
    )


def none_near(lang: Lang, nearest: Nearby) -> InlineKeyboardMarkup:
    """No workshop within reach: the nearest may still be chosen, knowing how far it is, head
    office asked (it can arrange a courier or a partner), or another place typed."""
    book_anyway = label(
        lang, "btn_book_far", name=nearest.workshop.title(lang), km=km(lang, nearest.km)
    )
    return inline(
        [
            [(book_anyway, WorkshopPick(code=nearest.workshop.code))],
            ask_row(lang, None),
            nav_row(lang),
        ]
    )


def days(lang: Lang, open_days: Sequence[date], today: date) -> InlineKeyboardMarkup:
    buttons = [(day_label(lang, day, today), DayPick(day=day)) for day in open_days]
    return inline([*chunks(buttons, 3), nav_row(lang)])


def slots(lang: Lang, starts: Sequence[datetime], zone: ZoneInfo) -> InlineKeyboardMarkup:
    buttons = [
        (f"{start.astimezone(zone):%H:%M}", SlotPick(start=int(start.timestamp())))
        for start in starts
    ]
    return inline([*chunks(buttons, 4), nav_row(lang)])


def phone_request(lang: Lang) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(label(lang, "btn_share_phone"), request_contact=True)],
            [KeyboardButton(label(lang, "btn_skip"))],
            [KeyboardButton(label(lang, "btn_back")), KeyboardButton(label(lang, "btn_exit"))],
        ],
        resize_keyboard=True,
    )


def confirmation(lang: Lang) -> InlineKeyboardMarkup:
    return inline(
        [
            [
                (label(lang, "btn_confirm"), Decision(confirm="yes")),
                (label(lang, "btn_cancel"), Decision(confirm="no")),
            ],
            [(label(lang, "btn_back"), Nav(to="back"))],
        ]
    )


def cancellable(lang: Lang, codes: Sequence[str]) -> InlineKeyboardMarkup:
    return inline(
        [[(label(lang, "btn_cancel_booking", code=code), CardCancel(code=code))] for code in codes]
    )


def cancel_question(lang: Lang, code: str) -> InlineKeyboardMarkup:
    return inline(
        [
            [
                (label(lang, "btn_yes_cancel"), CancelConfirm(code=code)),
                (label(lang, "btn_keep"), CancelKeep(code=code)),
            ]
        ]
    )


def cancel_reasons(lang: Lang, code: str) -> InlineKeyboardMarkup:
    """Why a ticket is cancelled, or keep it after all."""
    reasons: Row = [
        (label(lang, f"btn_reason_{reason.value}"), ReasonPick(code=code, reason=reason))
        for reason in CancelReason
    ]
    return inline([*chunks(reasons, 2), keep_ticket(lang, code)])


def causes(lang: Lang, code: str, chosen: Cause | None) -> InlineKeyboardMarkup:
    """Why the product broke; the cause recorded so far is marked."""
    buttons: Row = [
        (
            ("• " if cause is chosen else "") + label(lang, f"btn_cause_{cause.value}"),
            CausePick(code=code, cause=cause),
        )
        for cause in Cause
    ]
    return inline(chunks(buttons, 2))


def confirm_move(
    lang: Lang, code: str, status: Status, reason: CancelReason | None
) -> InlineKeyboardMarkup:
    """The last word before a move that ends a customer's repair."""
    key = "btn_confirm_cancel" if status is Status.CANCELLED else "btn_confirm_no_show"
    confirm = GuardedMove(code=code, status=status.value, reason=reason or "-")
    return inline([[(label(lang, key), confirm), *keep_ticket(lang, code)]])


def keep_ticket(lang: Lang, code: str) -> Row:
    """`Keep the ticket`: the way out of a move that ends a customer's repair."""
    return [(label(lang, "btn_keep_ticket"), GuardedKeep(code=code))]


def quote_preview(lang: Lang, draft: int) -> InlineKeyboardMarkup:
    return inline(
        [
            [
                (label(lang, "btn_send_quote"), QuoteDecision(draft=draft, send="y")),
                (label(lang, "btn_cancel"), QuoteDecision(draft=draft, send="n")),
            ]
        ]
    )
