"""DispatchRound: fan-out, one-by-one offers, expiry, on-call assignment, races and the unfilled end."""

from collections.abc import Sequence
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taas_dispatch.domain.dispatch_round import (
    BOOKING_REFUSED_REASON,
    Action,
    AssignOnCall,
    BookProvider,
    CreateOffer,
    DispatchRound,
    MarkUnfilled,
    NoSuchOffer,
    NotAwaitingAcknowledgement,
    RankedCandidate,
    RoundClosed,
    RoundStatus,
    WithdrawOffer,
)
from taas_dispatch.domain.offers import OfferStatus, OfferWithdrawn, offer_id_for
from taas_dispatch.domain.policy import OfferPolicy, OfferPolicyConfig

CRITICAL = OfferPolicyConfig().critical
HIGH = OfferPolicyConfig().high


def ranked(*provider_ids: str, on_call: frozenset[str] = frozenset()) -> list[RankedCandidate]:
    return [RankedCandidate(pid, on_call=pid in on_call) for pid in provider_ids]


def offered_to(actions: Sequence[Action]) -> list[str]:
    return [action.offer.provider_id for action in actions if isinstance(action, CreateOffer)]


def withdrawn_from(actions: Sequence[Action]) -> list[str]:
    return [action.offer.provider_id for action in actions if isinstance(action, WithdrawOffer)]


def test_a_critical_incident_is_offered_to_the_top_three_at_once(now):
    step = DispatchRound.start("r-1", ranked("p-1", "p-2", "p-3", "p-4", "p-5"), CRITICAL, now)
    assert offered_to(step.actions) == ["p-1", "p-2", "p-3"]
    assert all(action.offer.expires_at == now + timedelta(seconds=60) for action in step.actions)
    assert all(action.offer.offer_id == offer_id_for("r-1", 1, action.offer.provider_id) for action in step.actions)
    assert step.round.status is RoundStatus.OFFERING


def test_in_a_fan_out_the_first_accept_wins_and_the_rest_are_withdrawn(now):
    round_ = DispatchRound.start("r-1", ranked("p-1", "p-2", "p-3", "p-4"), CRITICAL, now).round
    step = round_.on_accept("p-2", now + timedelta(seconds=10))
    assert step.actions[0] == BookProvider("r-1", "p-2", offer_id_for("r-1", 1, "p-2"))
    assert withdrawn_from(step.actions) == ["p-1", "p-3"]
    assert all(a.offer.status is OfferStatus.WITHDRAWN for a in step.actions if isinstance(a, WithdrawOffer))
    assert (step.round.status, step.round.assigned_provider_id) == (RoundStatus.ASSIGNED, "p-2")
    assert step.round.pending_offers == ()
    with pytest.raises(OfferWithdrawn):
        step.round.on_accept("p-1", now + timedelta(seconds=11))


def test_a_decline_in_a_fan_out_tops_the_offers_up_from_the_next_candidate(now):
    round_ = DispatchRound.start("r-1", ranked("p-1", "p-2", "p-3", "p-4"), CRITICAL, now).round
    step = round_.on_decline("p-1", now + timedelta(seconds=5), "busy")
    assert offered_to(step.actions) == ["p-4"]
    assert [offer.provider_id for offer in step.round.pending_offers] == ["p-2", "p-3", "p-4"]


def test_lower_severities_are_offered_one_at_a_time(now):
    step = DispatchRound.start("r-1", ranked("p-1", "p-2", "p-3"), HIGH, now)
    assert offered_to(step.actions) == ["p-1"]
    assert step.actions[0].offer.expires_at == now + timedelta(seconds=120)
    step = step.round.on_decline("p-1", now + timedelta(seconds=30), "on leave")
    assert offered_to(step.actions) == ["p-2"]
    step = step.round.on_accept("p-2", now + timedelta(seconds=40))
    assert step.actions == (BookProvider("r-1", "p-2", offer_id_for("r-1", 1, "p-2")),)
    assert step.round.status is RoundStatus.ASSIGNED


def test_an_expired_offer_moves_on_to_the_next_candidate(now):
    round_ = DispatchRound.start("r-1", ranked("p-1", "p-2"), HIGH, now).round
    deadline = round_.offer_to("p-1").expires_at
    step = round_.on_expire("p-1", deadline)
    assert offered_to(step.actions) == ["p-2"]
    assert step.actions[0].offer.expires_at == deadline + timedelta(seconds=120)
    assert step.round.offer_to("p-1").status is OfferStatus.EXPIRED


