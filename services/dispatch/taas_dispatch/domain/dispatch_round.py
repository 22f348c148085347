"""One dispatch round of a request: given ranked candidates and a policy, decide the next actions (pure)."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from taas_dispatch.domain.errors import DispatchDomainError
from taas_dispatch.domain.offers import Offer, offer_id_for
from taas_dispatch.domain.policy import OfferPolicy

BOOKING_REFUSED_REASON = "booking_refused"
ACKNOWLEDGEMENT_MISSED = "acknowledgement_missed"


class RoundStatus(StrEnum):
    """Where a dispatch round stands."""

    OFFERING = "offering"
    AWAITING_ACKNOWLEDGEMENT = "awaiting_acknowledgement"
    ASSIGNED = "assigned"
    UNFILLED = "unfilled"
    CANCELLED = "cancelled"


class RoundClosed(DispatchDomainError):
    """The round is over (assigned, unfilled or cancelled) and takes no more input."""

    code = "round_closed"


class NoSuchOffer(DispatchDomainError):
    """This round made no offer to that provider."""

    code = "no_such_offer"


class NotAwaitingAcknowledgement(DispatchDomainError):
    """The round is not waiting for that provider to acknowledge an on-call assignment."""

    code = "not_awaiting_acknowledgement"


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    """An eligible provider in rank order, and whether they are on an on-call shift now."""

    provider_id: str
    on_call: bool = False


@dataclass(frozen=True, slots=True)
class CreateOffer:
    """Action: store this offer and its deadline, and tell the provider."""

    offer: Offer


@dataclass(frozen=True, slots=True)
class WithdrawOffer:
    """Action: close this pending offer (its new state is given) and tell the provider."""

    offer: Offer


@dataclass(frozen=True, slots=True)
class BookProvider:
    """Action: create the assignment of the provider who accepted `offer_id` (the database may refuse)."""

    request_id: str
    provider_id: str
    offer_id: str


@dataclass(frozen=True, slots=True)
class AssignOnCall:
    """Action: assign an on-call provider at once; they must acknowledge by `acknowledge_by`."""

    request_id: str
    provider_id: str
    acknowledge_by: datetime


@dataclass(frozen=True, slots=True)
class MarkUnfilled:
    """Action: nobody is left; mark the request unfilled, alert ops, with what happened to each candidate."""

    request_id: str
    round_number: int
    outcomes: tuple[tuple[str, str], ...]


Action = CreateOffer | WithdrawOffer | BookProvider | AssignOnCall | MarkUnfilled


@dataclass(frozen=True, slots=True)
class RoundStep:
    """The round after an input, and the actions the caller must carry out."""

    round: "DispatchRound"
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class DispatchRound:
    """Offers of one request to its ranked candidates, walked in order under one policy."""

    request_id: str
    round_number: int
    policy: OfferPolicy
    candidates: tuple[RankedCandidate, ...]
    next_index: int = 0
    offers: tuple[Offer, ...] = ()
    status: RoundStatus = RoundStatus.OFFERING
    assigned_provider_id: str | None = None
    acknowledgement_missed_by: tuple[str, ...] = ()
    refused_by: tuple[str, ...] = ()

    @classmethod
    def start(
        cls,
        request_id: str,
        candidates: Sequence[RankedCandidate],
        policy: OfferPolicy,
        now: datetime,
        round_number: int = 1,
    ) -> RoundStep:
        """Open a round and make the first offers (or the on-call assignment, or give up at once)."""
        ids = [candidate.provider_id for candidate in candidates]
        if len(set(ids)) != len(ids):
            raise ValueError("a provider appears twice among the candidates")
        return cls(request_id, round_number, policy, tuple(candidates))._advance(now)

    @property
    def pending_offers(self) -> tuple[Offer, ...]:
        """The offers still waiting for an answer."""
        return tuple(offer for offer in self.offers if offer.is_pending)

    def offer_to(self, provider_id: str) -> Offer:
        """This round's offer to `provider_id`."""
        for offer in self.offers:
            if offer.provider_id == provider_id:
                return offer
        raise NoSuchOffer(f"request {self.request_id} round {self.round_number} made no offer to {provider_id}")

    def on_accept(self, provider_id: str, now: datetime) -> RoundStep:
        """First accept wins: book the provider and withdraw every other pending offer."""
        accepted = self.offer_to(provider_id).accept(now)
        withdrawn = [offer.withdraw(now) for offer in self.pending_offers if offer.provider_id != provider_id]
        updated = self._with_offers([accepted, *withdrawn])
        done = replace(updated, status=RoundStatus.ASSIGNED, assigned_provider_id=provider_id)
        book = BookProvider(self.request_id, provider_id, accepted.offer_id)
        return RoundStep(done, (book, *(WithdrawOffer(offer) for offer in withdrawn)))

    def on_decline(self, provider_id: str, now: datetime, reason: str) -> RoundStep:
        """A provider said no: offer the next candidate(s)."""
        declined = self.offer_to(provider_id).decline(now, reason)
        return self._with_offers([declined])._advance(now)

    def on_expire(self, provider_id: str, now: datetime) -> RoundStep:
        """An offer's deadline passed unanswered: offer the next candidate(s)."""
        expired = self.offer_to(provider_id).expire(now)
        return self._with_offers([expired])._advance(now)

    def on_booking_refused(self, provider_id: str, now: datetime) -> RoundStep:
        """The database refused to book an accepting provider (a race lost): move on.

        Apply to the round as it was *before* `on_accept`, whose transaction was rolled back; the
        provider's offer is closed as declined with reason `booking_refused`.
        """
        return self.on_decline(provider_id, now, BOOKING_REFUSED_REASON)

    def on_acknowledged(self, provider_id: str, now: datetime) -> RoundStep:
        """The on-call provider assigned at once acknowledged: the round is done."""
        self._require_awaiting(provider_id)
        return RoundStep(replace(self, status=RoundStatus.ASSIGNED), ())

    def on_acknowledgement_missed(self, provider_id: str, now: datetime) -> RoundStep:
        """The on-call provider did not acknowledge in time (their assignment is released): move on."""
        self._require_awaiting(provider_id)
        moved_on = replace(
            self,
            status=RoundStatus.OFFERING,
            assigned_provider_id=None,
            acknowledgement_missed_by=(*self.acknowledgement_missed_by, provider_id),
        )
        return moved_on._advance(now)

    def on_assignment_refused(self, provider_id: str, now: datetime) -> RoundStep:
        """The database refused to book the on-call provider assigned at once (a race lost): move on."""
        self._require_awaiting(provider_id)
        moved_on = replace(
            self,
            status=RoundStatus.OFFERING,
            assigned_provider_id=None,
            refused_by=(*self.refused_by, provider_id),
        )
        return moved_on._advance(now)

    def assign_manually(self, provider_id: str, now: datetime) -> RoundStep:
        """Ops assigned `provider_id` by hand: withdraw every pending offer; the round is done."""
        if self.status in (RoundStatus.ASSIGNED, RoundStatus.AWAITING_ACKNOWLEDGEMENT, RoundStatus.CANCELLED):
            raise RoundClosed(f"request {self.request_id} round {self.round_number} is already {self.status}")
        withdrawn = [offer.withdraw(now) for offer in self.pending_offers]
        done = replace(self._with_offers(withdrawn), status=RoundStatus.ASSIGNED, assigned_provider_id=provider_id)
        return RoundStep(done, tuple(WithdrawOffer(offer) for offer in withdrawn))

    def cancel(self, now: datetime) -> RoundStep:
        """The agency cancelled the request: withdraw every pending offer."""
        if self.status in (RoundStatus.ASSIGNED, RoundStatus.UNFILLED, RoundStatus.CANCELLED):
            raise RoundClosed(f"request {self.request_id} round {self.round_number} is already {self.status}")
        withdrawn = [offer.withdraw(now) for offer in self.pending_offers]
        cancelled = replace(self._with_offers(withdrawn), status=RoundStatus.CANCELLED, assigned_provider_id=None)
        return RoundStep(cancelled, tuple(WithdrawOffer(offer) for offer in withdrawn))

    def outcomes(self) -> tuple[tuple[str, str], ...]:
        """What happened to each candidate tried so far, in rank order (for ops and the dispatch log)."""
        by_provider: dict[str, str] = {pid: ACKNOWLEDGEMENT_MISSED for pid in self.acknowledgement_missed_by}
        by_provider.update({pid: BOOKING_REFUSED_REASON for pid in self.refused_by})
        for offer in self.offers:
            reason = f":{offer.decline_reason}" if offer.decline_reason else ""
            by_provider[offer.provider_id] = f"{offer.status}{reason}"
        tried = self.candidates[: self.next_index]
        return tuple((c.provider_id, by_provider[c.provider_id]) for c in tried if c.provider_id in by_provider)

    def _require_awaiting(self, provider_id: str) -> None:
        if self.status is not RoundStatus.AWAITING_ACKNOWLEDGEMENT or self.assigned_provider_id != provider_id:
            raise NotAwaitingAcknowledgement(
                f"request {self.request_id} round {self.round_number} is {self.status}, "
                f"not waiting for {provider_id} to acknowledge"
            )

    def _with_offers(self, changed: Sequence[Offer]) -> "DispatchRound":
        by_id = {offer.offer_id: offer for offer in changed}
        return replace(self, offers=tuple(by_id.get(offer.offer_id, offer) for offer in self.offers))

    def _advance(self, now: datetime) -> RoundStep:
        """Top the pending offers up to the fan-out; assign an on-call provider at once when allowed."""
        if self.status is not RoundStatus.OFFERING:
            raise RoundClosed(f"request {self.request_id} round {self.round_number} is {self.status}")
        index, new_offers = self.next_index, []
        room = self.policy.fan_out - len(self.pending_offers)
        while room > 0 and index < len(self.candidates):
            candidate = self.candidates[index]
            index += 1
            nothing_open = not self.pending_offers and not new_offers
            # Assigning at once while offers are open could book two people for one request.
            if nothing_open and candidate.on_call and self.policy.assign_on_call_at_once:
                return self._assign_on_call(candidate.provider_id, index, now)
            new_offers.append(self._new_offer(candidate.provider_id, now))
            room -= 1
        advanced = replace(self, next_index=index, offers=(*self.offers, *new_offers))
        if not advanced.pending_offers:
            unfilled = replace(advanced, status=RoundStatus.UNFILLED)
            return RoundStep(unfilled, (MarkUnfilled(self.request_id, self.round_number, unfilled.outcomes()),))
        return RoundStep(advanced, tuple(CreateOffer(offer) for offer in new_offers))

    def _assign_on_call(self, provider_id: str, index: int, now: datetime) -> RoundStep:
        waiting = replace(
            self, next_index=index, status=RoundStatus.AWAITING_ACKNOWLEDGEMENT, assigned_provider_id=provider_id
        )
        assign = AssignOnCall(self.request_id, provider_id, now + self.policy.acknowledge_window)
        return RoundStep(waiting, (assign,))

    def _new_offer(self, provider_id: str, now: datetime) -> Offer:
        return Offer(
            offer_id=offer_id_for(self.request_id, self.round_number, provider_id),
            request_id=self.request_id,
            provider_id=provider_id,
            created_at=now,
            expires_at=now + self.policy.answer_window,
        )
