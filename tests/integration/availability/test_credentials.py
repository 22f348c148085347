"""Credentials expiring within the horizon: the endpoints, and one event per credential per expiry date."""

from datetime import UTC, datetime, timedelta

import pytest

from taas_availability.handlers import credentials
from taas_contracts.events.availability import CredentialExpiring
from taas_kit import kafka
from taas_kit.http.keys import POOL

pytestmark = pytest.mark.integration


async def _alerts(read_topic, svc, provider_id: str, n: int, settle: float = 0.0) -> list[CredentialExpiring]:
    records = await read_topic(svc.topic(CredentialExpiring), n, settle=settle)
    found = [CredentialExpiring.model_validate(kafka.decode(r.value).data) for r in records]
    return [a for a in found if a.provider_id == provider_id]


async def test_expiring_credentials_raise_one_event_each_and_are_listed(svc, read_topic):
    today = datetime.now(UTC).date()
    soon, later, far = today + timedelta(days=10), today + timedelta(days=20), today + timedelta(days=400)
    created, headers = await svc.new_provider(
        certifications=[{"name": "GCIH", "issuer": "GIAC", "expires_on": str(soon)},
                        {"name": "CISSP", "issuer": "ISC2", "expires_on": str(far)}],
        clearances=[{"kind": "cjis", "expires_on": str(later)}])
    pid = created["id"]
    resp = await svc.client.get(f"/v1/providers/{pid}/credentials/expiring", headers=headers)
    assert resp.status == 200
    listed = await resp.json()
    assert [(c["credential"], c["kind"], c["days_left"]) for c in listed] == [
        ("GCIH", "certification", 10), ("cjis", "clearance", 20)]
    wide = await (await svc.client.get("/v1/providers/" + pid + "/credentials/expiring?within_days=500",
                                       headers=headers)).json()
    assert len(wide) == 3
    everyone = await (await svc.client.get("/v1/credentials/expiring", headers=svc.ops)).json()
    assert {c["credential"] for c in everyone if c["provider_id"] == pid} == {"GCIH", "cjis"}

    # Raised at onboarding; the periodic check (twice, as two instances would) adds nothing.
    pool = svc.client.app[POOL]
    assert await credentials.check_all(pool, svc.settings, today) == 0
    assert await credentials.check_all(pool, svc.settings, today) == 0
    alerts = await _alerts(read_topic, svc, pid, 2, settle=0.5)
    assert sorted((a.credential, a.kind, a.expires_on) for a in alerts) == [
        ("GCIH", "certification", soon), ("cjis", "clearance", later)]

    # A renewed credential with a new (still near) expiry date raises again, once.
    renewed = today + timedelta(days=25)
    resp = await svc.client.patch(f"/v1/providers/{pid}", headers=headers, json={"certifications": [
        {"name": "GCIH", "issuer": "GIAC", "expires_on": str(renewed)},
        {"name": "CISSP", "issuer": "ISC2", "expires_on": str(far)}]})
    assert resp.status == 200
    assert await credentials.check_all(pool, svc.settings, today) == 0
    alerts = await _alerts(read_topic, svc, pid, 3, settle=0.5)
    assert sorted(a.expires_on for a in alerts) == sorted([soon, later, renewed])

    # Time passes: the far certification enters the horizon and the periodic check raises it.
    assert await credentials.check_all(pool, svc.settings, far - timedelta(days=5)) == 1
    assert await credentials.check_all(pool, svc.settings, far - timedelta(days=5)) == 0
