from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.notifications import Kind
from bot.pacing import Pacer
from bot.quiet_hours import QuietHours
from bot.reminders import Facts, dropoff_schedule, still_meaningful
from bot.tickets import Status

BERLIN = ZoneInfo("Europe/Berlin")
MOSCOW = ZoneInfo("Europe/Moscow")
NIGHT = QuietHours.parse("21:00-09:00")


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        ("20:59", False),
        ("21:00", True),
        ("23:59", True),
        ("00:00", True),
        ("08:59", True),
        ("09:00", False),
        ("12:00", False),
    ],
)
def test_quiet_hours_span_midnight(clock: str, quiet: bool) -> None:
    assert NIGHT.is_quiet(time.fromisoformat(clock)) is quiet


def test_a_message_due_at_night_waits_until_nine_local_time() -> None:
    late = datetime(2026, 11, 26, 22, 30, tzinfo=MOSCOW).astimezone(UTC)
    assert NIGHT.next_allowed(late, MOSCOW) == datetime(2026, 11, 27, 9, 0, tzinfo=MOSCOW)
    early = datetime(2026, 11, 27, 7, 0, tzinfo=MOSCOW).astimezone(UTC)
    assert NIGHT.next_allowed(early, MOSCOW) == datetime(2026, 11, 27, 9, 0, tzinfo=MOSCOW)
    day = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert NIGHT.next_allowed(day, MOSCOW) == day


def test_the_morning_after_a_daylight_saving_change_is_still_nine_on_the_wall() -> None:
    night_of_change = datetime(2026, 10, 24, 23, 0, tzinfo=BERLIN).astimezone(UTC)
    morning = NIGHT.next_allowed(night_of_change, BERLIN)
    assert morning.astimezone(BERLIN).time() == time(9, 0)
    assert morning.astimezone(BERLIN).utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("text", ["9-21", "21:00", "10:00-10:00", ""])
def test_bad_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"21:00-09:00|empty"):
        QuietHours.parse(text)


def test_drop_off_reminders_keep_their_wall_clock_time_across_a_daylight_saving_change() -> None:
    slot = datetime(2026, 10, 26, 10, 0, tzinfo=BERLIN).astimezone(UTC)  # Monday after the change
    booked = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    schedule = dict(dropoff_schedule(slot, BERLIN, booked))
    assert schedule[Kind.DROPOFF_EVENING].astimezone(BERLIN).time() == time(18, 0)
    assert schedule[Kind.DROPOFF_SOON] == slot - timedelta(hours=2)
    assert schedule[Kind.NO_SHOW_CHECK] == slot + timedelta(hours=2)


def test_reminders_whose_time_has_passed_at_booking_are_not_planned() -> None:
    slot = datetime(2026, 11, 27, 10, 0, tzinfo=MOSCOW).astimezone(UTC)
    booked_late = datetime(2026, 11, 27, 8, 30, tzinfo=MOSCOW).astimezone(UTC)
    kinds = [kind for kind, _ in dropoff_schedule(slot, MOSCOW, booked_late)]
    assert kinds == [Kind.NO_SHOW_CHECK]


def facts(
    status: Status | None, slot: datetime | None = None, pending: bool = False, rated: bool = False
) -> Facts:
    return Facts(status=status, slot_start=slot, estimate_pending=pending, rated=rated)


NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "fact", "meaningful"),
    [
        (Kind.DROPOFF_SOON, facts(Status.BOOKED, NOW + timedelta(hours=1)), True),
        (Kind.DROPOFF_SOON, facts(Status.BOOKED, NOW - timedelta(minutes=1)), False),
        (Kind.DROPOFF_EVENING, facts(Status.CANCELLED, NOW + timedelta(hours=5)), False),
        (Kind.NO_SHOW_CHECK, facts(Status.RECEIVED), False),
        (Kind.NO_SHOW_CHECK, facts(Status.BOOKED), True),
        (Kind.PICKUP_REMINDER, facts(Status.PICKED_UP), False),
        (Kind.ESTIMATE_REMINDER, facts(Status.DIAGNOSING, pending=False), False),
        (Kind.ESTIMATE_REMINDER, facts(Status.DIAGNOSING, pending=True), True),
        (Kind.FEEDBACK, facts(Status.PICKED_UP, rated=True), False),
        (Kind.STATUS, facts(Status.CANCELLED), True),
    ],
)
def test_a_message_is_sent_late_only_while_it_still_means_something(
    kind: Kind, fact: Facts, meaningful: bool
) -> None:
    assert still_meaningful(kind, NOW, fact, NOW) is meaningful


def test_feedback_requests_expire_after_three_days() -> None:
    due = NOW - timedelta(days=3, minutes=1)
    assert not still_meaningful(Kind.FEEDBACK, due, facts(Status.PICKED_UP), NOW)


class ManualTimer:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_the_pacer_spaces_bulk_sends_evenly_and_keeps_to_the_limits() -> None:
    timer = ManualTimer()
    pacer = Pacer(per_second=4, timer=timer)
    await pacer.wait_turn(1)
    assert pacer.delay(2) == pytest.approx(0.25), "the next send waits a quarter second"
    for chat in (2, 3, 4):
        timer.now += 0.25
        await pacer.wait_turn(chat)
    timer.now += 0.25
    assert pacer.delay(5) > 0, "four sends in the last second: the fifth waits"
    assert pacer.delay(1) > 0, "chat 1 had a message within the second"
    timer.now += 1.1
    assert pacer.delay(5) <= 0


async def test_replies_count_toward_the_limit_and_a_retry_after_pauses_bulk_sends() -> None:
    timer = ManualTimer()
    pacer = Pacer(per_second=2, timer=timer)
    pacer.note(1)
    pacer.note(2)
    assert pacer.delay(3) > 0.9, "two replies used this second's budget"
    timer.now += 2
    assert pacer.delay(3) <= 0
    pacer.pause(5)
    assert pacer.delay(3) == pytest.approx(5)


async def test_a_retry_after_for_one_chat_holds_that_chat_and_no_other() -> None:
    timer = ManualTimer()
    pacer = Pacer(per_second=2, timer=timer)
    pacer.hold(1, 20)
    assert pacer.held_for(1) == pytest.approx(20)
    assert pacer.held_for(2) == 0
    assert pacer.delay(2) <= 0, "bulk sends are not paused for everyone"
    pacer.hold(1, 5)
    assert pacer.held_for(1) == pytest.approx(20), "a shorter wait does not cut a longer one"
    timer.now += 20
    assert pacer.held_for(1) == 0
