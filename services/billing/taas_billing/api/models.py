"""API models: rate rules, agreements, usage and statements (XCreate / XRead / XUpdate)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Month = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="Agency-local month, YYYY-MM.")]
JurisdictionId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^:\s]+$",
                                      description="Jurisdiction (agency) id; no ':' or spaces.")]
Multiplier = Annotated[Decimal, Field(gt=0, le=10, max_digits=8, decimal_places=4,
                                      description="Multiplier as a decimal (string or number), e.g. \"1.5\".")]


class RateRulesUpdate(BaseModel):
    """A new version of the pool's pricing rules (replaces the rules in force for work billed from now on)."""

    model_config = ConfigDict(extra="forbid")

    callout_minimum_minutes: int = Field(ge=0, le=1440, description="Minimum billed time of an incident, minutes.")
    critical_multiplier: Multiplier
    after_hours_multiplier: Multiplier
    stack_multipliers: bool = Field(description="True: critical and after-hours multiply; false: the larger applies.")
    pool_fee_bps: int = Field(ge=0, le=10_000, description="The pool's default fee, basis points of each segment.")


class RateRulesRead(BaseModel):
    """The rate rules of one version."""

    version: int = Field(description="Version; the highest is in force.")
    callout_minimum_minutes: int = Field(description="Minimum billed time of an incident, minutes.")
    critical_multiplier: str = Field(description="Critical-severity multiplier, decimal string.")
    after_hours_multiplier: str = Field(description="After-hours multiplier, decimal string.")
    stack_multipliers: bool = Field(description="Whether both multipliers multiply.")
    pool_fee_bps: int = Field(description="The pool's default fee, basis points.")
    changed_by: str = Field(description="Who set this version (`seed` for the migration).")
    created_at: datetime = Field(description="When.")


class AgreementCreate(BaseModel):
    """An interlocal agreement: the pool fee on staff lent between two jurisdictions (either direction)."""

    model_config = ConfigDict(extra="forbid")

    jurisdiction_a: JurisdictionId
    jurisdiction_b: JurisdictionId
    fee_bps: int = Field(ge=0, le=10_000, description="Pool fee on work lent between them, basis points.")
    note: str = Field("", max_length=500, description="Free text, e.g. the agreement's reference.")

    @model_validator(mode="after")
    def _two_parties(self) -> "AgreementCreate":
        if self.jurisdiction_a == self.jurisdiction_b:
            raise ValueError("an agreement needs two different jurisdictions")
        return self


class AgreementRead(BaseModel):
    """A stored interlocal agreement (parties in canonical order, a < b)."""

    agreement_id: str = Field(description="The agreement.")
    jurisdiction_a: str = Field(description="One party.")
    jurisdiction_b: str = Field(description="The other party.")
    fee_bps: int = Field(description="Pool fee, basis points.")
    note: str = Field(description="Free text.")
    created_by: str = Field(description="Who created it.")
    created_at: datetime = Field(description="When.")


class AgreementQuery(BaseModel):
    """Filters of the agreement list."""

    model_config = ConfigDict(extra="forbid")

    jurisdiction: JurisdictionId | None = None


class UsageQuery(BaseModel):
    """Filters and paging of the usage list."""

    model_config = ConfigDict(extra="forbid")

    agency: JurisdictionId | None = None
    provider: str | None = Field(None, min_length=1, max_length=100, description="Only this provider's work.")
    period: Month | None = None
    limit: int = Field(100, ge=1, le=500, description="Page size.")
    cursor: str | None = Field(None, max_length=100, description="`next_cursor` of the previous page.")


