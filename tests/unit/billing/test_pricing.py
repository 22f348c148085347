"""Pricing: call-out minimum, multipliers, rounding, deterministic keys (docs/billing.md examples)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from taas_billing.domain.business_hours import AgencyHours, TimeEntry
from taas_billing.domain.pricing import CompletedWork, RateRules, SegmentKind, price_work
from taas_contracts.catalog import RequestKind, Severity

RATE = 12_000  # $120.00 an hour


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def incident(hours: AgencyHours, severity: Severity, *entries: TimeEntry) -> CompletedWork:
    return CompletedWork("asg-1", RATE, RequestKind.INCIDENT, severity, tuple(entries), hours)


def test_short_incident_gets_a_callout_line_for_the_shortfall(office_hours: AgencyHours, rules: RateRules) -> None:
    # Example 1: Tuesday 2027-06-08, 10:00-10:45 EDT, high severity.
    work = incident(office_hours, Severity.HIGH, TimeEntry(utc(2027, 6, 8, 14), utc(2027, 6, 8, 14, 45)))

    worked, callout = price_work(work, rules)

    assert worked.kind is SegmentKind.BUSINESS_HOURS
    assert (worked.billed, worked.amount_cents) == (timedelta(minutes=45), 9_000)
    assert (callout.kind, callout.billed, callout.amount_cents) == (SegmentKind.CALLOUT, timedelta(minutes=75), 15_000)
    assert callout.key == "asg-1:1:callout"
    assert (callout.start, callout.end) == (worked.start, worked.end)


def test_callout_is_priced_at_the_first_segments_multiplier(office_hours: AgencyHours, rules: RateRules) -> None:
    # Critical, Tuesday 16:30-17:30 EDT: 30 min in hours (x1.5), 30 after (x1.875); 60 min short at x1.5.
    work = incident(office_hours, Severity.CRITICAL, TimeEntry(utc(2027, 6, 8, 20, 30), utc(2027, 6, 8, 21, 30)))

    segments = price_work(work, rules)

    assert [s.amount_cents for s in segments] == [9_000, 11_250, 18_000]
    assert segments[-1].multiplier == Decimal("1.5")


def test_callout_counts_all_entries_together(office_hours: AgencyHours, rules: RateRules) -> None:
    first = TimeEntry(utc(2027, 6, 8, 14), utc(2027, 6, 8, 15))
    second = TimeEntry(utc(2027, 6, 8, 16), utc(2027, 6, 8, 17))

    segments = price_work(incident(office_hours, Severity.LOW, first, second), rules)

    assert [s.kind for s in segments] == [SegmentKind.BUSINESS_HOURS, SegmentKind.BUSINESS_HOURS]
    assert sum(s.amount_cents for s in segments) == 24_000


def test_vacancies_have_no_callout_minimum(office_hours: AgencyHours, rules: RateRules) -> None:
    entry = TimeEntry(utc(2027, 6, 8, 14), utc(2027, 6, 8, 14, 30))
    work = CompletedWork("vac-1", RATE, RequestKind.VACANCY, None, (entry,), office_hours)

    assert [s.amount_cents for s in price_work(work, rules)] == [6_000]


def test_work_without_time_entries_bills_nothing(office_hours: AgencyHours, rules: RateRules) -> None:
    assert price_work(incident(office_hours, Severity.CRITICAL), rules) == []


def test_critical_after_hours_across_midnight_stacks_multipliers(office_hours: AgencyHours, rules: RateRules) -> None:
    # Example 2: Friday 2027-06-04 16:00 EDT to Saturday 01:30 EDT, critical.
    work = incident(office_hours, Severity.CRITICAL, TimeEntry(utc(2027, 6, 4, 20), utc(2027, 6, 5, 5, 30)))

    segments = price_work(work, rules)

    assert [(s.key, s.billed, s.multiplier, s.amount_cents) for s in segments] == [
        ("asg-1:0:business_hours", timedelta(hours=1), Decimal("1.5"), 18_000),
        ("asg-1:1:after_hours", timedelta(hours=8, minutes=30), Decimal("1.875"), 191_250),
    ]
    assert segments[1].start == utc(2027, 6, 4, 21)  # 17:00 EDT


def test_without_stacking_only_the_larger_multiplier_applies(office_hours: AgencyHours, rules: RateRules) -> None:
    work = incident(office_hours, Severity.CRITICAL, TimeEntry(utc(2027, 6, 4, 20), utc(2027, 6, 5, 5, 30)))

    segments = price_work(work, replace(rules, stack_multipliers=False))

    assert [(s.multiplier, s.amount_cents) for s in segments] == [(Decimal("1.5"), 18_000), (Decimal("1.5"), 153_000)]


def test_after_hours_alone_and_critical_alone(office_hours: AgencyHours, rules: RateRules) -> None:
    # Wednesday 2027-06-09, 07:00-11:00 EDT: two hours before opening, two hours after.
    entry = TimeEntry(utc(2027, 6, 9, 11), utc(2027, 6, 9, 15))

    high = price_work(incident(office_hours, Severity.HIGH, entry), rules)
    critical = price_work(incident(office_hours, Severity.CRITICAL, entry), rules)

    assert [(s.kind, s.amount_cents) for s in high] == [
        (SegmentKind.AFTER_HOURS, 30_000),
        (SegmentKind.BUSINESS_HOURS, 24_000),
    ]
    assert [s.amount_cents for s in critical] == [45_000, 36_000]


def test_after_hours_thursday_night_into_friday_is_one_segment(office_hours: AgencyHours, rules: RateRules) -> None:
    # Thursday 2027-06-03 22:00 EDT to Friday 10:00 EDT: 11 h after hours across midnight, then 1 h.
    work = incident(office_hours, Severity.MEDIUM, TimeEntry(utc(2027, 6, 4, 2), utc(2027, 6, 4, 14)))

    segments = price_work(work, rules)

    assert [(s.kind, s.billed) for s in segments] == [
        (SegmentKind.AFTER_HOURS, timedelta(hours=11)),
        (SegmentKind.BUSINESS_HOURS, timedelta(hours=1)),
    ]


def test_each_segment_rounds_half_to_even_once(office_hours: AgencyHours, rules: RateRules) -> None:
    # 90.30 $/h: one minute is exactly 150.5 cents, three minutes 451.5 cents.
    one_minute = TimeEntry(utc(2027, 6, 8, 14), utc(2027, 6, 8, 14, 1))
    another_minute = TimeEntry(utc(2027, 6, 8, 15), utc(2027, 6, 8, 15, 1))
    three_minutes = TimeEntry(utc(2027, 6, 8, 16), utc(2027, 6, 8, 16, 3))

    def vacancy(*entries: TimeEntry) -> list[int]:
        work = CompletedWork("vac-2", 9_030, RequestKind.VACANCY, None, entries, office_hours)
        return [s.amount_cents for s in price_work(work, rules)]

    assert vacancy(one_minute) == [150]  # tie goes down to the even cent
    assert vacancy(three_minutes) == [452]  # tie goes up to the even cent
    # Rounded per segment, then summed: 150 + 150, not round(301.0).
    assert vacancy(one_minute, another_minute) == [150, 150]


def test_seconds_are_billed_exactly(office_hours: AgencyHours, rules: RateRules) -> None:
    # 100 $/h after hours x1.25: 18 s is exactly 62.5 cents, 54 s is 187.5 cents.
    def after_hours(seconds: int) -> int:
        entry = TimeEntry(utc(2027, 6, 8, 23), utc(2027, 6, 8, 23) + timedelta(seconds=seconds))
        work = CompletedWork("vac-3", 10_000, RequestKind.VACANCY, None, (entry,), office_hours)
        return price_work(work, rules)[0].amount_cents

    assert (after_hours(18), after_hours(54)) == (62, 188)


def test_keys_do_not_depend_on_the_order_entries_arrive_in(office_hours: AgencyHours, rules: RateRules) -> None:
    morning = TimeEntry(utc(2027, 6, 9, 11), utc(2027, 6, 9, 15))
    evening = TimeEntry(utc(2027, 6, 9, 20), utc(2027, 6, 9, 23))

    forward = price_work(incident(office_hours, Severity.HIGH, morning, evening), rules)
    backward = price_work(incident(office_hours, Severity.HIGH, evening, morning), rules)

    assert forward == backward
    assert [s.key for s in forward] == [
        "asg-1:0:after_hours",
        "asg-1:1:business_hours",
        "asg-1:2:business_hours",
        "asg-1:3:after_hours",
    ]


def test_overlapping_entries_are_refused(office_hours: AgencyHours) -> None:
    with pytest.raises(ValueError, match="overlap"):
        incident(
            office_hours,
            Severity.HIGH,
            TimeEntry(utc(2027, 6, 8, 14), utc(2027, 6, 8, 16)),
            TimeEntry(utc(2027, 6, 8, 15), utc(2027, 6, 8, 17)),
        )


def test_naive_or_backward_entries_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        TimeEntry(datetime(2027, 6, 8, 14), utc(2027, 6, 8, 15))
    with pytest.raises(ValueError, match="end after"):
        TimeEntry(utc(2027, 6, 8, 15), utc(2027, 6, 8, 15))


def test_rules_refuse_float_multipliers() -> None:
    with pytest.raises(ValueError, match="critical_multiplier"):
        RateRules(120, 1.5, Decimal("1.25"), True)  # type: ignore[arg-type]


def test_rate_must_be_integer_cents(office_hours: AgencyHours) -> None:
    with pytest.raises(TypeError):
        CompletedWork("asg-9", 120.0, RequestKind.INCIDENT, Severity.LOW, (), office_hours)  # type: ignore[arg-type]
