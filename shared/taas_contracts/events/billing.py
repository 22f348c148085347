"""Events the billing service publishes: usage records (CloudEvents for billing systems) and budget alerts."""

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from taas_contracts.envelope import EventPayload
from taas_contracts.topics import BILLING_ALERTS, BILLING_USAGE


class UsageRecorded(EventPayload):
    """One billable segment of work, priced; the envelope id is deterministic so consumers can dedupe."""

    EVENT_TYPE: ClassVar[str] = "taas.billing.usage_recorded.v1"
    TOPIC: ClassVar[str] = BILLING_USAGE.name

    usage_id: str = Field(description="Deterministic id of the segment.")
    agency_id: str = Field(description="The agency charged.")
    assignment_id: str = Field(description="The assignment the work belongs to.")
    request_id: str = Field(description="The coverage request.")
    provider_id: str = Field(description="Who did the work.")
    lending_jurisdiction_id: str | None = Field(None, description="Jurisdiction credited, when staff were lent.")
    segment_start: datetime = Field(description="Segment start (UTC).")
    segment_end: datetime = Field(description="Segment end (UTC).")
    minutes: int = Field(description="Billable minutes.")
    rate_cents: int = Field(description="Hourly rate fixed at assignment.")
    multiplier: str = Field(description="Combined multiplier as a decimal string.")
    amount_cents: int = Field(description="Charged to the agency, in cents.")
    fee_cents: int = Field(description="Kept by the pool, in cents.")
    currency: str = Field("USD", description="ISO 4217 currency.")


class BudgetAlertRaised(EventPayload):
    """An agency's spending crossed a threshold of its monthly budget cap."""

    EVENT_TYPE: ClassVar[str] = "taas.billing.budget_alert.v1"
    TOPIC: ClassVar[str] = BILLING_ALERTS.name

    agency_id: str = Field(description="The agency.")
    month: str = Field(description="YYYY-MM.")
    threshold_percent: int = Field(description="Threshold crossed, e.g. 80 or 100.")
    total_cents: int = Field(description="Spending so far this month.")
    cap_cents: int = Field(description="The monthly cap.")