def test_when_nobody_is_left_the_request_is_unfilled_with_every_outcome(now):
    round_ = DispatchRound.start("r-1", ranked("p-1", "p-2", "p-3"), HIGH, now).round
    round_ = round_.on_decline("p-1", now + timedelta(seconds=1), "busy").round
    round_ = round_.on_expire("p-2", round_.offer_to("p-2").expires_at).round
    step = round_.on_booking_refused("p-3", now + timedelta(seconds=200))
    assert step.round.status is RoundStatus.UNFILLED
    assert step.actions == (
        MarkUnfilled("r-1", 1, (("p-1", "declined:busy"), ("p-2", "expired"), ("p-3", "declined:booking_refused"))),
    )


def test_a_fan_out_is_unfilled_only_once_its_last_pending_offer_closes(now):
    round_ = DispatchRound.start("r-1", ranked("p-1", "p-2"), CRITICAL, now).round
    step = round_.on_decline("p-1", now + timedelta(seconds=1), "busy")
    assert step.actions == () and step.round.status is RoundStatus.OFFERING
    step = step.round.on_expire("p-2", now + timedelta(seconds=60))
    assert step.round.status is RoundStatus.UNFILLED
    assert isinstance(step.actions[0], MarkUnfilled)


def test_no_candidate_at_all_is_unfilled_at_once(now):
    step = DispatchRound.start("r-1", [], CRITICAL, now)
    assert step.actions == (MarkUnfilled("r-1", 1, ()),)
    assert step.round.status is RoundStatus.UNFILLED


def test_a_lost_booking_race_in_a_fan_out_keeps_the_other_offers_open_and_tops_up(now):
    before_accept = DispatchRound.start("r-1", ranked("p-1", "p-2", "p-3", "p-4"), CRITICAL, now).round
    step = before_accept.on_booking_refused("p-1", now + timedelta(seconds=3))
    assert offered_to(step.actions) == ["p-4"]
    assert withdrawn_from(step.actions) == []
    assert step.round.offer_to("p-1").decline_reason == "booking_refused"


def test_an_on_call_top_candidate_is_assigned_at_once_with_an_acknowledgement_deadline(now):
    step = DispatchRound.start("r-1", ranked("p-1", "p-2", on_call=frozenset({"p-1"})), CRITICAL, now)
    assert step.actions == (AssignOnCall("r-1", "p-1", now + timedelta(seconds=300)),)
    assert step.round.status is RoundStatus.AWAITING_ACKNOWLEDGEMENT
    acknowledged = step.round.on_acknowledged("p-1", now + timedelta(seconds=30))
    assert acknowledged.actions == () and acknowledged.round.status is RoundStatus.ASSIGNED


def test_a_missed_acknowledgement_moves_on_to_the_next_candidates(now):
    waiting = DispatchRound.start("r-1", ranked("p-1", "p-2", "p-3", on_call=frozenset({"p-1"})), HIGH, now).round
    step = waiting.on_acknowledgement_missed("p-1", now + timedelta(seconds=300))
    assert offered_to(step.actions) == ["p-2"]
    assert step.round.assigned_provider_id is None
    round_ = step.round.on_decline("p-2", now + timedelta(seconds=301), "busy").round
    unfilled = round_.on_decline("p-3", now + timedelta(seconds=302), "busy")
    assert unfilled.actions[0].outcomes[0] == ("p-1", "acknowledgement_missed")


def test_acknowledgement_is_refused_from_anyone_but_the_provider_assigned_at_once(now):
    waiting = DispatchRound.start("r-1", ranked("p-1", "p-2", on_call=frozenset({"p-1"})), HIGH, now).round
    with pytest.raises(NotAwaitingAcknowledgement):
        waiting.on_acknowledged("p-2", now)
    offering = DispatchRound.start("r-1", ranked("p-1", "p-2"), HIGH, now).round
    with pytest.raises(NotAwaitingAcknowledgement):
        offering.on_acknowledgement_missed("p-1", now)


def test_on_call_candidates_get_plain_offers_while_other_offers_are_open(now):
    step = DispatchRound.start("r-1", ranked("p-1", "p-2", "p-3", on_call=frozenset({"p-2"})), CRITICAL, now)
    assert offered_to(step.actions) == ["p-1", "p-2", "p-3"]


def test_a_policy_without_the_on_call_shortcut_offers_to_on_call_providers(now):
    no_shortcut = OfferPolicy(fan_out=1, answer_window_seconds=3600, assign_on_call_at_once=False)
    step = DispatchRound.start("r-1", ranked("p-1", on_call=frozenset({"p-1"})), no_shortcut, now)
    assert offered_to(step.actions) == ["p-1"]


