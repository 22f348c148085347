"""The offer state machine: pending → accepted | declined | expired | withdrawn, nothing else."""

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from taas_dispatch.domain.errors import DispatchDomainError
from taas_dispatch.domain.time_windows import require_aware

# Offer ids are derived, not random, so replaying the same decision yields the same id (idempotent writes).
_OFFER_ID_NAMESPACE = uuid.UUID("5f6b7c1e-2a4d-4c8e-9b1f-0d3e5a7c9b21")


class OfferStatus(StrEnum):
    """Where an offer stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class OfferTransitionError(DispatchDomainError):
    """An offer cannot make the transition asked of it."""

    code = "offer_transition_refused"


class OfferAlreadyAnswered(OfferTransitionError):
    """The provider already accepted or declined this offer."""

    code = "offer_already_answered"


class OfferExpired(OfferTransitionError):
    """The answer window has closed."""

    code = "offer_expired"


class OfferWithdrawn(OfferTransitionError):
    """Dispatch took the offer back (someone else accepted first, or the request was cancelled)."""

    code = "offer_withdrawn"


class OfferNotYetDue(OfferTransitionError):
    """An offer cannot expire before its deadline."""

    code = "offer_not_yet_due"


def offer_id_for(request_id: str, round_number: int, provider_id: str) -> str:
    """The deterministic id of the offer of `request_id` to `provider_id` in dispatch round `round_number`."""
    return str(uuid.uuid5(_OFFER_ID_NAMESPACE, f"{request_id}/{round_number}/{provider_id}"))


@dataclass(frozen=True, slots=True)
class Offer:
    """An offer of a request to one provider, open until `expires_at`."""

    offer_id: str
    request_id: str
    provider_id: str
    created_at: datetime
    expires_at: datetime
    status: OfferStatus = OfferStatus.PENDING
    closed_at: datetime | None = None
    decline_reason: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.created_at, "created_at")
        require_aware(self.expires_at, "expires_at")
        if self.expires_at <= self.created_at:
            raise ValueError("an offer must expire after it is created")

    @property
    def is_pending(self) -> bool:
        """True while the offer can still be answered."""
        return self.status is OfferStatus.PENDING

    def accept(self, now: datetime) -> "Offer":
        """The provider takes the work; refused once answered, expired, withdrawn or past the deadline."""
        self._require_answerable(now)
        return replace(self, status=OfferStatus.ACCEPTED, closed_at=now)

    def decline(self, now: datetime, reason: str) -> "Offer":
        """The provider turns the work down, with a reason."""
        self._require_answerable(now)
        return replace(self, status=OfferStatus.DECLINED, closed_at=now, decline_reason=reason)

    def expire(self, now: datetime) -> "Offer":
        """The deadline passed without an answer."""
        self._require_pending()
        if now < self.expires_at:
            raise OfferNotYetDue(f"offer {self.offer_id} is open until {self.expires_at.isoformat()}")
        return replace(self, status=OfferStatus.EXPIRED, closed_at=now)

    def withdraw(self, now: datetime) -> "Offer":
        """Dispatch takes back a pending offer."""
        self._require_pending()
        return replace(self, status=OfferStatus.WITHDRAWN, closed_at=now)

    def _require_answerable(self, now: datetime) -> None:
        self._require_pending()
        if now >= self.expires_at:
            raise OfferExpired(f"offer {self.offer_id} expired at {self.expires_at.isoformat()}")

    def _require_pending(self) -> None:
        if self.status in (OfferStatus.ACCEPTED, OfferStatus.DECLINED):
            raise OfferAlreadyAnswered(f"offer {self.offer_id} was already {self.status}")
        if self.status is OfferStatus.EXPIRED:
            raise OfferExpired(f"offer {self.offer_id} has expired")
        if self.status is OfferStatus.WITHDRAWN:
            raise OfferWithdrawn(f"offer {self.offer_id} was withdrawn")
