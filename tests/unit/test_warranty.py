"""The warranty rule: a rough purchase age against the category's period."""

from __future__ import annotations

import pytest

from bot.warranty import Likelihood, PurchaseAge, likelihood


@pytest.mark.parametrize(
    ("age", "months", "expected"),
    [
        (PurchaseAge.UNDER_6_MONTHS, 12, Likelihood.LIKELY),
        (PurchaseAge.MONTHS_6_TO_12, 12, Likelihood.LIKELY),
        (PurchaseAge.YEARS_1_TO_2, 12, Likelihood.NO),
        (PurchaseAge.OVER_2_YEARS, 12, Likelihood.NO),
        (PurchaseAge.YEARS_1_TO_2, 24, Likelihood.LIKELY),
        (PurchaseAge.OVER_2_YEARS, 24, Likelihood.NO),
        (PurchaseAge.YEARS_1_TO_2, 18, Likelihood.UNKNOWN),
        (PurchaseAge.MONTHS_6_TO_12, 9, Likelihood.UNKNOWN),
        (PurchaseAge.UNDER_6_MONTHS, 3, Likelihood.UNKNOWN),
        (PurchaseAge.OVER_2_YEARS, 36, Likelihood.UNKNOWN),
    ],
)
def test_a_purchase_age_is_likely_under_warranty_only_when_wholly_within_the_period(
    age: PurchaseAge, months: int, expected: Likelihood
) -> None:
    assert likelihood(age, months) is expected


def test_dont_know_no_answer_or_no_period_leave_the_warranty_unknown() -> None:
    assert likelihood(PurchaseAge.UNKNOWN, 12) is Likelihood.UNKNOWN
    assert likelihood(None, 12) is Likelihood.UNKNOWN
    assert likelihood(PurchaseAge.UNDER_6_MONTHS, None) is Likelihood.UNKNOWN