def test_cancelling_withdraws_every_pending_offer_and_closes_the_round(now):
    round_ = DispatchRound.start("r-1", ranked("p-1", "p-2", "p-3"), CRITICAL, now).round
    step = round_.cancel(now + timedelta(seconds=5))
    assert withdrawn_from(step.actions) == ["p-1", "p-2", "p-3"]
    assert step.round.status is RoundStatus.CANCELLED
    with pytest.raises(RoundClosed):
        step.round.cancel(now + timedelta(seconds=6))


def test_an_assigned_round_cannot_be_cancelled(now):
    round_ = DispatchRound.start("r-1", ranked("p-1"), HIGH, now).round
    assigned = round_.on_accept("p-1", now + timedelta(seconds=5)).round
    with pytest.raises(RoundClosed):
        assigned.cancel(now + timedelta(seconds=6))


def test_answers_from_providers_without_an_offer_are_refused(now):
    round_ = DispatchRound.start("r-1", ranked("p-1", "p-2"), HIGH, now).round
    with pytest.raises(NoSuchOffer):
        round_.on_accept("p-2", now)


def test_a_provider_may_appear_only_once_among_the_candidates(now):
    with pytest.raises(ValueError, match="twice"):
        DispatchRound.start("r-1", ranked("p-1", "p-1"), HIGH, now)


def test_a_later_round_derives_new_offer_ids(now):
    step = DispatchRound.start("r-1", ranked("p-1"), HIGH, now, round_number=2)
    assert step.actions[0].offer.offer_id == offer_id_for("r-1", 2, "p-1")


answers = st.lists(
    st.tuples(st.sampled_from(["accept", "decline", "expire", "refused"]), st.integers(0, 7)), max_size=20
)


@given(
    candidate_count=st.integers(min_value=0, max_value=8),
    fan_out=st.integers(min_value=1, max_value=4),
    script=answers,
)
def test_whatever_the_answers_no_one_is_offered_twice_and_at_most_one_is_booked(
    now, candidate_count, fan_out, script
):
    policy = OfferPolicy(fan_out=fan_out, answer_window_seconds=60)
    step = DispatchRound.start("r-1", ranked(*(f"p-{i}" for i in range(candidate_count))), policy, now)
    all_actions = list(step.actions)
    round_, clock = step.round, now
    for answer, pick in script:
        pending = round_.pending_offers
        if not pending:
            break
        offer = pending[pick % len(pending)]
        clock += timedelta(seconds=7)
        if answer == "expire" or clock >= offer.expires_at:
            clock = max(clock, offer.expires_at)
            step = round_.on_expire(offer.provider_id, clock)
        elif answer == "accept":
            step = round_.on_accept(offer.provider_id, clock)
        elif answer == "decline":
            step = round_.on_decline(offer.provider_id, clock, "no")
        else:
            step = round_.on_booking_refused(offer.provider_id, clock)
        round_ = step.round
        all_actions.extend(step.actions)
        assert len(round_.pending_offers) <= fan_out
    offered = offered_to(all_actions)
    assert len(offered) == len(set(offered))
    booked = [a for a in all_actions if isinstance(a, BookProvider)]
    assert len(booked) <= 1
    unfilled = [a for a in all_actions if isinstance(a, MarkUnfilled)]
    assert len(booked) + len(unfilled) <= 1
    if round_.status is RoundStatus.OFFERING:
        assert round_.pending_offers
    else:
        assert round_.status in (RoundStatus.ASSIGNED, RoundStatus.UNFILLED)
        assert not round_.pending_offers


def test_an_on_call_booking_refused_by_the_database_moves_on_to_the_next_candidate(now):
    candidates = [RankedCandidate("p-on-call", on_call=True), RankedCandidate("p-next")]
    step = DispatchRound.start("r-1", candidates, OfferPolicy(), now)
    assert isinstance(step.actions[0], AssignOnCall)
    moved = step.round.on_assignment_refused("p-on-call", now)
    assert moved.round.status is RoundStatus.OFFERING
    assert [type(a) for a in moved.actions] == [CreateOffer]
    assert moved.round.outcomes()[0] == ("p-on-call", BOOKING_REFUSED_REASON)


def test_ops_assigning_by_hand_withdraws_every_pending_offer(now):
    candidates = [RankedCandidate("p-1"), RankedCandidate("p-2")]
    step = DispatchRound.start("r-1", candidates, OfferPolicy(fan_out=2), now)
    done = step.round.assign_manually("p-9", now)
    assert done.round.status is RoundStatus.ASSIGNED and done.round.assigned_provider_id == "p-9"
    assert sorted(a.offer.provider_id for a in done.actions if isinstance(a, WithdrawOffer)) == ["p-1", "p-2"]
