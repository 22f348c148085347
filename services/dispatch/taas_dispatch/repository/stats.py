"""History the scorer needs for a pool of candidates: prior work, recent load, lending, answers to offers."""

from datetime import datetime

import asyncpg

from taas_dispatch.domain.scoring import ScoringContext
from taas_dispatch.domain.views import ReliabilityStats

_JURISDICTION = ("coalesce(nullif(a.home_jurisdiction_id, ''), 'firm:' || nullif(a.firm, ''), "
                 "'independent:' || a.provider_id)")

_STATS = f"""
SELECT 'prior' AS kind, a.provider_id AS key, count(*)::int AS n, 0 AS accepted, NULL::float8 AS median
FROM assignments AS a WHERE a.agency_id = $2 AND a.status = 'completed' AND a.provider_id = ANY($1::text[])
GROUP BY a.provider_id
UNION ALL
SELECT 'recent', a.provider_id, count(*)::int, 0, NULL FROM assignments AS a
WHERE a.provider_id = ANY($1::text[]) AND a.assigned_at >= $3 GROUP BY a.provider_id
UNION ALL
SELECT 'lent', {_JURISDICTION}, count(*)::int, 0, NULL FROM assignments AS a
WHERE a.assigned_at >= $3 AND {_JURISDICTION} = ANY($4::text[]) GROUP BY 2
UNION ALL
SELECT 'answers', o.provider_id, count(*)::int, (count(*) FILTER (WHERE o.status = 'accepted'))::int,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM o.closed_at - o.created_at))
           FILTER (WHERE o.status IN ('accepted', 'declined'))
FROM offers AS o
WHERE o.provider_id = ANY($1::text[]) AND o.created_at >= $3 AND o.status IN ('accepted', 'declined', 'expired')
GROUP BY o.provider_id"""


async def history(conn: asyncpg.Connection, provider_ids: list[str], jurisdictions: list[str], agency_id: str,
                  since: datetime) -> tuple[ScoringContext, dict[str, ReliabilityStats]]:
    """The scoring context and each provider's answer record since `since`."""
    if not provider_ids:
        return ScoringContext(), {}
    rows = await conn.fetch(_STATS, provider_ids, agency_id, since, sorted(set(jurisdictions)))
    prior: dict[str, int] = {}
    recent: dict[str, int] = {}
    lent: dict[str, int] = {}
    reliability: dict[str, ReliabilityStats] = {}
    for r in rows:
        kind = r["kind"]
        if kind == "prior":
            prior[r["key"]] = r["n"]
        elif kind == "recent":
            recent[r["key"]] = r["n"]
        elif kind == "lent":
            lent[r["key"]] = r["n"]
        else:
            median = None if r["median"] is None else int(round(r["median"]))
            reliability[r["key"]] = ReliabilityStats(r["n"], r["accepted"], median)
    return ScoringContext(prior, recent, lent), reliability
