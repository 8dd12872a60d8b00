"""Button payloads: what the bot writes reads back, and anything forged reads as nothing."""

from __future__ import annotations

from datetime import date

import pytest

from bot.handlers.callbacks import (
    AnswerPick,
    BroadcastDecision,
    DayPick,
    EstimateAnswer,
    JobsPageTurn,
    Payload,
    Rating,
    RescheduleDay,
    RescheduleSlot,
    SlotPick,
)

BEYOND_64_BITS = "9" * 20
YEAR_10000 = "253402300800"
"""Unix seconds of 10000-01-01: `datetime.fromtimestamp` refuses it."""


@pytest.mark.parametrize(
    "payload",
    [
        SlotPick(start=1_795_680_000),
        DayPick(day=date(2026, 11, 27)),
        RescheduleDay(code="SR-7K2Q9D", day=date(2026, 11, 27)),
        RescheduleSlot(code="SR-7K2Q9D", start=1_795_680_000),
        EstimateAnswer(estimate=2**63 - 1, approve="y"),
        BroadcastDecision(broadcast=12, confirm="n"),
        Rating(code="SR-7K2Q9D", stars=5),
        JobsPageTurn(scope="-", status="ready", page=3),
    ],
)
def test_every_payload_the_bot_writes_reads_back_as_itself(payload: Payload) -> None:
    assert type(payload).decode(payload.encode()) == payload


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (SlotPick, f"slot:{BEYOND_64_BITS}"),
        (SlotPick, f"slot:{YEAR_10000}"),
        (SlotPick, "slot:0"),
        (SlotPick, "slot:-1"),
        (RescheduleSlot, f"rss:SR-7K2Q9D:{BEYOND_64_BITS}"),
        (RescheduleSlot, f"rss:SR-7K2Q9D:{YEAR_10000}"),
        (DayPick, "day:9999-12-31"),
        (DayPick, "day:0001-01-01"),
        (RescheduleDay, "rsd:SR-7K2Q9D:9999-12-31"),
        (EstimateAnswer, f"est:{BEYOND_64_BITS}:y"),
        (EstimateAnswer, f"est:{2**63}:y"),
        (EstimateAnswer, f"est:{'9' * 5000}:y"),
        (BroadcastDecision, f"bc:{BEYOND_64_BITS}:y"),
        (Rating, "fb:SR-7K2Q9D:6"),
        (Rating, "fb:SR-7K2Q9D:0"),
        (JobsPageTurn, f"jobs:-:-:{BEYOND_64_BITS}"),
        (AnswerPick, "ans:start:8"),
    ],
)
def test_numbers_and_dates_out_of_range_read_as_no_payload(model: type[Payload], data: str) -> None:
    assert model.decode(data) is None


@pytest.mark.parametrize("typed", ["+1", " 1", "1.0", "1_0", "١", "0x1"])
def test_only_the_digits_the_bot_writes_are_read_as_numbers(typed: str) -> None:
    assert Rating.decode(f"fb:SR-7K2Q9D:{typed}") is None
    assert EstimateAnswer.decode(f"est:{typed}:y") is None
