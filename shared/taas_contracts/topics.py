"""The registry of Kafka topics: name, what keys it, partitions, compaction."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topic:
    """One Kafka topic and how it is keyed."""

    name: str
    key: str
    partitions: int = 6
    compacted: bool = False
    description: str = ""


REQUEST_EVENTS = Topic("taas.requests.events", "request id", description="Request submitted / cancelled.")
AGENCY_SNAPSHOTS = Topic("taas.agencies.snapshots", "agency id", 3, True, "Full agency state, latest per key.")
PROVIDER_SNAPSHOTS = Topic("taas.providers.snapshots", "provider id", 6, True, "Full provider state, latest per key.")
PROVIDER_ALERTS = Topic("taas.providers.alerts", "provider id", 3, description="Credentials about to expire.")
DISPATCH_EVENTS = Topic("taas.dispatch.events", "request id", description="Offers, assignments, unfilled requests.")
DISPATCH_LOG = Topic("taas.dispatch.log", "request id", description="Every dispatch decision with its reasons.")
BILLING_USAGE = Topic("billing.usage", "agency id", description="CloudEvents usage records for billing systems.")
BILLING_ALERTS = Topic("taas.billing.alerts", "agency id", 3, description="Budget thresholds crossed.")
AUTH_REVOCATIONS = Topic("taas.auth.revocations", "token id", 1, True, "Revoked API tokens.")

ALL_TOPICS: tuple[Topic, ...] = (
    REQUEST_EVENTS,
    AGENCY_SNAPSHOTS,
    PROVIDER_SNAPSHOTS,
    PROVIDER_ALERTS,
    DISPATCH_EVENTS,
    DISPATCH_LOG,
    BILLING_USAGE,
    BILLING_ALERTS,
    AUTH_REVOCATIONS,
)


def dead_letter_topic(topic: str) -> str:
    """Name of the dead-letter topic of a topic."""
    return f"{topic}.dlq"
