"""Rows to read models: what agencies and ops see of requests, agencies, webhooks and timelines."""

from datetime import datetime
from typing import Any

import asyncpg

from taas_contracts.catalog import RequestStatus
from taas_contracts.events.requests import AgencySnapshot, BusinessHours
from taas_requests.api.agency_models import AgencyRead
from taas_requests.api.request_models import RequestRead, TimelineEntryRead
from taas_requests.api.webhook_models import DeliveryRead, WebhookRead
from taas_requests.domain.sla import SlaState, is_breached


def request_read(row: asyncpg.Record, now: datetime) -> RequestRead:
    """A request row as the API shows it, with its SLA flag computed now."""
    spec: dict[str, Any] = row["spec"]
    sla = SlaState(due_at=row["respond_by"], assigned_at=row["assigned_at"], cancelled_at=row["cancelled_at"])
    return RequestRead(
        id=str(row["id"]), agency_id=row["agency_id"], kind=row["kind"], status=RequestStatus(row["status"]),
        severity=row["severity"], role=row["role"], required_skills=spec.get("required_skills", []),
        certifications=spec.get("certifications", []), clearances=spec.get("clearances", []),
        onsite=spec.get("onsite", False), location=spec.get("location"),
        max_hourly_rate_cents=spec["max_hourly_rate_cents"], expected_hours=spec.get("expected_hours"),
        hours_per_week=spec.get("hours_per_week"), start_date=spec.get("start_date"), weeks=spec.get("weeks"),
        description=spec.get("description", ""), window_start=row["window_start"], window_end=row["window_end"],
        submitted_at=row["submitted_at"], respond_by=row["respond_by"], sla_breached=is_breached(sla, now),
        assigned_at=row["assigned_at"], cancelled_at=row["cancelled_at"], cancel_reason=row["cancel_reason"],
        updated_at=row["updated_at"],
    )


def timeline_read(row: asyncpg.Record) -> TimelineEntryRead:
    """One timeline row."""
    return TimelineEntryRead(**dict(row))


def agency_read(row: asyncpg.Record) -> AgencyRead:
    """An agency row as the API shows it."""
    profile = row["profile"]
    return AgencyRead(
        id=row["id"], name=row["name"], time_zone=row["time_zone"], active=row["active"], version=row["version"],
        created_at=row["created_at"], updated_at=row["updated_at"],
        **{k: v for k, v in profile.items() if k not in {"name", "time_zone", "id"}},
    )


def agency_snapshot(row: asyncpg.Record) -> AgencySnapshot:
    """The full state of an agency as published on the compacted snapshot topic."""
    profile = row["profile"]
    return AgencySnapshot(
        agency_id=row["id"], name=row["name"], state=profile["state"], jurisdiction=profile["jurisdiction"],
        population=profile["population"], time_zone=row["time_zone"],
        business_hours=BusinessHours.model_validate(profile["business_hours"]), consortia=profile["consortia"],
        monthly_budget_cap_cents=profile["monthly_budget_cap_cents"], active=row["active"], version=row["version"],
    )


def webhook_read(row: asyncpg.Record, *, with_secret: bool = False) -> WebhookRead:
    """A webhook row; the secret only when it was just created."""
    return WebhookRead(id=str(row["id"]), agency_id=row["agency_id"], url=row["url"], events=list(row["events"]),
                       description=row["description"], created_at=row["created_at"],
                       secret=row["secret"] if with_secret else None)


def delivery_read(row: asyncpg.Record) -> DeliveryRead:
    """A delivery row with its attempts."""
    data = dict(row)
    data["id"], data["event_id"] = str(row["id"]), str(row["event_id"])
    if data["status"] != "pending":
        data["next_attempt_at"] = None
    return DeliveryRead(**data)
