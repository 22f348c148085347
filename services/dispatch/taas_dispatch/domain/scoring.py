"""The explainable scorer: one weighted component per factor, a total, and a deterministic ranking."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from taas_dispatch.domain.scoring_config import ScoringCurves, ScoringWeights
from taas_dispatch.domain.views import ProviderView, RequestView

# Totals are rounded before comparing so float noise never beats the provider-id tie-break.
_TOTAL_COMPARISON_DIGITS = 9


@dataclass(frozen=True, slots=True)
class ScoringContext:
    """Recent history the scorer needs, gathered by the caller for one request."""

    completed_with_agency: Mapping[str, int] = field(default_factory=dict)
    recent_assignments: Mapping[str, int] = field(default_factory=dict)
    recent_lent_by_jurisdiction: Mapping[str, int] = field(default_factory=dict)


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

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the dispatch log."""
        return {"value": self.value, "weight": self.weight, "weighted": self.weighted, "detail": dict(self.detail)}


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
        """Serialise as plain JSON-ready data for the dispatch log."""
        return {
            "provider_id": self.provider_id,
            "total": self.total,
            "components": {component.name: component.to_dict() for component in self.components},
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


def _skill_overlap(f: _Facts) -> _Measured:
    wanted = f.request.requirements.required_skills
    matched = wanted & f.provider.skills
    # Coverage of the requested skills, not Jaccard: a broad provider is not worse for knowing more.
    value = 1.0 if not wanted else len(matched) / len(wanted)
    return (value, {"matched": sorted(matched), "missing": sorted(wanted - matched)})


def _provider_fairness(f: _Facts) -> _Measured:
    count = f.context.recent_assignments.get(f.provider.provider_id, 0)
    value = _falling(count, f.curves.provider_fairness_half_count)
    return (value, {"recent_assignments": count})


def _jurisdiction_fairness(f: _Facts) -> _Measured:
    lent = f.context.recent_lent_by_jurisdiction.get(f.provider.home_jurisdiction_id, 0)
    value = _falling(lent, f.curves.jurisdiction_fairness_half_count)
    return (value, {"home_jurisdiction_id": f.provider.home_jurisdiction_id, "recently_lent": lent})


def _cost(f: _Facts) -> _Measured:
    rate, cap = f.provider.hourly_rate_cents, f.request.requirements.max_hourly_rate_cents
    # A zero cap admits only providers who cost nothing; any rate above the cap scores zero. One correctly
    # rounded division of integers equals float(1 - Fraction(rate, cap)) exactly, at a fraction of the cost.
    value = max(0, cap - rate) / cap if cap > 0 else float(rate == 0)
    return (value, {"hourly_rate_cents": rate, "cap_cents": cap})


def _reliability(f: _Facts) -> _Measured:
    stats = f.provider.reliability
    if stats.offers_received:
        acceptance = stats.offers_accepted / stats.offers_received
    else:
        acceptance = f.curves.reliability_without_history
    if stats.median_answer_seconds is not None:
        speed = _falling(stats.median_answer_seconds, f.curves.answer_speed_half_seconds)
    else:
        speed = f.curves.reliability_without_history
    share = f.curves.acceptance_share_of_reliability
    value = share * acceptance + (1 - share) * speed
    detail = {
        "acceptance_rate": acceptance,
        "median_answer_seconds": stats.median_answer_seconds,
        "offers_received": stats.offers_received,
    }
    return (value, detail)


def _is_night(hour: int, curves: ScoringCurves) -> bool:
    start, end = curves.night_starts_hour, curves.night_ends_hour
    return start <= hour < end if start < end else hour >= start or hour < end


def _local_time(f: _Facts) -> _Measured:
    local = f.now.astimezone(ZoneInfo(f.provider.time_zone))
    on_call = f.provider.is_on_call(f.now)
    night = _is_night(local.hour, f.curves)
    value = f.curves.night_score if night and not on_call else 1.0
    return (value, {"local_time": local.strftime("%H:%M"), "on_call": on_call, "night": night})


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
