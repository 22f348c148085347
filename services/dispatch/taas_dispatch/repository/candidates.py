"""The hard filters as one SQL query: eligible providers (a bounded pool) plus a sample of those excluded."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from taas_dispatch.domain.time_windows import TimeWindow
from taas_dispatch.domain.views import RequestView, VacancyRequest
from taas_dispatch.repository import stats

# Same formula and radius as domain.geo.haversine_km, so SQL and the reference filters agree.
_DISTANCE_KM = """2 * 6371.0088 * asin(least(1.0, sqrt(
    power(sin(radians($9 - p.onsite_lat) / 2), 2)
    + cos(radians(p.onsite_lat)) * cos(radians($9)) * power(sin(radians($10 - p.onsite_lon) / 2), 2))))"""

_ON_CALL = ("CASE WHEN p.on_call_until > $3 THEN tstzmultirange(tstzrange($3, p.on_call_until)) "
            "ELSE '{}'::tstzmultirange END")

_INCIDENT_AVAILABLE = f"(p.availability @> $2 OR (p.on_call_until > $3 AND (p.availability + {_ON_CALL}) @> $2))"

# Every week of a vacancy needs its hours inside the availability (plus a current on-call shift) up to the
# snapshot's horizon; past the horizon the weekly pattern counts pro rata (same rule as filters.week_hours).
_VACANCY_AVAILABLE = f"""NOT EXISTS (
    SELECT 1 FROM unnest($16::timestamptz[], $17::timestamptz[]) AS w(s, e)
    WHERE coalesce((SELECT sum(upper(r) - lower(r))
                    FROM unnest((p.availability + {_ON_CALL})
                                * tstzmultirange(tstzrange(w.s, greatest(w.s, least(w.e, p.horizon_until))))) AS r),
                   interval '0')
          + CASE WHEN w.e > p.horizon_until
                 THEN p.weekly_hours * (extract(epoch FROM w.e - greatest(w.s, p.horizon_until))
                                        / extract(epoch FROM w.e - w.s))::float8 * interval '1 hour'
                 ELSE interval '0' END < $18)"""

_ELIGIBLE = """p.status = 'active'
    AND p.roles @> ARRAY[$1::text]
    AND p.cert_names @> $4::text[]
    AND (cardinality($4::text[]) = 0
         OR NOT EXISTS (SELECT 1 FROM unnest($4::text[]) AS c WHERE (p.cert_expiry ->> c)::timestamptz < upper($2)))
    AND p.clearance_names @> $5::text[]
    AND (cardinality($5::text[]) = 0
         OR NOT EXISTS (SELECT 1 FROM unnest($5::text[]) AS c
                        WHERE (p.clearance_expiry ->> c)::timestamptz < upper($2)))
    AND {available}
    AND p.hourly_rate_cents <= $6
    AND NOT (p.conflicts @> ARRAY[$7::text])
    AND (NOT $8 OR (p.onsite_lat IS NOT NULL AND {distance} <= p.onsite_radius_km))
    AND p.capacity > 0
    AND NOT (p.provider_id IN (SELECT provider_id FROM full_now))"""

# Providers whose every slot is booked somewhere in the window, read once per query for both the pool and the
# sample (a hashed set). Each booked provider's capacity is looked up by key: joining the providers table made
# the planner scan all of it, twice, once bookings existed.
_FULL_NOW = """full_now AS MATERIALIZED (
    SELECT b.provider_id FROM bookings AS b WHERE b.period && $2
    GROUP BY b.provider_id
    HAVING count(DISTINCT b.slot) >= (SELECT c.capacity FROM providers AS c WHERE c.provider_id = b.provider_id))"""

_SCORED = """p.provider_id, p.roles, p.skills, p.hourly_rate_cents, p.capacity, p.status, p.on_call_until,
    p.home_jurisdiction_id, p.firm, p.time_zone"""
# Only the excluded sample needs what the reference filters read; the pool only needs what the scorer reads.
# The sample's availability is clipped to the window: the filters only ask what of the window it covers (the
# whole of it, or hours in each week of it), and a long schedule costs time to decode and to rebuild in Python.
_FILTERED = """p.cert_expiry, p.clearance_expiry, p.conflicts, p.onsite_lat, p.onsite_lon, p.onsite_radius_km,
    p.regions, p.availability * tstzmultirange($2) AS availability, p.horizon_until, p.weekly_hours"""
_UNUSED = """NULL::jsonb AS cert_expiry, NULL::jsonb AS clearance_expiry, NULL::text[] AS conflicts,
    NULL::float8 AS onsite_lat, NULL::float8 AS onsite_lon, NULL::float8 AS onsite_radius_km, NULL::text[] AS regions,
    NULL::tstzmultirange AS availability, NULL::timestamptz AS horizon_until, NULL::float8 AS weekly_hours"""


# When more providers pass than the pool holds, keep those the scorer's heaviest factors favour: prior work
# with this agency, then skill coverage, then cost. Only the first `_PREFILTER` pools' worth of eligible
# providers are ordered, so the query's work stays bounded however large the provider table grows.
_PREFILTER = 8
_PROXY = """EXISTS (SELECT 1 FROM assignments AS a
                WHERE a.agency_id = $7 AND a.provider_id = p.provider_id AND a.status = 'completed') DESC,
    (SELECT count(*) FROM unnest(p.skills) AS s WHERE s = ANY($14::text[])) DESC,
    p.hourly_rate_cents, p.provider_id"""


_NO_HISTORY = ", ".join(f"NULL::{t} AS {c}" for c, t in stats.COLUMNS.items())
# The history row has no provider: NULL for each scored and filtered column and for `booked`.
_NO_PROVIDER = ", ".join(["NULL"] * (len(_SCORED.split(",")) + len(_UNUSED.split(",")) + 1))


def _query(available: str) -> str:
    eligible = _ELIGIBLE.format(available=available, distance=_DISTANCE_KM)
    # The pool's scoring history ($15: since when) comes as one more row in the same round trip.
    return f"""
