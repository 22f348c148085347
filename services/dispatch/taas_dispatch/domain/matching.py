"""Matching as one pure step: filter, score, rank, and keep the "why not X" of everyone left out."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from taas_dispatch.domain.dispatch_round import RankedCandidate
from taas_dispatch.domain.filters import Exclusion, exclusion_reasons
from taas_dispatch.domain.scoring import ScoreBreakdown, ScoringContext, rank
from taas_dispatch.domain.scoring_config import ScoringConfig
from taas_dispatch.domain.views import ActiveEngagement, ProviderView, RequestView


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Eligible providers best first, with their breakdowns, and every excluded provider with its reasons."""

    ranked: tuple[ScoreBreakdown, ...]
    excluded: tuple[tuple[str, tuple[Exclusion, ...]], ...]
    on_call_provider_ids: frozenset[str]

    def candidates(self) -> tuple[RankedCandidate, ...]:
        """The ranked providers in the form a DispatchRound walks."""
        return tuple(
            RankedCandidate(b.provider_id, on_call=b.provider_id in self.on_call_provider_ids) for b in self.ranked
        )

    def to_dict(self) -> dict[str, Any]:
        """Serialise for the dispatch log."""
        return {
            "candidates": [breakdown.to_dict() for breakdown in self.ranked],
            "excluded": [
                {"provider_id": provider_id, "reasons": [reason.to_dict() for reason in reasons]}
                for provider_id, reasons in self.excluded
            ],
        }


def match(
    providers: Iterable[ProviderView],
    request: RequestView,
    now: datetime,
    active_engagements: Sequence[ActiveEngagement],
    context: ScoringContext,
    config: ScoringConfig,
) -> MatchResult:
    """Apply every hard filter, then score and rank the providers who pass."""
    eligible: list[ProviderView] = []
    excluded: list[tuple[str, tuple[Exclusion, ...]]] = []
    for provider in providers:
        reasons = exclusion_reasons(provider, request, now, active_engagements)
        if reasons:
            excluded.append((provider.provider_id, tuple(reasons)))
        else:
            eligible.append(provider)
    ranked = rank(eligible, request, context, config.weights, now, config.curves)
    on_call = frozenset(provider.provider_id for provider in eligible if provider.is_on_call(now))
    return MatchResult(tuple(ranked), tuple(sorted(excluded, key=lambda pair: pair[0])), on_call)
