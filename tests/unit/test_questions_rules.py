"""Who answers a question, who may write in a thread, and when an unanswered one is late."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.handlers.callbacks import Ask, HandOver, ThreadReply
from bot.questions import answer_due, answerer, may_answer
from bot.roles import Principal, Role
from bot.storage.questions import ThreadRecord
from bot.storage.tickets import TicketRecord
from bot.tickets import Status
from bot.workshops import OpeningHours

MOSCOW = ZoneInfo("Europe/Moscow")
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
WEEKDAYS_ONLY = {day: OpeningHours(time(9), time(18)) for day in WORKDAYS}
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def moscow(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=MOSCOW)


def ticket(status: Status) -> TicketRecord:
    return TicketRecord(
        code="SR-7K2Q9D",
        customer_id=1,
        workshop_code="MSK-1",
        category="washer",
        slot_start=None,
        status=status,
        phone=None,
        case_id=None,
        description=None,
        id=1,
        created_at=NOW,
        updated_at=NOW,
        status_since=NOW,
        eta=None,
    )


def thread(workshop_code: str | None) -> ThreadRecord:
    return ThreadRecord(1, 1, 1, workshop_code, None, NOW)


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        (moscow(26, 10, 0), moscow(26, 11, 0)),  # Thursday, in opening hours
        (moscow(26, 17, 30), moscow(27, 9, 30)),  # the night does not count
        (moscow(26, 7, 0), moscow(26, 10, 0)),  # before opening: the clock starts at 09:00
        (moscow(27, 17, 45), moscow(30, 9, 45)),  # Friday evening: the weekend does not count
        (moscow(28, 12, 0), moscow(30, 10, 0)),  # asked on Saturday
    ],
)
def test_an_answer_is_due_after_sixty_minutes_of_opening_hours(
    asked: datetime, due: datetime
) -> None:
    assert answer_due(asked.astimezone(UTC), WEEKDAYS_ONLY, MOSCOW, 60) == due


def test_a_workshop_never_open_is_given_plain_minutes() -> None:
    assert answer_due(NOW, {}, MOSCOW, 60) == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.BOOKED, "MSK-1"),
        (Status.REPAIRING, "MSK-1"),
        (Status.CANCELLED, None),
        (Status.PICKED_UP, None),
        (Status.NO_SHOW, None),
    ],
)
def test_the_workshop_answers_about_an_open_ticket_and_head_office_about_the_rest(
    status: Status, expected: str | None
) -> None:
    assert answerer(ticket(status)) == expected


def test_a_question_about_no_ticket_goes_to_head_office() -> None:
    assert answerer(None) is None


def test_only_the_threads_workshop_and_head_office_may_answer() -> None:
    assert may_answer(Principal(5, Role.STAFF, "MSK-1"), thread("MSK-1"))
    assert not may_answer(Principal(5, Role.STAFF, "SPB-1"), thread("MSK-1"))
    assert not may_answer(Principal(5, Role.STAFF, "MSK-1"), thread(None))
    assert not may_answer(Principal(5, Role.CUSTOMER), thread("MSK-1"))
    assert may_answer(Principal(5, Role.HEAD_OFFICE), thread(None))


@pytest.mark.parametrize(
    ("payload", "data"),
    [
        (Ask(), "ask:"),
        (Ask(code="SR-7K2Q9D"), "ask:SR-7K2Q9D"),
        (ThreadReply(thread=12), "qr:12"),
        (HandOver(thread=12), "qh:12"),
    ],
)
def test_question_buttons_encode_as_the_contract_says_and_read_back(
    payload: Ask | ThreadReply | HandOver, data: str
) -> None:
    assert payload.encode() == data
    assert type(payload).decode(data) == payload


@pytest.mark.parametrize("data", ["ask", "ask:SR-1", "ask:sr-7k2q9d", "ask:SR-7K2Q9D:x", "qr:0"])
def test_forged_question_buttons_read_as_nothing(data: str) -> None:
    assert Ask.decode(data) is None and ThreadReply.decode(data) is None
