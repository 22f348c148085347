"""A piece of work to bill: what pricing needs, from a completion (or a release with logged time)."""

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from taas_billing.domain.business_hours import AgencyHours, TimeEntry
from taas_billing.domain.interlocal import Parties
from taas_billing.domain.pricing import CompletedWork
from taas_contracts.catalog import RequestKind, Severity
from taas_contracts.events.dispatch import AssignmentCompleted

_ANY_CALENDAR = AgencyHours(ZoneInfo("UTC"), frozenset(range(5)), time(9), time(17))


@dataclass(frozen=True, slots=True)
class Billable:
    """One assignment's work with who is charged and who is credited; `source_event_id` is the trigger."""

    assignment_id: str
    request_id: str
    agency_id: str
    provider_id: str
    lending_jurisdiction_id: str | None
    rate_cents: int
    kind: RequestKind
    severity: Severity | None
    entries: tuple[tuple[datetime, datetime], ...]
    source_event_id: str
    at: datetime

    @classmethod
    def from_completed(cls, event: AssignmentCompleted, event_id: str) -> "Billable":
        """The work an AssignmentCompleted event describes."""
        return cls(
            assignment_id=event.assignment_id, request_id=event.request_id, agency_id=event.agency_id,
            provider_id=event.provider_id, lending_jurisdiction_id=event.provider_home_jurisdiction_id,
            rate_cents=event.rate_cents, kind=event.kind, severity=event.severity,
            entries=tuple((e.started_at, e.ended_at) for e in event.entries),
            source_event_id=event_id, at=event.at,
        )

    def parties(self) -> Parties:
        """Who is charged and who supplied the provider."""
        return Parties(self.agency_id, self.provider_id, self.lending_jurisdiction_id)

    def completed_work(self, hours: AgencyHours) -> CompletedWork:
        """The pricing input under an agency's calendar."""
        return CompletedWork(
            assignment_id=self.assignment_id, rate_cents_per_hour=self.rate_cents, kind=self.kind,
            severity=self.severity, entries=tuple(TimeEntry(_aware(s), _aware(e)) for s, e in self.entries),
            hours=hours,
        )

    def check(self) -> None:
        """Raise ValueError now for work that could never be priced (bad entries, bad ids)."""
        self.parties()
        self.completed_work(_ANY_CALENDAR)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form, kept while the work waits for its agency's snapshot."""
        return {
            "assignment_id": self.assignment_id, "request_id": self.request_id, "agency_id": self.agency_id,
            "provider_id": self.provider_id, "lending_jurisdiction_id": self.lending_jurisdiction_id,
            "rate_cents": self.rate_cents, "kind": self.kind.value,
            "severity": self.severity.value if self.severity else None,
            "entries": [[s.isoformat(), e.isoformat()] for s, e in self.entries],
            "source_event_id": self.source_event_id, "at": self.at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Billable":
        """Inverse of `to_json`."""
        return cls(
            assignment_id=data["assignment_id"], request_id=data["request_id"], agency_id=data["agency_id"],
            provider_id=data["provider_id"], lending_jurisdiction_id=data["lending_jurisdiction_id"],
            rate_cents=data["rate_cents"], kind=RequestKind(data["kind"]),
            severity=Severity(data["severity"]) if data["severity"] else None,
            entries=tuple((datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in data["entries"]),
            source_event_id=data["source_event_id"], at=datetime.fromisoformat(data["at"]),
        )


def _aware(instant: datetime) -> datetime:
    # Contracts say time entries are UTC; a naive instant is read as UTC rather than refused.
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
