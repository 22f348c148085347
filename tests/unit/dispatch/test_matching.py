"""Matching end to end in pure code: excluded with reasons, the rest ranked, ready for a DispatchRound."""

import json
from datetime import timedelta

from taas_contracts.catalog import Role, Severity
from taas_dispatch.domain.dispatch_round import AssignOnCall, CreateOffer, DispatchRound, RankedCandidate
from taas_dispatch.domain.matching import match
from taas_dispatch.domain.policy import OfferPolicyConfig, policy_for
from taas_dispatch.domain.scoring import ScoringContext
from taas_dispatch.domain.scoring_config import ScoringConfig
from taas_dispatch.domain.time_windows import TimeWindow
from taas_dispatch.domain.views import ActiveEngagement


def test_match_ranks_the_eligible_and_explains_the_excluded(make_provider, make_incident, now):
    providers = [
        make_provider(provider_id="p-expensive", hourly_rate_cents=19_000),
        make_provider(provider_id="p-cio", roles=frozenset({Role.CIO})),
        make_provider(provider_id="p-cheap", hourly_rate_cents=5_000),
        make_provider(provider_id="p-busy"),
        make_provider(provider_id="p-on-call", hourly_rate_cents=19_000, on_call_until=now + timedelta(hours=8)),
    ]
    busy = ActiveEngagement("p-busy", TimeWindow(now, now + timedelta(hours=1)))
    result = match(providers, make_incident(), now, [busy], ScoringContext(), ScoringConfig())
    assert [b.provider_id for b in result.ranked] == ["p-cheap", "p-expensive", "p-on-call"]
    assert [(pid, [r.code for r in reasons]) for pid, reasons in result.excluded] == [
        ("p-busy", ["at_capacity"]),
        ("p-cio", ["role_mismatch"]),
    ]
    assert result.candidates() == (
        RankedCandidate("p-cheap"),
        RankedCandidate("p-expensive"),
        RankedCandidate("p-on-call", on_call=True),
    )
    logged = json.loads(json.dumps(result.to_dict()))
    assert logged["excluded"][0] == {
        "provider_id": "p-busy",
        "reasons": [{"code": "at_capacity", "message": logged["excluded"][0]["reasons"][0]["message"]}],
    }
    assert [c["provider_id"] for c in logged["candidates"]] == ["p-cheap", "p-expensive", "p-on-call"]


def test_a_match_feeds_a_dispatch_round_under_the_severity_policy(make_provider, make_incident, now):
    providers = [make_provider(provider_id=f"p-{i}", hourly_rate_cents=1_000 * (i + 1)) for i in range(5)]
    request = make_incident(severity=Severity.CRITICAL)
    result = match(providers, request, now, [], ScoringContext(), ScoringConfig())
    step = DispatchRound.start(request.request_id, result.candidates(), policy_for(request, OfferPolicyConfig()), now)
    assert [a.offer.provider_id for a in step.actions if isinstance(a, CreateOffer)] == ["p-0", "p-1", "p-2"]


def test_an_on_call_provider_ranked_first_is_assigned_at_once(make_provider, make_incident, now):
    providers = [
        make_provider(provider_id="p-regular", hourly_rate_cents=15_000),
        make_provider(provider_id="p-on-call", hourly_rate_cents=5_000, on_call_until=now + timedelta(hours=8)),
    ]
    request = make_incident(severity=Severity.HIGH)
    result = match(providers, request, now, [], ScoringContext(), ScoringConfig())
    step = DispatchRound.start(request.request_id, result.candidates(), policy_for(request, OfferPolicyConfig()), now)
    assert step.actions == (AssignOnCall(request.request_id, "p-on-call", now + timedelta(seconds=300)),)
