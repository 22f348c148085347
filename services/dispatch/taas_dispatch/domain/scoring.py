"""The explainable scorer: one weighted component per factor, a total, and a deterministic ranking."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from taas_dispatch.domain.scoring_config import ScoringCurves, ScoringWeights
from taas_dispatch.domain.views import ProviderView, ReliabilityStats, RequestView

# Totals are rounded before comparing so float noise never beats the provider-id tie-break.
_TOTAL_COMPARISON_DIGITS = 9
# Scores in the dispatch log: enough to read and compare, without 17-digit floats in every record.
LOGGED_DIGITS = 4


@dataclass(frozen=True, slots=True)
class ScoringContext:
    """Recent history the scorer needs, gathered by the caller for one request."""

    completed_with_agency: Mapping[str, int] = field(default_factory=dict)
    recent_assignments: Mapping[str, int] = field(default_factory=dict)
    recent_lent_by_jurisdiction: Mapping[str, int] = field(default_factory=dict)
    open_offers: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoreComponent:
    """One factor's contribution: its value in [0, 1], its weight, and the facts behind it."""

    name: str
    value: float
    weight: float
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def weighted(self) -> float:
        """value × weight."""
        return self.value * self.weight


@dataclass(frozen=True, slots=True)
class ScoreBreakdown:
    """Why a provider scored what it did: every component and the total."""

    provider_id: str
    components: tuple[ScoreComponent, ...]

    @property
    def total(self) -> float:
        """Sum of the weighted components."""
        return sum(component.weighted for component in self.components)

    def component(self, name: str) -> ScoreComponent:
        """The component called `name`."""
        return next(component for component in self.components if component.name == name)

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the dispatch log: the total, each component's value and the facts behind them.

        The weights are the same for every candidate of a decision, so the decision carries them once
        (`ScoringWeights.to_dict`); each value times its weight, summed, gives the total.
        """
        facts: dict[str, Any] = {}
        for component in self.components:
            facts.update(component.detail)
        return {
            "provider_id": self.provider_id,
            "total": round(self.total, LOGGED_DIGITS),
            "scores": {component.name: round(component.value, LOGGED_DIGITS) for component in self.components},
            "facts": facts,
        }


_Measured = tuple[float, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _Facts:
    """Everything a factor may look at."""

    provider: ProviderView
    request: RequestView
    context: ScoringContext
    curves: ScoringCurves
    now: datetime


def _rising(count: float, half: float) -> float:
    """0 at zero, 0.5 at `half`, approaching 1: more is better, with diminishing returns."""
    return count / (count + half)


def _falling(count: float, half: float) -> float:
    """1 at zero, 0.5 at `half`, approaching 0: more is worse."""
    return half / (count + half)


def _prior_work(f: _Facts) -> _Measured:
    count = f.context.completed_with_agency.get(f.provider.provider_id, 0)
    return (_rising(count, f.curves.prior_work_half_count), {"completed_with_agency": count})


def _skill_value(wanted: frozenset[str], skills: frozenset[str]) -> float:
    # Coverage of the requested skills, not Jaccard: a broad provider is not worse for knowing more.
    return 1.0 if not wanted else len(wanted & skills) / len(wanted)


def _skill_overlap(f: _Facts) -> _Measured:
    wanted = f.request.requirements.required_skills
    matched = wanted & f.provider.skills
    return (_skill_value(wanted, f.provider.skills), {"matched": sorted(matched), "missing": sorted(wanted - matched)})


def _provider_load(context: ScoringContext, provider_id: str) -> int:
    # An offer still open is work the provider may take on: without it, a burst of requests ranks the same
    # provider first every time and piles every offer on them while the rest of the pool waits.
    return context.recent_assignments.get(provider_id, 0) + context.open_offers.get(provider_id, 0)


def _provider_fairness(f: _Facts) -> _Measured:
    pid = f.provider.provider_id
    value = _falling(_provider_load(f.context, pid), f.curves.provider_fairness_half_count)
    return (value, {"recent_assignments": f.context.recent_assignments.get(pid, 0),
                    "open_offers": f.context.open_offers.get(pid, 0)})


def _jurisdiction_fairness(f: _Facts) -> _Measured:
    lent = f.context.recent_lent_by_jurisdiction.get(f.provider.home_jurisdiction_id, 0)
    value = _falling(lent, f.curves.jurisdiction_fairness_half_count)
    return (value, {"home_jurisdiction_id": f.provider.home_jurisdiction_id, "recently_lent": lent})


def _cost_value(rate: int, cap: int) -> float:
    # A zero cap admits only providers who cost nothing; any rate above the cap scores zero. One correctly
    # rounded division of integers equals float(1 - Fraction(rate, cap)) exactly, at a fraction of the cost.
    return max(0, cap - rate) / cap if cap > 0 else float(rate == 0)


def _cost(f: _Facts) -> _Measured:
    rate, cap = f.provider.hourly_rate_cents, f.request.requirements.max_hourly_rate_cents
    return (_cost_value(rate, cap), {"hourly_rate_cents": rate, "cap_cents": cap})


def _acceptance(stats: ReliabilityStats, curves: ScoringCurves) -> float:
    if stats.offers_received:
        return stats.offers_accepted / stats.offers_received
    return curves.reliability_without_history


def _reliability_value(stats: ReliabilityStats, curves: ScoringCurves) -> float:
    acceptance = _acceptance(stats, curves)
    if stats.median_answer_seconds is not None:
        speed = _falling(stats.median_answer_seconds, curves.answer_speed_half_seconds)
    else:
        speed = curves.reliability_without_history
    share = curves.acceptance_share_of_reliability
    return share * acceptance + (1 - share) * speed


def _reliability(f: _Facts) -> _Measured:
    stats = f.provider.reliability
    acceptance = _acceptance(stats, f.curves)
    value = _reliability_value(stats, f.curves)
    detail = {
        "acceptance_rate": round(acceptance, LOGGED_DIGITS),
        "median_answer_seconds": stats.median_answer_seconds,
        "offers_received": stats.offers_received,
    }
    return (value, detail)


def _is_night(hour: int, curves: ScoringCurves) -> bool:
    start, end = curves.night_starts_hour, curves.night_ends_hour
    return start <= hour < end if start < end else hour >= start or hour < end


def _local_value(night: bool, on_call: bool, curves: ScoringCurves) -> float:
    return curves.night_score if night and not on_call else 1.0


def _local_time(f: _Facts) -> _Measured:
    local = f.now.astimezone(ZoneInfo(f.provider.time_zone))
    on_call = f.provider.is_on_call(f.now)
    night = _is_night(local.hour, f.curves)
    return (_local_value(night, on_call, f.curves), {"local_time": f"{local.hour:02d}:{local.minute:02d}",
                                                     "on_call": on_call, "night": night})


_Factor = Callable[[_Facts], _Measured]
# Keys are the ScoringWeights field names; the order is the order of the breakdown.
_FACTORS: dict[str, _Factor] = {
    "prior_work": _prior_work,
    "skill_overlap": _skill_overlap,
    "provider_fairness": _provider_fairness,
    "jurisdiction_fairness": _jurisdiction_fairness,
    "cost": _cost,
    "reliability": _reliability,
    "local_time": _local_time,
}


def score(
    provider: ProviderView,
    request: RequestView,
    context: ScoringContext,
    weights: ScoringWeights,
    now: datetime,
    curves: ScoringCurves = ScoringCurves(),
) -> ScoreBreakdown:
    """Score one (already eligible) provider for `request`, component by component."""
    facts = _Facts(provider, request, context, curves, now)
    components = []
    for name, factor in _FACTORS.items():
        value, detail = factor(facts)
        components.append(ScoreComponent(name, value, getattr(weights, name), detail))
    return ScoreBreakdown(provider.provider_id, tuple(components))


def rank(
    candidates: Iterable[ProviderView],
    request: RequestView,
    context: ScoringContext,
    weights: ScoringWeights,
    now: datetime,
    curves: ScoringCurves = ScoringCurves(),
) -> list[ScoreBreakdown]:
    """Score every candidate; best first, ties broken by provider id so the order is deterministic."""
    breakdowns = [score(provider, request, context, weights, now, curves) for provider in candidates]
    return sorted(breakdowns, key=lambda b: (-round(b.total, _TOTAL_COMPARISON_DIGITS), b.provider_id))


def _total(provider: ProviderView, request: RequestView, context: ScoringContext, weights: tuple[float, ...],
           now: datetime, curves: ScoringCurves, night_by_zone: dict[str, bool]) -> float:
    """The same total as `score(...).total` (same values, same order of summing) without building the details."""
    pid = provider.provider_id
    zone = provider.time_zone
    night = night_by_zone.get(zone)
    if night is None:
        night = night_by_zone[zone] = _is_night(now.astimezone(ZoneInfo(zone)).hour, curves)
    values = (
        _rising(context.completed_with_agency.get(pid, 0), curves.prior_work_half_count),
        _skill_value(request.requirements.required_skills, provider.skills),
        _falling(_provider_load(context, pid), curves.provider_fairness_half_count),
        _falling(context.recent_lent_by_jurisdiction.get(provider.home_jurisdiction_id, 0),
                 curves.jurisdiction_fairness_half_count),
        _cost_value(provider.hourly_rate_cents, request.requirements.max_hourly_rate_cents),
        _reliability_value(provider.reliability, curves),
        _local_value(night, provider.is_on_call(now), curves),
    )
    return sum(value * weight for value, weight in zip(values, weights, strict=True))


def rank_explained(
    candidates: Iterable[ProviderView],
    request: RequestView,
    context: ScoringContext,
    weights: ScoringWeights,
    now: datetime,
    curves: ScoringCurves = ScoringCurves(),
    explain: int = 10,
) -> tuple[list[str], list[ScoreBreakdown]]:
    """The order `rank` gives (provider ids) and the full breakdowns of the first `explain` only (cheaper)."""
    pool = list(candidates)
    weight_values = tuple(getattr(weights, name) for name in _FACTORS)
    night_by_zone: dict[str, bool] = {}
    totals = {p.provider_id: _total(p, request, context, weight_values, now, curves, night_by_zone) for p in pool}
    ordered = sorted(pool, key=lambda p: (-round(totals[p.provider_id], _TOTAL_COMPARISON_DIGITS), p.provider_id))
    explained = [score(p, request, context, weights, now, curves) for p in ordered[:explain]]
    return [p.provider_id for p in ordered], explained
