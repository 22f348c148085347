"""The offer state machine: every allowed and every forbidden transition."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from taas_dispatch.domain.offers import (
    Offer,
    OfferAlreadyAnswered,
    OfferExpired,
    OfferNotYetDue,
    OfferStatus,
    OfferTransitionError,
    OfferWithdrawn,
    offer_id_for,
)

CREATED = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
DEADLINE = CREATED + timedelta(seconds=60)
BEFORE = CREATED + timedelta(seconds=30)
AFTER = DEADLINE + timedelta(seconds=1)


def pending() -> Offer:
    return Offer("o-1", "r-1", "p-1", CREATED, DEADLINE)


TRANSITIONS: dict[str, Callable[[Offer, datetime], Offer]] = {
    "accept": lambda offer, at: offer.accept(at),
    "decline": lambda offer, at: offer.decline(at, "busy"),
    "expire": lambda offer, at: offer.expire(at),
    "withdraw": lambda offer, at: offer.withdraw(at),
}
CLOSED_STATES = {
    OfferStatus.ACCEPTED: lambda: pending().accept(BEFORE),
    OfferStatus.DECLINED: lambda: pending().decline(BEFORE, "busy"),
    OfferStatus.EXPIRED: lambda: pending().expire(DEADLINE),
    OfferStatus.WITHDRAWN: lambda: pending().withdraw(BEFORE),
}
ERROR_FROM = {
    OfferStatus.ACCEPTED: OfferAlreadyAnswered,
    OfferStatus.DECLINED: OfferAlreadyAnswered,
    OfferStatus.EXPIRED: OfferExpired,
    OfferStatus.WITHDRAWN: OfferWithdrawn,
}


@pytest.mark.parametrize(
    ("transition", "at", "expected"),
    [
        ("accept", BEFORE, OfferStatus.ACCEPTED),
        ("decline", BEFORE, OfferStatus.DECLINED),
        ("expire", DEADLINE, OfferStatus.EXPIRED),
        ("expire", AFTER, OfferStatus.EXPIRED),
        ("withdraw", BEFORE, OfferStatus.WITHDRAWN),
        ("withdraw", AFTER, OfferStatus.WITHDRAWN),
    ],
)
def test_a_pending_offer_makes_each_allowed_transition(transition, at, expected):
    closed = TRANSITIONS[transition](pending(), at)
    assert closed.status is expected
    assert closed.closed_at == at
    assert not closed.is_pending


def test_a_decline_keeps_its_reason():
    assert pending().decline(BEFORE, "on leave").decline_reason == "on leave"


@pytest.mark.parametrize("closed_status", list(CLOSED_STATES))
@pytest.mark.parametrize("transition", list(TRANSITIONS))
def test_a_closed_offer_refuses_every_transition(closed_status, transition):
    closed = CLOSED_STATES[closed_status]()
    with pytest.raises(ERROR_FROM[closed_status]) as raised:
        TRANSITIONS[transition](closed, AFTER)
    assert raised.value.code == ERROR_FROM[closed_status].code
    assert "o-1" in raised.value.message


@pytest.mark.parametrize("transition", ["accept", "decline"])
@pytest.mark.parametrize("at", [DEADLINE, AFTER])
def test_an_answer_at_or_after_the_deadline_is_refused_as_expired(transition, at):
    with pytest.raises(OfferExpired):
        TRANSITIONS[transition](pending(), at)


def test_an_offer_cannot_expire_before_its_deadline():
    with pytest.raises(OfferNotYetDue):
        pending().expire(DEADLINE - timedelta(microseconds=1))


def test_every_offer_error_is_a_transition_error_with_a_distinct_code():
    errors = [OfferAlreadyAnswered, OfferExpired, OfferWithdrawn, OfferNotYetDue]
    assert all(issubclass(error, OfferTransitionError) for error in errors)
    assert len({error.code for error in errors}) == len(errors)
    assert OfferExpired("gone").to_dict() == {"code": "offer_expired", "message": "gone"}


def test_an_offer_must_expire_after_it_is_created():
    with pytest.raises(ValueError, match="expire after"):
        Offer("o-1", "r-1", "p-1", CREATED, CREATED)


def test_offer_ids_are_deterministic_and_distinct_per_round_and_provider():
    assert offer_id_for("r-1", 1, "p-1") == offer_id_for("r-1", 1, "p-1")
    variants = [("r-1", 1, "p-1"), ("r-1", 2, "p-1"), ("r-1", 1, "p-2"), ("r-2", 1, "p-1")]
    ids = {offer_id_for(*variant) for variant in variants}
    assert len(ids) == 4
