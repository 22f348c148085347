"""The hard filters in SQL agree with the reference filters (domain.filters) on a few hundred random providers."""

import random
import uuid
from datetime import date, timedelta

import asyncpg
import pytest

from taas_contracts.catalog import Clearance, RequestKind, Role, Severity
from taas_contracts.events.availability import OnsiteArea
from taas_contracts.events.requests import Location, RequestSubmitted
from taas_dispatch.domain.filters import exclusion_reasons
from taas_dispatch.domain.time_windows import TimeWindow
from taas_dispatch.domain.views import ActiveEngagement
from taas_dispatch.handlers.matching import why_not
from taas_dispatch.readmodel import provider_row, provider_view, request_view
from taas_dispatch.repository import candidates
from taas_dispatch.repository.providers import upsert_many_providers
from taas_kit import db

pytestmark = pytest.mark.integration

ROLES = [Role.CISO, Role.INCIDENT_RESPONDER, Role.SECURITY_ENGINEER]
CERTS = ["CISSP", "CISM", "GCIH"]
CLEARANCES = [Clearance.CJIS, Clearance.HIPAA]
CENTER = (41.88, -87.63)


def _expiry(rng: random.Random, today: date) -> date | None:
    return rng.choice([None, today - timedelta(days=3), today + timedelta(days=1), today + timedelta(days=400)])


def _provider(rng: random.Random, harness, i: int, agency: str):
    t = harness.now()
    today = t.date()
    snap = harness.snapshot(
        f"p{i:04d}-{uuid.uuid4().hex[:6]}", role=rng.choice(ROLES), rate=rng.randrange(5_000, 30_000, 500),
        capacity=rng.choice([1, 1, 2]), on_call=False, home=rng.choice(["j-1", "j-2", None]),
        status=rng.choices(["active", "paused", "offboarded"], [90, 5, 5])[0],
        certs=tuple((c, _expiry(rng, today)) for c in rng.sample(CERTS, rng.randint(0, 3))),
        clearances=tuple((c, _expiry(rng, today)) for c in rng.sample(CLEARANCES, rng.randint(0, 2))),
        conflicts=(agency,) if rng.random() < 0.1 else (),
        onsite=OnsiteArea(lat=CENTER[0] + rng.uniform(-1.5, 1.5), lon=CENTER[1] + rng.uniform(-1.5, 1.5),
                          radius_km=rng.choice([10, 50, 150])) if rng.random() < 0.7 else None,
    )
    extra_roles = [snap.roles[0]] + ([rng.choice(ROLES)] if rng.random() < 0.3 else [])
    start = t + timedelta(hours=rng.choice([-48, -1, 1, 3]))
    windows = [(start, start + timedelta(hours=rng.choice([2, 6, 24 * 40])))]
    if rng.random() < 0.3:
        later = windows[0][1] + timedelta(hours=rng.choice([0, 1]))
        windows.append((later, later + timedelta(days=20)))
    on_call = t + timedelta(hours=rng.choice([2, 8])) if rng.random() < 0.25 else None
    return snap.model_copy(update={"roles": list(dict.fromkeys(extra_roles)), "availability": windows,
                                   "on_call_until": on_call, "weekly_hours": rng.choice([0, 10, 20, 20.5, 40])})


