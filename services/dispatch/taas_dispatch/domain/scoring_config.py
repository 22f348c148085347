"""Scoring configuration: the weight of each factor and the shape of each factor's curve."""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self

from taas_dispatch.domain.config_loading import dataclass_from_mapping, reject_unknown_keys


@dataclass(frozen=True, slots=True)
class ScoringWeights:
    """How much each score component counts; every component is in [0, 1] before weighting."""

    prior_work: float = 3.0
    skill_overlap: float = 3.0
    provider_fairness: float = 1.5
    jurisdiction_fairness: float = 1.0
    cost: float = 1.0
    reliability: float = 1.5
    local_time: float = 1.0

    def __post_init__(self) -> None:
        for field in fields(self):
            if getattr(self, field.name) < 0:
                raise ValueError(f"weight {field.name} must not be negative")

    def to_dict(self) -> dict[str, float]:
        """The weights by component name, as the dispatch log's decisions carry them."""
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Self:
        """Load from configuration; absent keys keep their defaults, unknown keys are refused."""
        return dataclass_from_mapping(cls, mapping, "scoring.weights")


@dataclass(frozen=True, slots=True)
class ScoringCurves:
    """The shape of each component: the counts or durations at which it reaches one half, etc."""

    prior_work_half_count: float = 2.0
    provider_fairness_half_count: float = 3.0
    jurisdiction_fairness_half_count: float = 10.0
    answer_speed_half_seconds: float = 120.0
    acceptance_share_of_reliability: float = 0.7
    reliability_without_history: float = 0.5
    night_starts_hour: int = 23
    night_ends_hour: int = 6
    night_score: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "prior_work_half_count",
            "provider_fairness_half_count",
            "jurisdiction_fairness_half_count",
            "answer_speed_half_seconds",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in ("acceptance_share_of_reliability", "reliability_without_history", "night_score"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")
        for name in ("night_starts_hour", "night_ends_hour"):
            if not 0 <= getattr(self, name) <= 23:
                raise ValueError(f"{name} must be an hour 0..23")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Self:
        """Load from configuration; absent keys keep their defaults, unknown keys are refused."""
        return dataclass_from_mapping(cls, mapping, "scoring.curves")


@dataclass(frozen=True, slots=True)
class ScoringConfig:
    """Weights and curves together, as one configuration section."""

    weights: ScoringWeights = ScoringWeights()
    curves: ScoringCurves = ScoringCurves()

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Self:
        """Load `{"weights": {...}, "curves": {...}}`; either part may be omitted."""
        reject_unknown_keys(mapping, {"weights", "curves"}, "scoring")
        return cls(
            weights=ScoringWeights.from_mapping(mapping.get("weights", {})),
            curves=ScoringCurves.from_mapping(mapping.get("curves", {})),
        )
