"""The per-person token bucket: a burst, then a steady pace, and one warning per streak."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.flood import ALBUM_SIZE, FloodGuard, Verdict

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def verdicts(guard: FloodGuard, user_id: int, count: int, at: datetime) -> list[Verdict]:
    return [guard.check(user_id, at) for _ in range(count)]


def test_a_burst_is_allowed_then_one_warning_then_silence() -> None:
    guard = FloodGuard(burst=3, per_second=1)

    assert verdicts(guard, 1, 6, T0) == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.WARN,
        Verdict.IGNORE,
        Verdict.IGNORE,
    ]


def test_one_person_flooding_leaves_another_untouched() -> None:
    guard = FloodGuard(burst=2, per_second=1)
    verdicts(guard, 1, 50, T0)

    assert verdicts(guard, 2, 2, T0) == [Verdict.ALLOW, Verdict.ALLOW]


def test_the_pace_refills_but_a_new_warning_needs_a_quiet_spell() -> None:
    guard = FloodGuard(burst=4, per_second=2)
    verdicts(guard, 1, 5, T0)  # four allowed, then warned

    # Half a second earns one update back; the streak goes on, so no second warning.
    half = T0 + timedelta(seconds=0.5)
    assert verdicts(guard, 1, 2, half) == [Verdict.ALLOW, Verdict.IGNORE]

    # Quiet long enough to earn the whole burst back: a fresh start, warned again if need be.
    later = half + timedelta(seconds=2)
    assert verdicts(guard, 1, 5, later) == [Verdict.ALLOW] * 4 + [Verdict.WARN]


def test_a_clock_going_backwards_earns_nothing() -> None:
    guard = FloodGuard(burst=1, per_second=1)
    guard.check(1, T0)

    assert guard.check(1, T0 - timedelta(hours=1)) is Verdict.WARN


def test_people_whose_bucket_is_full_again_are_forgotten() -> None:
    guard = FloodGuard(burst=2, per_second=1)
    guard.PRUNE_EVERY = 4
    guard.check(1, T0)
    guard.check(1, T0)
    guard.check(2, T0)
    assert guard.remembered == 2

    guard.check(3, T0 + timedelta(seconds=5))  # the fourth check sweeps: 1 and 2 are full

    assert guard.remembered == 1
    assert verdicts(guard, 1, 3, T0 + timedelta(seconds=5)) == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.WARN,
    ]


@pytest.mark.parametrize(("burst", "per_second"), [(-1, 1.0), (1, 0.0), (1, -1.0)])
def test_nonsense_limits_are_refused(burst: int, per_second: float) -> None:
    with pytest.raises(ValueError, match="burst must be 0"):
        FloodGuard(burst, per_second)


def test_a_burst_of_zero_is_no_limit() -> None:
    guard = FloodGuard(burst=0, per_second=1)

    assert set(verdicts(guard, 1, 1000, T0)) == {Verdict.ALLOW}
    assert not guard.silenced(1, T0)
    assert guard.remembered == 0


def test_silenced_means_refused_without_a_word_and_counts_nothing() -> None:
    guard = FloodGuard(burst=2, per_second=1)
    assert not guard.silenced(1, T0), "nobody is silenced before being warned"
    verdicts(guard, 1, 2, T0)
    assert not guard.silenced(1, T0), "out of allowance, but the warning is still to come"
    assert guard.check(1, T0) is Verdict.WARN

    assert guard.silenced(1, T0)
    assert guard.silenced(1, T0), "asking does not use anything up"

    one_back = T0 + timedelta(seconds=1)
    assert not guard.silenced(1, one_back)
    assert guard.check(1, one_back) is Verdict.ALLOW
    assert guard.silenced(1, one_back)


def test_the_items_of_one_album_cost_one_update_together() -> None:
    guard = FloodGuard(burst=2, per_second=1)

    assert [guard.check(1, T0, album="a1") for _ in range(ALBUM_SIZE)] == [Verdict.ALLOW] * 10
    assert guard.check(1, T0) is Verdict.ALLOW, "one token of two was spent"
    assert guard.check(1, T0) is Verdict.WARN


def test_more_items_under_one_album_id_than_telegram_sends_are_counted_again() -> None:
    guard = FloodGuard(burst=3, per_second=1)

    forged = [guard.check(1, T0, album="a1") for _ in range(ALBUM_SIZE + 3)]

    assert forged[: ALBUM_SIZE + 2] == [Verdict.ALLOW] * (ALBUM_SIZE + 2)
    assert forged[-1] is Verdict.WARN


def test_each_new_album_costs_an_update() -> None:
    guard = FloodGuard(burst=2, per_second=1)

    assert [guard.check(1, T0, album=f"a{n}") for n in range(3)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.WARN,
    ]
