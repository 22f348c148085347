"""Price a completed piece of work: billable segments in integer cents, with deterministic keys.

Rules (the numbers come from `RateRules`, which is data, never code):
- The hourly rate is the one fixed at assignment, in integer cents per hour.
- Each time entry is split at the agency's business-hours boundaries in its local time
  (see `business_hours`); each piece is one billable segment, billed for its real elapsed time.
- Multipliers: a critical incident takes `critical_multiplier` on every segment; a segment
  outside business hours takes `after_hours_multiplier`. When both apply and `stack_multipliers`
  is true they multiply (1.5 x 1.25 = 1.875); when false, only the larger one applies.
- Call-out minimum (incidents only): when the worked time of an incident is shorter than
  `callout_minimum_minutes`, one extra `callout` adjustment line bills the shortfall, at the rate
  and multiplier of the first worked segment (the conditions under which the provider was called
  out). Worked segments are never padded, so every worked line matches logged time exactly.
  Work with no time entries at all is not billed, minimum included.
- Rounding: each segment's amount, rate x multiplier x elapsed hours, is computed exactly and
  rounded half-to-even to a whole cent once (see `money`); totals are sums of segment amounts.
- Keys: segments are numbered 0, 1, 2... in time order (the call-out line last) and keyed
  `<assignment id>:<index>:<kind>`, so the same input always yields the same keys.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from taas_contracts.catalog import RequestKind, Severity

from taas_billing.domain.business_hours import AgencyHours, TimeEntry, WorkedSpan, split_at_business_hours
from taas_billing.domain.money import exact, round_half_even_cents

ONE_HOUR = timedelta(hours=1)
NO_MULTIPLIER = Decimal(1)


class SegmentKind(StrEnum):
    """What a priced line bills for."""

    BUSINESS_HOURS = "business_hours"
    AFTER_HOURS = "after_hours"
    CALLOUT = "callout"


@dataclass(frozen=True, slots=True)
class RateRules:
    """The pool's pricing rules: call-out minimum and multipliers (Decimal, never float)."""

    callout_minimum_minutes: int
    critical_multiplier: Decimal
    after_hours_multiplier: Decimal
    stack_multipliers: bool

    def __post_init__(self) -> None:
        if self.callout_minimum_minutes < 0:
            raise ValueError("callout_minimum_minutes must not be negative")
        for name in ("critical_multiplier", "after_hours_multiplier"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                raise ValueError(f"{name} must be a positive finite Decimal, got {value!r}")


@dataclass(frozen=True, slots=True)
class CompletedWork:
    """Everything pricing needs about one completed assignment."""

    assignment_id: str
    rate_cents_per_hour: int
    kind: RequestKind
    severity: Severity | None  # None for vacancies
    entries: tuple[TimeEntry, ...]
    hours: AgencyHours

    def __post_init__(self) -> None:
        if not self.assignment_id:
            raise ValueError("assignment_id must not be empty")
        if isinstance(self.rate_cents_per_hour, bool) or not isinstance(self.rate_cents_per_hour, int):
            raise TypeError("rate_cents_per_hour must be an int number of cents")
        if self.rate_cents_per_hour < 0:
            raise ValueError("rate_cents_per_hour must not be negative")
        ordered = sorted(self.entries, key=lambda entry: entry.start)
        for earlier, later in zip(ordered, ordered[1:]):
            if later.start < earlier.end:
                # Overlapping entries would bill the same minute twice.
                raise ValueError(f"time entries overlap: {earlier} and {later}")


@dataclass(frozen=True, slots=True)
class PricedSegment:
    """One billable line: for a worked segment `billed` is end - start; for `callout` the shortfall."""

    key: str
    assignment_id: str
    index: int
    kind: SegmentKind
    start: datetime
    end: datetime
    billed: timedelta
    rate_cents_per_hour: int
    multiplier: Decimal
    amount_cents: int


def segment_key(assignment_id: str, index: int, kind: SegmentKind) -> str:
    """The deterministic key of a priced segment, unique per assignment."""
    return f"{assignment_id}:{index}:{kind.value}"


def price_work(work: CompletedWork, rules: RateRules) -> list[PricedSegment]:
    """Price a completed assignment into ordered segments, call-out adjustment last."""
    spans = [
        span
        for entry in sorted(work.entries, key=lambda entry: entry.start)
        for span in split_at_business_hours(entry, work.hours)
    ]
    segments = [_price_span(work, rules, index, span) for index, span in enumerate(spans)]
    callout = _callout_adjustment(work, rules, segments)
    return segments + ([callout] if callout is not None else [])


def segment_multiplier(severity: Severity | None, after_hours: bool, rules: RateRules) -> Decimal:
    """The multiplier for one segment under the stacking rule."""
    applicable = []
    if severity is Severity.CRITICAL:
        applicable.append(rules.critical_multiplier)
    if after_hours:
        applicable.append(rules.after_hours_multiplier)
    if not applicable:
        return NO_MULTIPLIER
    if not rules.stack_multipliers:
        return max(applicable)
    product = NO_MULTIPLIER
    for multiplier in applicable:
        product *= multiplier
    return product


def amount_cents(rate_cents_per_hour: int, multiplier: Decimal, billed: timedelta) -> int:
    """rate x multiplier x hours, exact until one half-to-even rounding to the cent."""
    hours = Fraction(billed // timedelta(microseconds=1), ONE_HOUR // timedelta(microseconds=1))
    return round_half_even_cents(exact(rate_cents_per_hour) * exact(multiplier) * hours)


def _price_span(work: CompletedWork, rules: RateRules, index: int, span: WorkedSpan) -> PricedSegment:
    kind = SegmentKind.BUSINESS_HOURS if span.in_business_hours else SegmentKind.AFTER_HOURS
    multiplier = segment_multiplier(work.severity, not span.in_business_hours, rules)
    billed = span.end - span.start
    return PricedSegment(
        key=segment_key(work.assignment_id, index, kind),
        assignment_id=work.assignment_id,
        index=index,
        kind=kind,
        start=span.start,
        end=span.end,
        billed=billed,
        rate_cents_per_hour=work.rate_cents_per_hour,
        multiplier=multiplier,
        amount_cents=amount_cents(work.rate_cents_per_hour, multiplier, billed),
    )


def _callout_adjustment(
    work: CompletedWork, rules: RateRules, worked: list[PricedSegment]
) -> PricedSegment | None:
    if work.kind is not RequestKind.INCIDENT or not worked:
        return None
    shortfall = timedelta(minutes=rules.callout_minimum_minutes) - sum(
        (segment.billed for segment in worked), timedelta()
    )
    if shortfall <= timedelta():
        return None
    first = worked[0]
    index = len(worked)
    return PricedSegment(
        key=segment_key(work.assignment_id, index, SegmentKind.CALLOUT),
        assignment_id=work.assignment_id,
        index=index,
        kind=SegmentKind.CALLOUT,
        start=first.start,
        end=worked[-1].end,
        billed=shortfall,
        rate_cents_per_hour=work.rate_cents_per_hour,
        multiplier=first.multiplier,
        amount_cents=amount_cents(work.rate_cents_per_hour, first.multiplier, shortfall),
    )
