"""History the scorer needs for a pool of candidates: prior work, recent load and open offers, lending, answers."""

from typing import Any

from taas_dispatch.domain.scoring import ScoringContext
from taas_dispatch.domain.views import ReliabilityStats


def _lender(t: str) -> str:
    """Who lends a provider (same rule as readmodel.jurisdiction_key), for providers or assignments."""
    return (f"coalesce(nullif({t}.home_jurisdiction_id, ''), 'firm:' || nullif({t}.firm, ''), "
            f"'independent:' || {t}.provider_id)")


LENDER = _lender("p")

# The candidate query (candidates.py) runs these over its pool in the same round trip: `pool` is its CTE of
# eligible providers, `$7` the agency, `$15` the start of the history window. One row per fact, set-based (one
# scan per kind for the whole pool): per pool row, small tables got a sequential scan for every provider.
_FACTS = f"""
SELECT 'prior' AS kind, a.provider_id AS key, count(*)::int AS n, 0 AS accepted, NULL::float8 AS median
FROM assignments AS a
WHERE a.agency_id = $7 AND a.status = 'completed' AND a.provider_id = ANY(ARRAY(SELECT provider_id FROM pool))
GROUP BY a.provider_id
UNION ALL
SELECT 'recent', a.provider_id, count(*)::int, 0, NULL FROM assignments AS a
WHERE a.provider_id = ANY(ARRAY(SELECT provider_id FROM pool)) AND a.assigned_at >= $15 GROUP BY a.provider_id
UNION ALL
SELECT 'lent', {_lender("a")}, count(*)::int, 0, NULL FROM assignments AS a
WHERE a.assigned_at >= $15 AND {_lender("a")} = ANY(ARRAY(SELECT DISTINCT lender FROM pool)) GROUP BY 2
UNION ALL
SELECT 'answers', o.provider_id, count(*)::int, (count(*) FILTER (WHERE o.status = 'accepted'))::int,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM o.closed_at - o.created_at))
           FILTER (WHERE o.status IN ('accepted', 'declined'))
FROM offers AS o
WHERE o.provider_id = ANY(ARRAY(SELECT provider_id FROM pool)) AND o.created_at >= $15
  AND o.status IN ('accepted', 'declined', 'expired')
GROUP BY o.provider_id
UNION ALL
SELECT 'open', o.provider_id, count(*)::int, 0, NULL FROM offers AS o
WHERE o.provider_id = ANY(ARRAY(SELECT provider_id FROM pool)) AND o.status = 'pending'
GROUP BY o.provider_id"""

# The facts as one row of parallel arrays (history_kind, history_key, history_n, history_accepted, history_median).
HISTORY = f"""SELECT array_agg(kind), array_agg(key), array_agg(n), array_agg(accepted), array_agg(median)
FROM ({_FACTS}) AS facts"""
COLUMNS = {"history_kind": "text[]", "history_key": "text[]", "history_n": "int[]", "history_accepted": "int[]",
           "history_median": "float8[]"}


def history(row: Any) -> tuple[ScoringContext, dict[str, ReliabilityStats]]:
    """The scoring context and each provider's answer record, from the history row of the candidate query."""
    prior: dict[str, int] = {}
    recent: dict[str, int] = {}
    lent: dict[str, int] = {}
    open_offers: dict[str, int] = {}
    reliability: dict[str, ReliabilityStats] = {}
    if row is None or row["history_kind"] is None:
        return ScoringContext(), {}
    for kind, key, n, accepted, median in zip(*(row[c] for c in COLUMNS), strict=True):
        if kind == "prior":
            prior[key] = n
        elif kind == "recent":
            recent[key] = n
        elif kind == "lent":
            lent[key] = n
        elif kind == "open":
            open_offers[key] = n
        else:
            reliability[key] = ReliabilityStats(n, accepted, None if median is None else int(round(median)))
    return ScoringContext(prior, recent, lent, open_offers), reliability
