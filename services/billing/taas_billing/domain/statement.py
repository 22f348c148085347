"""A monthly statement's arithmetic: charges, credits for staff lent out, pool fees, totals, budget status.

An agency's statement for a month holds two kinds of lines. A charge is a segment of work the
agency requested: it owes the whole amount (the pool fee is part of it). A credit is a segment
worked by staff the agency lent to another jurisdiction: it is owed the amount minus the pool fee.
Net due is charges minus credits (negative when the agency is owed money). Budget status compares
the charges alone with the monthly cap, since the cap limits what an agency spends.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from taas_billing.domain.budget import DEFAULT_THRESHOLDS


class LineType(StrEnum):
    """Which side of the statement a line is on."""

    CHARGE = "charge"
    CREDIT = "credit"


class BudgetState(StrEnum):
    """Where the month's charges stand against the cap."""

    NO_CAP = "no_cap"
    WITHIN = "within"
    WARNING = "warning"  # at or past the lowest threshold (80 %)
    EXCEEDED = "exceeded"  # at or past 100 %


@dataclass(frozen=True, slots=True)
class LineAmounts:
    """The money of one statement line, in cents."""

    line_type: LineType
    amount_cents: int
    fee_cents: int

    @property
    def net_cents(self) -> int:
        """What the line adds to (charge) or takes off (credit) the agency's bill."""
        return self.amount_cents if self.line_type is LineType.CHARGE else self.amount_cents - self.fee_cents


@dataclass(frozen=True, slots=True)
class StatementTotals:
    """Sums of a statement's lines, in cents."""

    charges_cents: int
    fees_in_charges_cents: int
    credits_cents: int
    fees_withheld_cents: int
    net_due_cents: int


def totals(lines: Iterable[LineAmounts]) -> StatementTotals:
    """Add up a statement's lines; every total is a plain sum of rounded line amounts."""
    charges = fees_in = credits = fees_withheld = 0
    for line in lines:
        if line.line_type is LineType.CHARGE:
            charges += line.amount_cents
            fees_in += line.fee_cents
        else:
            credits += line.net_cents
            fees_withheld += line.fee_cents
    return StatementTotals(charges, fees_in, credits, fees_withheld, charges - credits)


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """The month's charges against the agency's cap."""

    state: BudgetState
    cap_cents: int | None
    spent_cents: int
    remaining_cents: int | None
    percent_used: Decimal | None  # two decimals, half-to-even


def budget_status(spent_cents: int, cap_cents: int | None) -> BudgetStatus:
    """Classify spending against a cap (None or 0: no cap)."""
    if not cap_cents:
        return BudgetStatus(BudgetState.NO_CAP, None, spent_cents, None, None)
    percent = (Decimal(spent_cents * 100) / Decimal(cap_cents)).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    if spent_cents * 100 >= cap_cents * 100:
        state = BudgetState.EXCEEDED
    elif spent_cents * 100 >= cap_cents * min(DEFAULT_THRESHOLDS):
        state = BudgetState.WARNING
    else:
        state = BudgetState.WITHIN
    return BudgetStatus(state, cap_cents, spent_cents, cap_cents - spent_cents, percent)
