"""The explainable scorer: each component moves the rank the right way, weights matter, ties are stable."""

import json
from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taas_dispatch.domain.errors import InvalidConfiguration
from taas_dispatch.domain.scoring import ScoringContext, rank, rank_explained, score
from taas_dispatch.domain.scoring_config import ScoringConfig, ScoringCurves, ScoringWeights
from taas_dispatch.domain.views import ProviderView, ReliabilityStats, RequestView

WEIGHTS = ScoringWeights()
EMPTY = ScoringContext()


def order(
    providers: Sequence[ProviderView],
    request: RequestView,
    now: datetime,
    context: ScoringContext = EMPTY,
    weights: ScoringWeights = WEIGHTS,
) -> list[str]:
    return [breakdown.provider_id for breakdown in rank(providers, request, context, weights, now)]


def test_identical_providers_tie_break_on_provider_id(make_provider, make_incident, now):
    providers = [make_provider(provider_id=pid) for pid in ("p-c", "p-a", "p-b")]
    assert order(providers, make_incident(), now) == ["p-a", "p-b", "p-c"]


@given(st.permutations(["p-1", "p-2", "p-3", "p-4", "p-5"]))
def test_the_ranking_does_not_depend_on_input_order(make_provider, make_incident, now, ids):
    rates = {"p-1": 15_000, "p-2": 9_000, "p-3": 9_000, "p-4": 12_000, "p-5": 9_000}
    providers = [make_provider(provider_id=pid, hourly_rate_cents=rates[pid]) for pid in ids]
    assert order(providers, make_incident(), now) == ["p-2", "p-3", "p-5", "p-4", "p-1"]


def test_prior_work_with_the_agency_ranks_higher(make_provider, make_incident, now):
    providers = [make_provider(provider_id="p-a"), make_provider(provider_id="p-b")]
    context = ScoringContext(completed_with_agency={"p-b": 3})
    assert order(providers, make_incident(), now, context) == ["p-b", "p-a"]


def test_more_of_the_requested_skills_ranks_higher(make_provider, make_incident, now):
    wanted = frozenset({"ransomware", "forensics", "m365"})
    providers = [
        make_provider(provider_id="p-a", skills=frozenset({"ransomware"})),
        make_provider(provider_id="p-b", skills=frozenset({"ransomware", "forensics", "gis"})),
    ]
    ranked = rank(providers, make_incident(required_skills=wanted), EMPTY, WEIGHTS, now)
    assert [b.provider_id for b in ranked] == ["p-b", "p-a"]
    assert ranked[0].component("skill_overlap").value == pytest.approx(2 / 3)
    detail = ranked[0].component("skill_overlap").detail
    assert detail == {"matched": ["forensics", "ransomware"], "missing": ["m365"]}


def test_fewer_recent_assignments_rank_higher(make_provider, make_incident, now):
    providers = [make_provider(provider_id="p-a"), make_provider(provider_id="p-b")]
    context = ScoringContext(recent_assignments={"p-a": 4, "p-b": 1})
    assert order(providers, make_incident(), now, context) == ["p-b", "p-a"]


def test_open_offers_count_as_load_so_a_burst_spreads_over_the_pool(make_provider, make_incident, now):
    providers = [make_provider(provider_id="p-a"), make_provider(provider_id="p-b")]
    assert order(providers, make_incident(), now, ScoringContext()) == ["p-a", "p-b"]
    busy = ScoringContext(open_offers={"p-a": 1})
    assert order(providers, make_incident(), now, busy) == ["p-b", "p-a"]
    detail = score(providers[0], make_incident(), busy, WEIGHTS, now).components
    fairness = next(c for c in detail if c.name == "provider_fairness")
    assert fairness.detail == {"recent_assignments": 0, "open_offers": 1}


def test_a_jurisdiction_that_lent_a_lot_recently_ranks_lower(make_provider, make_incident, now):
    providers = [
        make_provider(provider_id="p-a", home_jurisdiction_id="j-busy"),
        make_provider(provider_id="p-b", home_jurisdiction_id="j-quiet"),
    ]
    context = ScoringContext(recent_lent_by_jurisdiction={"j-busy": 25, "j-quiet": 2})
    assert order(providers, make_incident(), now, context) == ["p-b", "p-a"]


def test_cheaper_relative_to_the_cap_ranks_higher(make_provider, make_incident, now):
    providers = [
        make_provider(provider_id="p-a", hourly_rate_cents=18_000),
        make_provider(provider_id="p-b", hourly_rate_cents=5_000),
    ]
    ranked = rank(providers, make_incident(max_hourly_rate_cents=20_000), EMPTY, WEIGHTS, now)
    assert [b.provider_id for b in ranked] == ["p-b", "p-a"]
    assert ranked[0].component("cost").value == pytest.approx(0.75)


def test_a_higher_acceptance_rate_ranks_higher(make_provider, make_incident, now):
    providers = [
        make_provider(provider_id="p-a", reliability=ReliabilityStats(10, 3, 60)),
        make_provider(provider_id="p-b", reliability=ReliabilityStats(10, 9, 60)),
    ]
    assert order(providers, make_incident(), now) == ["p-b", "p-a"]


