"""Whether a repair is likely under warranty, and why things broke.

The customer only says roughly when the product was bought; set against the category's
warranty period that gives `likely`, `no` or, when the answer straddles the end of the
period, `unknown`. Staff decide for sure from the receipt or the serial (`/warranty`).
"""

from __future__ import annotations

from enum import StrEnum

from bot.tickets import Status


class PurchaseAge(StrEnum):
    """When the product was bought, as the customer can tell it."""

    UNDER_6_MONTHS = "lt6m"
    MONTHS_6_TO_12 = "6to12m"
    YEARS_1_TO_2 = "1to2y"
    OVER_2_YEARS = "gt2y"
    UNKNOWN = "unknown"


AGE_MONTHS: dict[PurchaseAge, tuple[int, int | None]] = {
    PurchaseAge.UNDER_6_MONTHS: (0, 6),
    PurchaseAge.MONTHS_6_TO_12: (6, 12),
    PurchaseAge.YEARS_1_TO_2: (12, 24),
    PurchaseAge.OVER_2_YEARS: (24, None),
}
"""Each answer as months since purchase, from (inclusive) and up to (exclusive, None: open)."""


class Likelihood(StrEnum):
    LIKELY = "likely"
    NO = "no"
    UNKNOWN = "unknown"


def likelihood(age: PurchaseAge | None, warranty_months: int | None) -> Likelihood:
    """`likely` if the whole answered range lies within the period, `no` if all of it lies
    after it; a category without a period, no answer or a straddling range is `unknown`."""
    if age is None or age is PurchaseAge.UNKNOWN or warranty_months is None:
        return Likelihood.UNKNOWN
    since, until = AGE_MONTHS[age]
    if until is not None and until <= warranty_months:
        return Likelihood.LIKELY
    if since >= warranty_months:
        return Likelihood.NO
    return Likelihood.UNKNOWN


class Cause(StrEnum):
    """Why the product broke, as staff judge it once the repair is done."""

    DEFECT = "defect"
    MISUSE = "misuse"
    WEAR = "wear"
    ACCIDENT = "accident"
    UNKNOWN = "unknown"


CAUSE_STATUSES: frozenset[Status] = frozenset(
    {Status.DIAGNOSING, Status.WAITING_PARTS, Status.REPAIRING, Status.READY}
)
"""When staff may record or change the cause: once the device is looked at, until pickup.
They are asked when the repair is finished (`ready`)."""
