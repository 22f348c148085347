"""Statement arithmetic: charges, credits net of the pool fee, totals and budget status."""

from decimal import Decimal

from taas_billing.domain.statement import BudgetState, LineAmounts, LineType, budget_status, totals


def test_totals_charge_in_full_and_credit_net_of_fee() -> None:
    lines = [
        LineAmounts(LineType.CHARGE, 24_000, 1_200),
        LineAmounts(LineType.CHARGE, 9_000, 450),
        LineAmounts(LineType.CREDIT, 209_250, 10_462),
    ]
    result = totals(lines)
    assert result.charges_cents == 33_000
    assert result.fees_in_charges_cents == 1_650
    assert result.credits_cents == 198_788
    assert result.fees_withheld_cents == 10_462
    assert result.net_due_cents == 33_000 - 198_788


def test_empty_statement_is_all_zero() -> None:
    assert totals([]) == totals(())
    assert totals([]).net_due_cents == 0


def test_budget_status_thresholds_are_inclusive() -> None:
    assert budget_status(500, None).state is BudgetState.NO_CAP
    assert budget_status(500, 0).state is BudgetState.NO_CAP
    assert budget_status(799, 999).state is BudgetState.WITHIN
    assert budget_status(800, 999).state is BudgetState.WARNING
    status = budget_status(1_000_000, 1_000_000)
    assert status.state is BudgetState.EXCEEDED
    assert status.percent_used == Decimal("100.00")
    assert status.remaining_cents == 0
    assert budget_status(1, 3).percent_used == Decimal("33.33")