def test_a_faster_median_answer_ranks_higher(make_provider, make_incident, now):
    providers = [
        make_provider(provider_id="p-a", reliability=ReliabilityStats(10, 8, 600)),
        make_provider(provider_id="p-b", reliability=ReliabilityStats(10, 8, 30)),
    ]
    assert order(providers, make_incident(), now) == ["p-b", "p-a"]


def test_a_provider_whose_local_time_is_night_ranks_lower(make_provider, make_incident, now):
    # 14:00 UTC is 09:00 in Chicago and 23:00 in Tokyo, inside the default night window.
    providers = [
        make_provider(provider_id="p-a", time_zone="Asia/Tokyo"),
        make_provider(provider_id="p-b", time_zone="America/Chicago"),
    ]
    ranked = rank(providers, make_incident(), EMPTY, WEIGHTS, now)
    assert [b.provider_id for b in ranked] == ["p-b", "p-a"]
    assert ranked[1].component("local_time").detail == {"local_time": "23:00", "on_call": False, "night": True}


def test_an_on_call_provider_is_not_penalised_at_night(make_provider, make_incident, now):
    on_call_in_tokyo = make_provider(time_zone="Asia/Tokyo", on_call_until=now + timedelta(hours=8))
    breakdown = score(on_call_in_tokyo, make_incident(), EMPTY, WEIGHTS, now)
    assert breakdown.component("local_time").value == 1.0


@pytest.mark.parametrize(
    ("utc_time", "night"),
    [
        (datetime(2026, 3, 11, 3, 59, tzinfo=UTC), True),  # 23:59 EDT, daylight time began 8 March
        (datetime(2026, 3, 11, 2, 59, tzinfo=UTC), False),  # 22:59 EDT
        (datetime(2026, 3, 11, 9, 59, tzinfo=UTC), True),  # 05:59 EDT
        (datetime(2026, 3, 11, 10, 0, tzinfo=UTC), False),  # 06:00 EDT
    ],
)
def test_the_night_window_follows_the_provider_local_clock_across_dst(make_provider, make_incident, utc_time, night):
    provider = make_provider(time_zone="America/New_York")
    component = score(provider, make_incident(), EMPTY, WEIGHTS, utc_time).component("local_time")
    assert component.detail["night"] is night
    assert component.value == (0.0 if night else 1.0)


def test_weights_from_config_change_the_order(make_provider, make_incident, now):
    providers = [
        make_provider(provider_id="p-cheap", hourly_rate_cents=2_000),
        make_provider(provider_id="p-known", hourly_rate_cents=19_000),
    ]
    context = ScoringContext(completed_with_agency={"p-known": 4})
    assert order(providers, make_incident(), now, context) == ["p-known", "p-cheap"]
    cost_first = ScoringConfig.from_mapping({"weights": {"cost": 10, "prior_work": 0.5}}).weights
    assert order(providers, make_incident(), now, context, cost_first) == ["p-cheap", "p-known"]


def test_a_zero_weight_silences_its_component(make_provider, make_incident, now):
    providers = [
        make_provider(provider_id="p-a", hourly_rate_cents=19_000),
        make_provider(provider_id="p-b", hourly_rate_cents=1_000),
    ]
    assert order(providers, make_incident(), now) == ["p-b", "p-a"]
    cost_ignored = ScoringWeights.from_mapping({"cost": 0})
    ranked = rank(providers, make_incident(), EMPTY, cost_ignored, now)
    assert [b.provider_id for b in ranked] == ["p-a", "p-b"]  # a tie, broken by provider id
    assert ranked[0].total == ranked[1].total


def test_curves_from_config_reshape_a_component(make_provider, make_incident, now):
    provider = make_provider()
    context = ScoringContext(completed_with_agency={"p-1": 2})
    default = score(provider, make_incident(), context, WEIGHTS, now).component("prior_work").value
    steeper = ScoringCurves.from_mapping({"prior_work_half_count": 1})
    assert default == pytest.approx(0.5)
    steeper_value = score(provider, make_incident(), context, WEIGHTS, now, steeper).component("prior_work").value
    assert steeper_value == pytest.approx(2 / 3)


@given(
    rate=st.integers(min_value=0, max_value=20_000),
    received=st.integers(min_value=0, max_value=500),
    accepted_share=st.floats(min_value=0, max_value=1),
    median=st.one_of(st.none(), st.integers(min_value=0, max_value=100_000)),
    completed=st.integers(min_value=0, max_value=1_000),
    recent=st.integers(min_value=0, max_value=1_000),
    hour=st.integers(min_value=0, max_value=23),
)
def test_every_component_lies_in_the_unit_interval_and_the_total_is_their_weighted_sum(
    make_provider, make_incident, rate, received, accepted_share, median, completed, recent, hour
):
    at = datetime(2026, 3, 10, hour, 0, tzinfo=UTC)
    provider = make_provider(
        hourly_rate_cents=rate,
        reliability=ReliabilityStats(received, int(received * accepted_share), median),
        skills=frozenset({"ransomware"}),
    )
    context = ScoringContext({"p-1": completed}, {"p-1": recent}, {"j-home": recent})
    request = make_incident(required_skills=frozenset({"ransomware", "forensics"}))
    breakdown = score(provider, request, context, WEIGHTS, at)
    assert len(breakdown.components) == 7
    assert all(0.0 <= component.value <= 1.0 for component in breakdown.components)
    assert breakdown.total == pytest.approx(sum(c.value * c.weight for c in breakdown.components))


