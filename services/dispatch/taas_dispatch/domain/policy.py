"""Offer policy by severity: how many providers are asked at once, and how long each has to answer."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Self

from taas_contracts.catalog import Severity
from taas_dispatch.domain.config_loading import override_from_mapping, reject_unknown_keys
from taas_dispatch.domain.views import IncidentRequest, RequestView


@dataclass(frozen=True, slots=True)
class OfferPolicy:
    """How one class of request is offered."""

    fan_out: int = 1
    answer_window_seconds: int = 300
    assign_on_call_at_once: bool = True
    acknowledge_window_seconds: int = 300

    def __post_init__(self) -> None:
        if self.fan_out < 1:
            raise ValueError("fan_out must be at least 1")
        if self.answer_window_seconds <= 0 or self.acknowledge_window_seconds <= 0:
            raise ValueError("answer and acknowledge windows must be positive")

    @property
    def answer_window(self) -> timedelta:
        """How long a provider has to accept or decline an offer."""
        return timedelta(seconds=self.answer_window_seconds)

    @property
    def acknowledge_window(self) -> timedelta:
        """How long an on-call provider assigned at once has to acknowledge."""
        return timedelta(seconds=self.acknowledge_window_seconds)


@dataclass(frozen=True, slots=True)
class OfferPolicyConfig:
    """The policy for each severity and for vacancies."""

    critical: OfferPolicy = OfferPolicy(fan_out=3, answer_window_seconds=60)
    high: OfferPolicy = OfferPolicy(fan_out=1, answer_window_seconds=120)
    medium: OfferPolicy = OfferPolicy(fan_out=1, answer_window_seconds=300)
    low: OfferPolicy = OfferPolicy(fan_out=1, answer_window_seconds=300)
    # A vacancy lasts weeks, so being on call this hour says nothing about taking it.
    vacancy: OfferPolicy = OfferPolicy(fan_out=1, answer_window_seconds=3600, assign_on_call_at_once=False)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Self:
        """Load e.g. `{"critical": {"fan_out": 5}}`; absent sections and keys keep their defaults."""
        sections = ("critical", "high", "medium", "low", "vacancy")
        reject_unknown_keys(mapping, set(sections), "offer_policy")
        defaults = cls()
        return cls(
            **{
                name: override_from_mapping(getattr(defaults, name), mapping.get(name, {}), f"offer_policy.{name}")
                for name in sections
            }
        )

    def for_severity(self, severity: Severity) -> OfferPolicy:
        """The policy of an incident of `severity`."""
        policy: OfferPolicy = getattr(self, severity.value)
        return policy


def policy_for(request: RequestView, config: OfferPolicyConfig) -> OfferPolicy:
    """The offer policy that applies to `request`."""
    if isinstance(request, IncidentRequest):
        return config.for_severity(request.severity)
    return config.vacancy
