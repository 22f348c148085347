"""The dispatch configuration: scoring weights and curves, offer policies, and the matching limits."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from taas_dispatch.domain.config_loading import dataclass_from_mapping, reject_unknown_keys
from taas_dispatch.domain.policy import OfferPolicyConfig
from taas_dispatch.domain.scoring_config import ScoringConfig
from taas_dispatch.settings import DispatchSettings


@dataclass(frozen=True, slots=True)
class MatchingLimits:
    """How much of the provider pool one match looks at, and how much of it the dispatch log keeps."""

    candidate_pool: int = 60
    max_candidates: int = 25
    why_not_sample: int = 20
    logged_candidates: int = 10
    history_days: int = 30
    rematch_per_snapshot: int = 50

    def __post_init__(self) -> None:
        for name in ("candidate_pool", "max_candidates", "history_days", "rematch_per_snapshot"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Self:
        """Load from configuration; absent keys keep their defaults, unknown keys are refused."""
        return dataclass_from_mapping(cls, mapping, "matching")


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    """Everything that tunes matching and offering."""

    scoring: ScoringConfig = ScoringConfig()
    offer_policy: OfferPolicyConfig = OfferPolicyConfig()
    matching: MatchingLimits = MatchingLimits()

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Self:
        """Load `{"scoring": ..., "offer_policy": ..., "matching": ...}`; every part is optional."""
        reject_unknown_keys(mapping, {"scoring", "offer_policy", "matching"}, "dispatch config")
        return cls(
            scoring=ScoringConfig.from_mapping(mapping.get("scoring", {})),
            offer_policy=OfferPolicyConfig.from_mapping(mapping.get("offer_policy", {})),
            matching=MatchingLimits.from_mapping(mapping.get("matching", {})),
        )


def load_config(settings: DispatchSettings) -> DispatchConfig:
    """The file's sections first, each overridden as a whole by the matching environment setting."""
    merged: dict[str, Any] = {}
    if settings.config_file is not None:
        merged.update(json.loads(settings.config_file.read_text()))
    for name in ("scoring", "offer_policy", "matching"):
        value = getattr(settings, name)
        if value:
            merged[name] = value
    return DispatchConfig.from_mapping(merged)