def test_the_breakdown_serialises_to_plain_json(make_provider, make_incident, now):
    context = ScoringContext(completed_with_agency={"p-1": 1})
    breakdown = score(make_provider(reliability=ReliabilityStats(4, 3, 90)), make_incident(), context, WEIGHTS, now)
    as_dict = json.loads(json.dumps(breakdown.to_dict()))
    weights = json.loads(json.dumps(WEIGHTS.to_dict()))
    assert as_dict["provider_id"] == "p-1"
    assert list(as_dict["scores"]) == list(weights) == [
        "prior_work",
        "skill_overlap",
        "provider_fairness",
        "jurisdiction_fairness",
        "cost",
        "reliability",
        "local_time",
    ]
    assert as_dict["facts"]["completed_with_agency"] == 1
    assert as_dict["facts"]["acceptance_rate"] == 0.75
    # Logged values are rounded; the decision's weights give the total back.
    assert as_dict["total"] == pytest.approx(sum(v * weights[k] for k, v in as_dict["scores"].items()), abs=1e-3)


def test_every_fact_behind_a_breakdown_has_its_own_name(make_provider, make_incident, now):
    # The log merges the components' facts into one object: two factors must never use the same name.
    breakdown = score(make_provider(), make_incident(), EMPTY, WEIGHTS, now)
    names = [name for component in breakdown.components for name in component.detail]
    assert len(names) == len(set(names)) == len(breakdown.to_dict()["facts"])


def test_there_is_one_component_per_configurable_weight(make_provider, make_incident, now):
    breakdown = score(make_provider(), make_incident(), EMPTY, WEIGHTS, now)
    assert [c.name for c in breakdown.components] == [f.name for f in fields(ScoringWeights)]


def test_a_provider_without_history_gets_the_configured_neutral_reliability(make_provider, make_incident, now):
    breakdown = score(make_provider(), make_incident(), EMPTY, WEIGHTS, now)
    assert breakdown.component("reliability").value == pytest.approx(0.5)


@pytest.mark.parametrize(
    "mapping",
    [
        {"weights": {"costs": 1}},
        {"weights": {"cost": -1}},
        {"weights": {"cost": "high"}},
        {"weights": {"cost": True}},
        {"curves": {"night_starts_hour": 24}},
        {"curves": {"night_starts_hour": 22.5}},
        {"curves": {"prior_work_half_count": 0}},
        {"curves": {"acceptance_share_of_reliability": 1.5}},
        {"fairness": {}},
    ],
)
def test_bad_scoring_configuration_is_refused(mapping):
    with pytest.raises(InvalidConfiguration):
        ScoringConfig.from_mapping(mapping)


def test_scoring_configuration_keeps_defaults_for_absent_keys():
    config = ScoringConfig.from_mapping({"weights": {"cost": 2}})
    assert config.weights == ScoringWeights(cost=2.0)
    assert isinstance(config.weights.cost, float)
    assert config.curves == ScoringCurves()


@given(st.integers(0, 2**32 - 1), st.integers(0, 30), st.integers(0, 23))
def test_rank_explained_orders_and_explains_exactly_as_rank(make_provider, make_incident, now, seed, size, hour):
    import random

    rng = random.Random(seed)
    at = now.replace(hour=hour)
    skills = ["ransomware", "forensics", "m365", "gis"]
    providers = [
        make_provider(
            provider_id=f"p-{i:02d}", hourly_rate_cents=rng.choice([8_000, 9_000, 12_500, 20_000, 25_000]),
            skills=frozenset(rng.sample(skills, rng.randint(0, 3))), home_jurisdiction_id=rng.choice(["j-1", "j-2"]),
            time_zone=rng.choice(["America/Chicago", "America/New_York", "Pacific/Honolulu", "Asia/Kolkata"]),
            on_call_until=at + timedelta(hours=1) if rng.random() < 0.3 else None,
            reliability=ReliabilityStats(4, rng.randint(0, 4), rng.choice([None, 30, 600])) if rng.random() < 0.5
            else ReliabilityStats())
        for i in range(size)
    ]
    context = ScoringContext({"p-01": 2, "p-03": 1}, {"p-02": 3}, {"j-1": rng.randint(0, 5)},
                             {"p-02": rng.randint(0, 2), "p-04": rng.randint(0, 2)})
    request = make_incident(required_skills=frozenset(rng.sample(skills, rng.randint(0, 3))))
    full = rank(providers, request, context, WEIGHTS, at)
    ids, explained = rank_explained(providers, request, context, WEIGHTS, at, explain=7)
    assert ids == [b.provider_id for b in full]
    assert [b.to_dict() for b in explained] == [b.to_dict() for b in full[:7]]
