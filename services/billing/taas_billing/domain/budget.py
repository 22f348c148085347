"""Monthly budget caps per agency and the alerts raised when spending crosses a threshold.

A threshold of p percent is reached when total x 100 >= cap x p (integer arithmetic, no rounding).
It is crossed by a change from `previous_total` to `new_total` when the previous total had not
reached it and the new one has, so as the month's total only grows, each alert fires exactly once.
Months are the agency's local calendar months.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

DEFAULT_THRESHOLDS = (80, 100)


@dataclass(frozen=True, slots=True)
class BudgetCap:
    """An agency's monthly spending cap, in cents."""

    agency_id: str
    monthly_cap_cents: int

    def __post_init__(self) -> None:
        if self.monthly_cap_cents <= 0:
            raise ValueError("a monthly cap must be a positive number of cents")


def _reached(total_cents: int, cap_cents: int, percent: int) -> bool:
    return total_cents * 100 >= cap_cents * percent


def crossed_thresholds(
    previous_total: int, new_total: int, cap: int | None, thresholds: Sequence[int] = DEFAULT_THRESHOLDS
) -> list[int]:
    """The thresholds (percent of cap, ascending) that the move from previous to new total crosses."""
    if cap is None:
        return []
    if cap <= 0:
        raise ValueError("a monthly cap must be a positive number of cents")
    if any(percent <= 0 for percent in thresholds):
        raise ValueError(f"thresholds must be positive percentages: {list(thresholds)}")
    return sorted(
        percent
        for percent in set(thresholds)
        if not _reached(previous_total, cap, percent) and _reached(new_total, cap, percent)
    )


def thresholds_to_raise(
    total: int, cap: int | None, already_raised: Iterable[int], thresholds: Sequence[int] = DEFAULT_THRESHOLDS
) -> list[int]:
    """The thresholds the month's total has reached that were not raised yet (ascending).

    Unlike `crossed_thresholds` this needs no previous total, so it stays right when the cap changes
    between charges and when the same charge is seen twice: what was raised is never raised again.
    """
    if cap is None or cap <= 0:
        return []
    raised = set(already_raised)
    return [percent for percent in crossed_thresholds(0, total, cap, thresholds) if percent not in raised]


def billing_month(instant: datetime, time_zone: ZoneInfo) -> str:
    """The agency-local calendar month, `YYYY-MM`, an instant falls in."""
    if instant.tzinfo is None:
        raise ValueError("billing_month needs a timezone-aware instant")
    return instant.astimezone(time_zone).strftime("%Y-%m")