WITH {_FULL_NOW},
pool AS MATERIALIZED (
    SELECT {_SCORED}, {stats.LENDER} AS lender
    FROM (SELECT * FROM providers AS p
          WHERE {eligible} AND NOT (p.provider_id = ANY($13::text[]))
          LIMIT $11 * {_PREFILTER}) AS p
    ORDER BY {_PROXY}
    LIMIT $11)
(SELECT 'pool' AS part, {_SCORED}, {_UNUSED}, NULL::tstzrange[] AS booked, {_NO_HISTORY} FROM pool AS p)
UNION ALL
(SELECT 'excluded', {_SCORED}, {_FILTERED},
        ARRAY(SELECT b.period FROM bookings AS b WHERE b.provider_id = p.provider_id AND b.period && $2),
        {_NO_HISTORY}
 FROM providers AS p
 WHERE p.roles @> ARRAY[$1::text] AND (NOT coalesce({eligible}, false) OR p.provider_id = ANY($13::text[]))
 LIMIT $12)
UNION ALL
(SELECT 'history', {_NO_PROVIDER}, facts.* FROM ({stats.HISTORY}) AS facts)"""


def _typed(text: str) -> str:
    """Give the window and `now` parameters their types wherever they appear."""
    return text.replace("$2", "$2::tstzrange").replace("$3", "$3::timestamptz")


INCIDENT_QUERY = _typed(_query(_INCIDENT_AVAILABLE))
VACANCY_QUERY = _typed(_query(_VACANCY_AVAILABLE))


@dataclass(frozen=True, slots=True)
class CandidateRows:
    """Rows of eligible providers (at most the pool size), a sample of excluded ones, the pool's history row."""

    eligible: list[asyncpg.Record]
    excluded: list[asyncpg.Record]
    history: asyncpg.Record | None = None


def query_args(request: RequestView, window: TimeWindow, now: datetime, pool: int, sample: int,
               tried: list[str], since: datetime) -> tuple[str, list]:
    """The query text and its arguments for `request` over `window` at `now`."""
    needs = request.requirements
    location = needs.onsite_location
    args: list = [
        str(needs.role),
        asyncpg.Range(window.start, window.end),
        now,
        sorted(needs.required_certifications),
        sorted(str(c) for c in needs.required_clearances),
        needs.max_hourly_rate_cents,
        request.agency_id,
        bool(needs.onsite and location is not None),
        location.latitude if location else 0.0,
        location.longitude if location else 0.0,
        pool,
        sample,
        tried,
        sorted(needs.required_skills),
        since,
    ]
    if isinstance(request, VacancyRequest):
        weeks = request.week_windows()
        args += [[w.start for w in weeks], [w.end for w in weeks], timedelta(hours=request.hours_per_week)]
        return VACANCY_QUERY, args
    return INCIDENT_QUERY, args


async def find(conn: asyncpg.Connection, request: RequestView, window: TimeWindow, now: datetime, *, pool: int,
               sample: int, since: datetime, tried: list[str] = ()) -> CandidateRows:
    """Run the hard filters in SQL, with the pool's scoring history since `since` (see stats.history)."""
    text, args = query_args(request, window, now, pool, sample, list(tried), since)
    parts: dict[str, list[asyncpg.Record]] = {"pool": [], "excluded": [], "history": []}
    for row in await conn.fetch(text, *args):
        parts[row["part"]].append(row)
    return CandidateRows(parts["pool"], parts["excluded"], parts["history"][0] if parts["history"] else None)