def _requests(harness, agency: str) -> list[RequestSubmitted]:
    t = harness.now()
    base = harness.submitted("r-1", agency)
    found = []
    for role in ROLES:
        for hours, certs, clearances, cap, onsite in (
            (4, [], [], 20_000, False), (8, ["CISSP"], [Clearance.CJIS], 15_000, False),
            (4, ["CISM", "GCIH"], [], 30_000, True), (2, [], [Clearance.HIPAA], 25_000, True),
        ):
            found.append(base.model_copy(update={
                "request_id": f"r-{len(found)}", "role": role, "expected_hours": hours, "certifications": certs,
                "clearances": clearances, "max_hourly_rate_cents": cap, "onsite": onsite,
                "location": Location(lat=CENTER[0], lon=CENTER[1]) if onsite else None}))
    found.append(RequestSubmitted(
        request_id="r-vacancy", agency_id=agency, kind=RequestKind.VACANCY, role=Role.CISO, max_hourly_rate_cents=30_000,
        hours_per_week=20, start_date=t.date() + timedelta(days=1), weeks=2, window_start=t,
        window_end=t + timedelta(weeks=2), submitted_at=t, respond_by=t + timedelta(days=1), severity=Severity.LOW))
    # Twelve weeks run past the snapshots' horizon: the later weeks are judged by the weekly pattern.
    found.append(found[-1].model_copy(update={"request_id": "r-long-vacancy", "weeks": 12,
                                              "window_end": t + timedelta(weeks=12)}))
    return found


async def _book(conn: asyncpg.Connection, rows: list[asyncpg.Record], rng: random.Random, harness) -> None:
    """Give some providers bookings that either cover every request window or miss all of them."""
    t = harness.now()
    for row in rows:
        for slot in range(1, row["capacity"] + 1):
            if rng.random() < 0.35:
                start, end = rng.choice([(t - timedelta(days=1), t + timedelta(days=60)),
                                         (t - timedelta(days=10), t - timedelta(days=9))])
                aid = str(uuid.uuid4())
                await conn.execute("INSERT INTO requests (request_id, agency_id, status) VALUES ($1, 'a', 'assigned')",
                                   aid)
                await conn.execute(
                    """INSERT INTO assignments (assignment_id, request_id, agency_id, provider_id, round_number, via,
                       status, assigned_at, rate_cents, kind, role, window_start, window_end)
                       VALUES ($1, $1, 'a', $2, 1, 'manual', 'assigned', now(), 1, 'incident', 'ciso', $3, $4)""",
                    aid, row["provider_id"], start, end)
                await conn.execute("INSERT INTO bookings VALUES ($1, $2, $3, tstzrange($4, $5))",
                                   aid, row["provider_id"], slot, start, end)


async def test_sql_filters_match_the_reference_filters(pg_dsn, dispatch_schema, harness):
    rng = random.Random(20260310)
    agency = "agency-under-test"
    snapshots = [_provider(rng, harness, i, agency) for i in range(400)]
    pool = await db.create_pool(pg_dsn, dispatch_schema, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await upsert_many_providers(conn, [provider_row(s) for s in snapshots])
            rows = await conn.fetch("SELECT * FROM providers")
            await _book(conn, rows, rng, harness)
            booked = await conn.fetch("SELECT provider_id, period FROM bookings")
            engagements = [ActiveEngagement(b["provider_id"], TimeWindow(b["period"].lower, b["period"].upper))
                           for b in booked]
            views = [provider_view(r) for r in rows]
            now = harness.now()
            compared = 0
            for submitted in _requests(harness, agency):
                request = request_view(submitted, "America/Chicago")
                window = request.engagement_window(now)
                found = await candidates.find(conn, request, window, now, pool=10_000, sample=10_000, since=now)
                in_sql = {r["provider_id"] for r in found.eligible}
                reference = {v.provider_id for v in views if not exclusion_reasons(v, request, now, engagements)}
                assert in_sql == reference, (submitted.request_id, sorted(in_sql ^ reference))
                with_role = {v.provider_id for v in views if request.requirements.role in v.roles}
                assert {r["provider_id"] for r in found.excluded} == with_role - reference
                # The sample's rows carry only the availability within the window: the same reasons still.
                by_id = {v.provider_id: v for v in views}
                for pid, reasons in why_not(found.excluded, request, now, set()):
                    assert reasons == exclusion_reasons(by_id[pid], request, now, engagements), pid
                compared += len(with_role)
            assert compared > 1000
    finally:
        await pool.close()
