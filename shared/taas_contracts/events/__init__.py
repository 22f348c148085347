"""Versioned payload models of every event in the flow, and the registry from type to model."""

from taas_contracts.envelope import Envelope, EventPayload
from taas_contracts.events.availability import CredentialExpiring, ProviderSnapshot
from taas_contracts.events.billing import BudgetAlertRaised, UsageRecorded
from taas_contracts.events.dispatch import (
    AssignmentAcknowledged,
    AssignmentCompleted,
    AssignmentCreated,
    AssignmentReleased,
    AssignmentStarted,
    DispatchLogRecorded,
    OfferAccepted,
    OfferCreated,
    OfferDeclined,
    OfferExpired,
    OfferWithdrawn,
    RequestMatching,
    RequestUnfilled,
    TimeLogged,
)
from taas_contracts.events.requests import AgencySnapshot, RequestCancelled, RequestSubmitted, TokenRevoked

EVENT_MODELS: dict[str, type[EventPayload]] = {
    model.EVENT_TYPE: model
    for model in (
        RequestSubmitted,
        RequestCancelled,
        AgencySnapshot,
        TokenRevoked,
        ProviderSnapshot,
        CredentialExpiring,
        RequestMatching,
        OfferCreated,
        OfferAccepted,
        OfferDeclined,
        OfferExpired,
        OfferWithdrawn,
        AssignmentCreated,
        AssignmentAcknowledged,
        AssignmentStarted,
        TimeLogged,
        AssignmentCompleted,
        AssignmentReleased,
        RequestUnfilled,
        DispatchLogRecorded,
        UsageRecorded,
        BudgetAlertRaised,
    )
}


class UnknownEventType(ValueError):
    """An envelope whose type no payload model is registered for."""


def parse_payload(envelope: Envelope) -> EventPayload:
    """Validate an envelope's data against the model its type names."""
    model = EVENT_MODELS.get(envelope.type)
    if model is None:
        raise UnknownEventType(f"unknown event type {envelope.type!r}")
    return model.model_validate(envelope.data)


__all__ = ["EVENT_MODELS", "UnknownEventType", "parse_payload"] + [m.__name__ for m in EVENT_MODELS.values()]
