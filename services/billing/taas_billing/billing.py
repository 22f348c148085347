"""The core use case: price a piece of work and write its ledger, usage events and budget alerts at once."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from taas_billing.billable import Billable
from taas_billing.domain.budget import billing_month, thresholds_to_raise
from taas_billing.domain.business_hours import AgencyHours
from taas_billing.domain.interlocal import POOL_FEES_ACCOUNT, split_segment
from taas_billing.domain.pricing import price_work
from taas_billing.domain.usage_id import usage_event_id
from taas_billing.events import alert_envelope, usage_envelope, whole_minutes
from taas_billing.repository import assignments, ledger, rules
from taas_billing.settings import BillingSettings
from taas_contracts.envelope import Envelope
from taas_contracts.events.billing import BudgetAlertRaised, UsageRecorded
from taas_kit import outbox
from taas_kit.jsonutil import plain_decimal
from taas_kit.logging import get_logger

log = get_logger("taas.billing")


def agency_hours(agency: Mapping[str, Any]) -> AgencyHours:
    """The calendar of a stored agency."""
    return AgencyHours(ZoneInfo(agency["time_zone"]), frozenset(agency["business_days"]), agency["opens"],
                       agency["closes"])


async def bill(conn: asyncpg.Connection, settings: BillingSettings, work: Billable, agency: asyncpg.Record) -> int:
    """Bill work under its agency's calendar and the rules in force, in the caller's transaction; returns segments."""
    rules_row = await rules.current(conn)
    fees = await rules.fee_schedule(conn, rules_row["pool_fee_bps"], work.agency_id, work.lending_jurisdiction_id)
    hours = agency_hours(agency)
    parties = work.parties()
    segments: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    events: list[tuple[str, str, Envelope]] = []
    for segment in price_work(work.completed_work(hours), rules.to_domain(rules_row)):
        postings = split_segment(segment, parties, fees)
        fee = sum(p.credit_cents for p in postings if p.account == POOL_FEES_ACCOUNT)
        usage_id = str(usage_event_id(segment.key))
        month = billing_month(segment.start, hours.time_zone)
        row = {
            "usage_id": usage_id, "segment_key": segment.key, "assignment_id": work.assignment_id,
            "segment_index": segment.index, "kind": segment.kind.value, "request_id": work.request_id,
            "agency_id": work.agency_id, "provider_id": work.provider_id,
            "lending_jurisdiction_id": work.lending_jurisdiction_id, "payee_account": parties.payee_account,
            "month": month, "segment_start": segment.start, "segment_end": segment.end,
            "billed_microseconds": segment.billed // timedelta(microseconds=1), "rate_cents": segment.rate_cents_per_hour,
            "multiplier": segment.multiplier, "amount_cents": segment.amount_cents, "fee_cents": fee,
            "rate_rules_version": rules_row["version"], "source_event_id": work.source_event_id,
        }
        segments.append(row)
        lines.extend(
            {"segment_key": p.segment_key, "account": p.account, "debit_cents": p.debit_cents,
             "credit_cents": p.credit_cents, "usage_id": usage_id, "assignment_id": work.assignment_id,
             "agency_id": work.agency_id, "month": month, "source_event_id": work.source_event_id}
            for p in postings
        )
        events.append(_usage_event(settings, work, row, segment.billed))
    await ledger.add_segments(conn, segments)
    await ledger.add_lines(conn, lines)
    for month in sorted({s["month"] for s in segments}):
        events.extend(await _budget_alerts(conn, settings, work, agency, month))
    await outbox.add(conn, settings.db_schema, events)
    await assignments.mark_billed(conn, work.assignment_id, work.source_event_id, work.at, rules_row["version"])
    log.info("work billed", assignment_id=work.assignment_id, agency_id=work.agency_id, segments=len(segments),
             total_cents=sum(s["amount_cents"] for s in segments), rate_rules_version=rules_row["version"])
    return len(segments)


def _usage_event(settings: BillingSettings, work: Billable, row: dict[str, Any],
                 billed: timedelta) -> tuple[str, str, Envelope]:
    usage = UsageRecorded(
        usage_id=row["usage_id"], agency_id=work.agency_id, assignment_id=work.assignment_id,
        request_id=work.request_id, provider_id=work.provider_id, lending_jurisdiction_id=work.lending_jurisdiction_id,
        segment_start=row["segment_start"], segment_end=row["segment_end"], minutes=whole_minutes(billed),
        rate_cents=row["rate_cents"], multiplier=plain_decimal(row["multiplier"]), amount_cents=row["amount_cents"],
        fee_cents=row["fee_cents"], currency=settings.currency,
    )
    envelope = usage_envelope(usage, time=work.at, correlationid=work.request_id, causationid=work.source_event_id)
    return settings.topic(UsageRecorded.TOPIC), work.agency_id, envelope


async def _budget_alerts(conn: asyncpg.Connection, settings: BillingSettings, work: Billable,
                         agency: asyncpg.Record, month: str) -> list[tuple[str, str, Envelope]]:
    cap = agency["monthly_budget_cap_cents"]
    if not cap:
        return []
    total = await ledger.month_charges(conn, work.agency_id, month)
    raised = [r["threshold_percent"] for r in await ledger.raised_alerts(conn, work.agency_id, month)]
    events = []
    for percent in thresholds_to_raise(total, cap, raised):
        alert = BudgetAlertRaised(agency_id=work.agency_id, month=month, threshold_percent=percent,
                                  total_cents=total, cap_cents=cap)
        envelope = alert_envelope(alert, time=work.at, correlationid=work.request_id,
                                  causationid=work.source_event_id)
        if await ledger.add_alert(conn, agency_id=work.agency_id, month=month, threshold_percent=percent,
                                  total_cents=total, cap_cents=cap, event_id=envelope.id,
                                  source_event_id=work.source_event_id):
            events.append((settings.topic(BudgetAlertRaised.TOPIC), work.agency_id, envelope))
            log.info("budget alert raised", agency_id=work.agency_id, month=month, threshold=percent, total=total)
    return events
