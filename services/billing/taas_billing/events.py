"""The events billing publishes, built deterministically so a replay would produce identical envelopes."""

import uuid
from datetime import datetime, timedelta
from fractions import Fraction

from taas_billing.domain.usage_id import USAGE_EVENT_NAMESPACE
from taas_contracts.envelope import Envelope
from taas_contracts.events.billing import BudgetAlertRaised, UsageRecorded

SOURCE = "/taas/billing"


def whole_minutes(billed: timedelta) -> int:
    """Billed time in whole minutes, half-to-even (informational: amounts use the exact time)."""
    return round(Fraction(billed // timedelta(microseconds=1), 60_000_000))


def usage_envelope(usage: UsageRecorded, *, time: datetime, correlationid: str, causationid: str) -> Envelope:
    """A usage record as CloudEvents JSON; its id is the deterministic usage id."""
    return usage.envelope(source=SOURCE, subject=usage.agency_id, tenant=usage.agency_id, id=usage.usage_id,
                          time=time, correlationid=correlationid, causationid=causationid)


def alert_id(agency_id: str, month: str, threshold_percent: int) -> str:
    """The deterministic id of a budget alert: one per agency, month and threshold."""
    return str(uuid.uuid5(USAGE_EVENT_NAMESPACE, f"budget-alert:{agency_id}:{month}:{threshold_percent}"))


def alert_envelope(alert: BudgetAlertRaised, *, time: datetime, correlationid: str | None,
                   causationid: str) -> Envelope:
    """A budget alert envelope keyed to its agency."""
    return alert.envelope(source=SOURCE, subject=alert.agency_id, tenant=alert.agency_id,
                          id=alert_id(alert.agency_id, alert.month, alert.threshold_percent), time=time,
                          correlationid=correlationid, causationid=causationid)