class UsageRead(BaseModel):
    """One billable segment."""

    usage_id: str = Field(description="Deterministic id; also the usage event's CloudEvents id.")
    segment_key: str = Field(description="`<assignment>:<index>:<kind>`.")
    assignment_id: str = Field(description="The assignment.")
    request_id: str = Field(description="The coverage request.")
    agency_id: str = Field(description="The agency charged.")
    provider_id: str = Field(description="Who did the work.")
    lending_jurisdiction_id: str | None = Field(description="Jurisdiction credited, when staff were lent.")
    kind: str = Field(description="`business_hours`, `after_hours` or `callout`.")
    period: str = Field(description="Agency-local month of the segment start, YYYY-MM.")
    segment_start: datetime = Field(description="Start (UTC).")
    segment_end: datetime = Field(description="End (UTC).")
    billed_seconds: str = Field(description="Billed time in seconds, exact decimal string.")
    minutes: int = Field(description="Billed minutes, rounded half-to-even (informational).")
    rate_cents: int = Field(description="Hourly rate fixed at assignment, cents.")
    multiplier: str = Field(description="Combined multiplier, decimal string.")
    amount_cents: int = Field(description="Charged to the agency, cents.")
    fee_cents: int = Field(description="Kept by the pool, cents.")
    source_event_id: str = Field(description="The dispatch event that caused the charge.")
    rate_rules_version: int = Field(description="The rate rules version applied.")


class UsagePage(BaseModel):
    """A page of usage, oldest first."""

    items: list[UsageRead] = Field(description="The segments.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


class StatementLineRead(BaseModel):
    """A charge (work the agency requested) or a credit (work by staff it lent out)."""

    line_type: str = Field(description="`charge` or `credit`.")
    usage_id: str = Field(description="The segment's usage id.")
    assignment_id: str = Field(description="The assignment.")
    request_id: str = Field(description="The coverage request.")
    provider_id: str = Field(description="Who worked.")
    counterparty: str = Field(description="Charge: who is paid (payee account); credit: the agency charged.")
    kind: str = Field(description="`business_hours`, `after_hours` or `callout`.")
    segment_start: datetime = Field(description="Start (UTC).")
    segment_end: datetime = Field(description="End (UTC).")
    minutes: int = Field(description="Billed minutes (informational).")
    rate_cents: int = Field(description="Hourly rate, cents.")
    multiplier: str = Field(description="Combined multiplier.")
    amount_cents: int = Field(description="Segment amount, cents.")
    fee_cents: int = Field(description="Pool fee in it, cents.")
    net_cents: int = Field(description="Charge: amount; credit: amount minus the fee.")


class StatementTotalsRead(BaseModel):
    """Totals, in cents."""

    charges_cents: int = Field(description="Sum of charges.")
    fees_in_charges_cents: int = Field(description="Pool fees included in the charges.")
    credits_cents: int = Field(description="Sum of credits, net of pool fees.")
    fees_withheld_cents: int = Field(description="Pool fees withheld from the credits.")
    net_due_cents: int = Field(description="Charges minus credits (negative: the agency is owed).")


class BudgetAlertRead(BaseModel):
    """A budget threshold raised this month."""

    threshold_percent: int = Field(description="80 or 100.")
    total_cents: int = Field(description="Charges when it was raised.")
    raised_at: datetime = Field(description="When.")


class BudgetRead(BaseModel):
    """The month's charges against the agency's cap."""

    state: str = Field(description="`no_cap`, `within`, `warning` (>= 80 %) or `exceeded` (>= 100 %).")
    cap_cents: int | None = Field(description="Monthly cap, cents (null: none).")
    spent_cents: int = Field(description="Charges this month, cents.")
    remaining_cents: int | None = Field(description="Cap minus charges (negative when exceeded).")
    percent_used: str | None = Field(description="Charges as a percent of the cap, two decimals.")
    alerts: list[BudgetAlertRead] = Field(description="Thresholds raised this month.")


class StatementRead(BaseModel):
    """An agency's monthly statement."""

    agency_id: str = Field(description="The agency.")
    period: str = Field(description="YYYY-MM, agency-local.")
    currency: str = Field(description="ISO 4217.")
    charges: list[StatementLineRead] = Field(description="Work the agency requested.")
    credits: list[StatementLineRead] = Field(description="Work by staff the agency lent out.")
    totals: StatementTotalsRead = Field(description="Totals.")
    budget: BudgetRead = Field(description="Budget status.")
