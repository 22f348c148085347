"""Read use cases behind the API: rate rules, agreements, usage pages, monthly statements."""

import base64
import binascii
from datetime import timedelta
from decimal import Decimal

import asyncpg

from taas_billing.api.models import (
    AgreementRead,
    BudgetAlertRead,
    BudgetRead,
    RateRulesRead,
    StatementLineRead,
    StatementRead,
    StatementTotalsRead,
    UsagePage,
    UsageRead,
)
from taas_billing.domain.statement import LineAmounts, LineType, budget_status, totals
from taas_billing.events import whole_minutes
from taas_billing.repository import agencies, ledger, reads, rules
from taas_kit.jsonutil import plain_decimal


class BadCursor(ValueError):
    """A `cursor` that no page of this API ever returned."""


def rules_read(row: asyncpg.Record) -> RateRulesRead:
    """API form of a rate rules version."""
    return RateRulesRead(
        version=row["version"], callout_minimum_minutes=row["callout_minimum_minutes"],
        critical_multiplier=plain_decimal(row["critical_multiplier"]), after_hours_multiplier=plain_decimal(row["after_hours_multiplier"]),
        stack_multipliers=row["stack_multipliers"], pool_fee_bps=row["pool_fee_bps"], changed_by=row["changed_by"],
        created_at=row["created_at"],
    )


def agreement_read(row: asyncpg.Record) -> AgreementRead:
    """API form of an agreement."""
    return AgreementRead(
        agreement_id=str(row["agreement_id"]), jurisdiction_a=row["jurisdiction_a"],
        jurisdiction_b=row["jurisdiction_b"], fee_bps=row["fee_bps"], note=row["note"],
        created_by=row["created_by"], created_at=row["created_at"],
    )


async def current_rules(conn: asyncpg.Connection) -> RateRulesRead:
    """The rate rules in force."""
    return rules_read(await rules.current(conn))


async def list_agreements(conn: asyncpg.Connection, jurisdiction: str | None) -> list[AgreementRead]:
    """Every agreement, or those one jurisdiction is party to."""
    return [agreement_read(r) for r in await rules.agreements(conn, jurisdiction)]


def encode_cursor(seq: int) -> str:
    """An opaque cursor for the position after `seq`."""
    return base64.urlsafe_b64encode(f"u{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The position a cursor stands for (0: the beginning)."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor("not a cursor of this API") from exc
    if not text.startswith("u") or not text[1:].isdigit():
        raise BadCursor("not a cursor of this API")
    return int(text[1:])


def _billed_seconds(microseconds: int) -> str:
    return plain_decimal(Decimal(microseconds).scaleb(-6).normalize())


def usage_read(row: asyncpg.Record) -> UsageRead:
    """API form of a usage segment."""
    return UsageRead(
        usage_id=str(row["usage_id"]), segment_key=row["segment_key"], assignment_id=row["assignment_id"],
        request_id=row["request_id"], agency_id=row["agency_id"], provider_id=row["provider_id"],
        lending_jurisdiction_id=row["lending_jurisdiction_id"], kind=row["kind"], period=row["month"],
        segment_start=row["segment_start"], segment_end=row["segment_end"],
        billed_seconds=_billed_seconds(row["billed_microseconds"]),
        minutes=whole_minutes(timedelta(microseconds=row["billed_microseconds"])), rate_cents=row["rate_cents"],
        multiplier=plain_decimal(row["multiplier"]), amount_cents=row["amount_cents"], fee_cents=row["fee_cents"],
        source_event_id=row["source_event_id"], rate_rules_version=row["rate_rules_version"],
    )


async def usage_page(conn: asyncpg.Connection, *, agency_id: str | None, provider_id: str | None,
                     period: str | None, cursor: str | None, limit: int) -> UsagePage:
    """One page of usage matching the filters."""
    rows = await reads.usage_page(conn, agency_id=agency_id, provider_id=provider_id, month=period,
                                  after_seq=decode_cursor(cursor), limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return UsagePage(items=[usage_read(r) for r in rows],
                     next_cursor=encode_cursor(rows[-1]["seq"]) if more else None)


def _line(row: asyncpg.Record, line_type: LineType) -> StatementLineRead:
    amounts = LineAmounts(line_type, row["amount_cents"], row["fee_cents"])
    counterparty = row["payee_account"] if line_type is LineType.CHARGE else f"agency:{row['agency_id']}:receivable"
    return StatementLineRead(
        line_type=line_type.value, usage_id=str(row["usage_id"]), assignment_id=row["assignment_id"],
        request_id=row["request_id"], provider_id=row["provider_id"], counterparty=counterparty, kind=row["kind"],
        segment_start=row["segment_start"], segment_end=row["segment_end"],
        minutes=whole_minutes(timedelta(microseconds=row["billed_microseconds"])), rate_cents=row["rate_cents"],
        multiplier=plain_decimal(row["multiplier"]), amount_cents=amounts.amount_cents, fee_cents=amounts.fee_cents,
        net_cents=amounts.net_cents,
    )


async def statement(conn: asyncpg.Connection, agency_id: str, period: str, currency: str) -> StatementRead | None:
    """An agency's statement for a month; None if billing knows nothing of the agency."""
    if not await reads.agency_known(conn, agency_id):
        return None
    charges = [_line(r, LineType.CHARGE) for r in await reads.charges(conn, agency_id, period)]
    credits = [_line(r, LineType.CREDIT) for r in await reads.credits(conn, agency_id, period)]
    sums = totals(LineAmounts(LineType(line.line_type), line.amount_cents, line.fee_cents)
                  for line in charges + credits)
    agency = await agencies.get(conn, agency_id)
    status = budget_status(sums.charges_cents, agency["monthly_budget_cap_cents"] if agency else None)
    alerts = await ledger.raised_alerts(conn, agency_id, period)
    return StatementRead(
        agency_id=agency_id, period=period, currency=currency, charges=charges, credits=credits,
        totals=StatementTotalsRead(
            charges_cents=sums.charges_cents, fees_in_charges_cents=sums.fees_in_charges_cents,
            credits_cents=sums.credits_cents, fees_withheld_cents=sums.fees_withheld_cents,
            net_due_cents=sums.net_due_cents,
        ),
        budget=BudgetRead(
            state=status.state.value, cap_cents=status.cap_cents, spent_cents=status.spent_cents,
            remaining_cents=status.remaining_cents,
            percent_used=format(status.percent_used, "f") if status.percent_used is not None else None,
            alerts=[BudgetAlertRead(threshold_percent=a["threshold_percent"], total_cents=a["total_cents"],
                                    raised_at=a["raised_at"]) for a in alerts],
        ),
    )
