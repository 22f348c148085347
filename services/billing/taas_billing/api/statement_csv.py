"""A statement as CSV: one row per line, then one row per total and the budget status."""

import csv
import io

from taas_billing.api.models import StatementRead

COLUMNS = ("line_type", "usage_id", "assignment_id", "request_id", "provider_id", "counterparty", "kind",
           "segment_start", "segment_end", "minutes", "rate_cents", "multiplier", "amount_cents", "fee_cents",
           "net_cents")


def render(statement: StatementRead) -> str:
    """CSV text (RFC 4180, CRLF line ends); money in integer cents, instants in ISO 8601 UTC."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("agency_id", statement.agency_id, "period", statement.period, "currency", statement.currency))
    writer.writerow(COLUMNS)
    for line in statement.charges + statement.credits:
        data = line.model_dump(mode="json")
        writer.writerow(data[column] for column in COLUMNS)
    totals = statement.totals.model_dump()
    for name, cents in totals.items():
        writer.writerow(_summary(f"total:{name.removesuffix('_cents')}", cents))
    budget = statement.budget
    writer.writerow(_summary("budget:cap", "" if budget.cap_cents is None else budget.cap_cents))
    writer.writerow(_summary("budget:spent", budget.spent_cents))
    writer.writerow(_summary(f"budget:{budget.state}", budget.percent_used or ""))
    for alert in budget.alerts:
        writer.writerow(_summary(f"budget:alert:{alert.threshold_percent}", alert.total_cents))
    return out.getvalue()


def _summary(label: str, value: object) -> list[object]:
    row: list[object] = [""] * len(COLUMNS)
    row[0] = label
    row[COLUMNS.index("net_cents")] = value
    return row
