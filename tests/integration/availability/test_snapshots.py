"""Every kind of change publishes a full snapshot keyed by provider id, with a monotonic version."""

from datetime import UTC, datetime, timedelta

import pytest

from taas_availability.domain.availability import available_intervals
from taas_availability.domain.schedule import Schedule, WeeklyWindow

pytestmark = pytest.mark.integration


async def test_onboarding_publishes_version_1_with_availability_from_the_schedule(svc, snapshots):
    created, _ = await svc.new_provider()
    snap = await snapshots.until_version(created["id"], 1)
    assert snap.name == "Sam Rivera" and snap.capacity == 2 and snap.skills == ["ransomware", "forensics"]
    assert [(w.day, w.start, w.end) for w in snap.windows] == [(d, "08:00", "17:00") for d in range(5)]
    assert snap.weekly_hours == 45 and snap.status == "active"
    assert snap.horizon_until - datetime.now(UTC) > timedelta(days=59)
    # The intervals are the domain's: 08:00-17:00 Chicago on weekdays, in UTC, from the snapshot time on.
    start = snap.availability[0][0]
    expected = available_intervals(
        Schedule("America/Chicago", tuple(WeeklyWindow.of(d, "08:00", "17:00") for d in range(5))),
        start, snap.horizon_until)
    assert snap.availability[1:] == expected[1:]
    assert all(b - a <= timedelta(hours=9) for a, b in snap.availability)


async def test_each_kind_of_change_publishes_the_next_version(svc, snapshots):
    created, headers = await svc.new_provider()
    pid = created["id"]
    url = f"/v1/providers/{pid}"

    resp = await svc.client.patch(url, json={"skills": ["SIEM"], "languages": ["en", "es"]}, headers=headers)
    assert resp.status == 200, await resp.text()
    snap = await snapshots.until_version(pid, 2)
    assert snap.skills == ["siem"] and snap.languages == ["en", "es"]

    resp = await svc.client.put(f"{url}/schedule", headers=headers, json={
        "time_zone": "America/New_York", "windows": [{"day": 4, "start": "22:00", "end": "24:00"},
                                                     {"day": 5, "start": "00:00", "end": "06:00"}]})
    assert resp.status == 200, await resp.text()
    snap = await snapshots.until_version(pid, 3)
    assert snap.time_zone == "America/New_York" and snap.weekly_hours == 8
    # Friday 22:00 to Saturday 06:00 local (no DST change on a Friday night) is one merged interval of 8 hours (EST or EDT alike).
    assert all(b - a == timedelta(hours=8) for a, b in snap.availability[1:-1])

    start = datetime.now(UTC) + timedelta(days=3)
    resp = await svc.client.post(f"{url}/exceptions", headers=headers, json={
        "kind": "extra", "start": start.isoformat(), "end": (start + timedelta(hours=5)).isoformat(), "note": "cover"})
    assert resp.status == 201, await resp.text()
    exception_id = (await resp.json())["id"]
    snap = await snapshots.until_version(pid, 4)
    assert [e.id for e in snap.exceptions] == [exception_id] and snap.exceptions[0].kind == "extra"
    assert any(a <= start and start + timedelta(hours=5) <= b for a, b in snap.availability)

    resp = await svc.client.delete(f"{url}/exceptions/{exception_id}", headers=headers)
    assert resp.status == 204
    snap = await snapshots.until_version(pid, 5)
    assert snap.exceptions == []

    resp = await svc.client.put(f"{url}/status", json={"status": "paused"}, headers=headers)
    assert resp.status == 200
    snap = await snapshots.until_version(pid, 6)
    assert snap.status == "paused" and snap.availability == []

    until = datetime.now(UTC) + timedelta(hours=6)
    resp = await svc.client.put(f"{url}/status", json={"status": "on_call", "on_call_until": until.isoformat()},
                                headers=headers)
    assert resp.status == 200, await resp.text()
    snap = await snapshots.until_version(pid, 7)
    assert snap.status == "active" and snap.on_call_until == until
    assert snap.availability[0][0] <= datetime.now(UTC) and snap.availability[0][1] >= until

    resp = await svc.client.put(f"{url}/status", json={"status": "offboarded"}, headers=svc.ops)
    assert resp.status == 200
    snap = await snapshots.until_version(pid, 8)
    assert snap.status == "offboarded" and snap.availability == [] and snap.on_call_until is None
    assert [s.version for s in snapshots.seen[pid]] == list(range(1, 9))


async def test_a_blocked_exception_takes_time_out_of_the_availability(svc, snapshots):
    created, headers = await svc.new_provider(windows=[{"day": d, "start": "00:00", "end": "24:00"}
                                                       for d in range(7)])
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    resp = await svc.client.post(f"/v1/providers/{created['id']}/exceptions", headers=headers, json={
        "kind": "blocked", "start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat()})
    assert resp.status == 201
    snap = await snapshots.until_version(created["id"], 2)
    assert len(snap.availability) == 2
    assert snap.availability[0][1] == start and snap.availability[1][0] == start + timedelta(days=1)


async def test_a_naive_exception_is_local_time_in_the_provider_zone(svc):
    created, headers = await svc.new_provider()
    year = datetime.now(UTC).year + 1
    resp = await svc.client.post(f"/v1/providers/{created['id']}/exceptions", headers=headers, json={
        "kind": "blocked", "start": f"{year}-07-04T09:00:00", "end": f"{year}-07-04T12:00:00"})
    assert resp.status == 201
    body = await resp.json()
    assert body["start"].startswith(f"{year}-07-04T14:00:00")  # 09:00 CDT


async def test_a_rejected_change_publishes_nothing(svc, snapshots):
    created, headers = await svc.new_provider()
    await snapshots.until_version(created["id"], 1)
    resp = await svc.client.put(f"/v1/providers/{created['id']}/schedule", headers=headers,
                                json={"windows": [{"day": 0, "start": "17:00", "end": "08:00"}]})
    assert resp.status == 422
    assert await svc.fetchval("SELECT version FROM providers WHERE id = $1", created["id"]) == 1
