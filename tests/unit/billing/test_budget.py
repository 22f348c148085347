"""Budget thresholds: each alert exactly once as a month's total grows past it."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taas_billing.domain.budget import BudgetCap, billing_month, crossed_thresholds

CAP = 1_000_000  # $10,000.00


def test_crossing_eighty_percent_alerts_once() -> None:
    assert crossed_thresholds(700_000, 800_000, CAP) == [80]  # reaching exactly 80 % counts
    assert crossed_thresholds(800_000, 900_000, CAP) == []
    assert crossed_thresholds(799_999, 799_999, CAP) == []


def test_one_charge_can_cross_both_thresholds() -> None:
    assert crossed_thresholds(500_000, 1_200_000, CAP) == [80, 100]
    assert crossed_thresholds(1_200_000, 1_500_000, CAP) == []


def test_no_cap_no_alerts_and_custom_thresholds() -> None:
    assert crossed_thresholds(0, 10**12, None) == []
    assert crossed_thresholds(0, 500_000, CAP, thresholds=(100, 50, 25)) == [25, 50]


def test_thresholds_compare_exactly_without_rounding() -> None:
    # 80 % of 999 cents is 799.2: 799 has not reached it, 800 has.
    assert crossed_thresholds(0, 799, 999) == []
    assert crossed_thresholds(799, 800, 999) == [80]


def test_caps_must_be_positive() -> None:
    with pytest.raises(ValueError):
        crossed_thresholds(0, 1, 0)
    with pytest.raises(ValueError):
        BudgetCap("ash-county", 0)


def test_billing_month_is_the_agencys_local_month() -> None:
    # 2027-07-01 03:00 UTC is still June 30 in New York.
    assert billing_month(datetime(2027, 7, 1, 3, tzinfo=UTC), ZoneInfo("America/New_York")) == "2027-06"
    assert billing_month(datetime(2027, 7, 1, 5, tzinfo=UTC), ZoneInfo("America/New_York")) == "2027-07"


@given(cap=st.integers(1, 10**9), charges=st.lists(st.integers(0, 10**8), max_size=30))
def test_each_threshold_alerts_exactly_once_as_the_total_grows(cap: int, charges: list[int]) -> None:
    alerts: list[int] = []
    total = 0
    for charge in charges:
        alerts += crossed_thresholds(total, total + charge, cap)
        total += charge

    assert sorted(alerts) == alerts
    assert alerts == [percent for percent in (80, 100) if total * 100 >= cap * percent]


def test_thresholds_to_raise_skips_what_was_raised_and_follows_cap_changes() -> None:
    from taas_billing.domain.budget import thresholds_to_raise

    assert thresholds_to_raise(850_000, CAP, []) == [80]
    assert thresholds_to_raise(850_000, CAP, [80]) == []
    assert thresholds_to_raise(1_000_000, CAP, [80]) == [100]
    # The cap was lowered after 80 % was raised: the next charge raises 100 % at once.
    assert thresholds_to_raise(900_000, 850_000, [80]) == [100]
    assert thresholds_to_raise(10**9, None, []) == []
    assert thresholds_to_raise(10**9, 0, []) == []
