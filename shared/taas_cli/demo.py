"""`taas up --demo`: a few agencies, a shared pool of providers, and two live requests, through the public APIs."""

import asyncio
from datetime import UTC, date, datetime, timedelta

import aiohttp

from taas_cli.keys import issue
from taas_cli.services import SERVICES

CONSORTIUM = "upper-midwest-it"
AGENCIES = [
    {"id": "crow-wing-county", "name": "Crow Wing County", "state": "MN", "jurisdiction": "Crow Wing County",
     "population": 66_000, "time_zone": "America/Chicago", "monthly_budget_cap_cents": 2_500_000},
    {"id": "harlan-city", "name": "City of Harlan", "state": "IA", "jurisdiction": "Harlan", "jurisdiction_kind": "city",
     "population": 4_900, "time_zone": "America/Chicago", "monthly_budget_cap_cents": 800_000},
    {"id": "door-county", "name": "Door County", "state": "WI", "jurisdiction": "Door County",
     "population": 30_000, "time_zone": "America/Chicago", "monthly_budget_cap_cents": 1_500_000},
    {"id": "pitkin-county", "name": "Pitkin County", "state": "CO", "jurisdiction": "Pitkin County",
     "population": 17_000, "time_zone": "America/Denver", "monthly_budget_cap_cents": 1_200_000},
]
WEEKDAYS = [{"day": d, "start": "08:00", "end": "18:00"} for d in range(5)]
ALL_WEEK = [{"day": d, "start": "00:00", "end": "24:00"} for d in range(7)]
NEXT_YEAR = (date.today() + timedelta(days=400)).isoformat()


def _provider(pid, name, roles, skills, rate, tz="America/Chicago", certs=(), clearances=(), home=None, firm=None,
              windows=WEEKDAYS, capacity=1):
    return {"id": pid, "name": name, "roles": roles, "skills": skills, "hourly_rate_cents": rate, "time_zone": tz,
            "certifications": [{"name": c, "issuer": i, "expires_on": NEXT_YEAR} for c, i in certs],
            "clearances": [{"kind": k, "expires_on": NEXT_YEAR} for k in clearances],
            "home_jurisdiction_id": home, "firm": firm, "windows": windows, "capacity": capacity,
            "regions": ["MN", "WI", "IA", "CO"]}


PROVIDERS = [
    _provider("ana-ruiz", "Ana Ruiz", ["ciso", "incident_responder"], ["ransomware", "incident-command", "forensics"],
              18_500, certs=[("CISSP", "ISC2"), ("GCIH", "GIAC")], clearances=["cjis"], home="door-county"),
    _provider("ben-okafor", "Ben Okafor", ["incident_responder", "security_engineer"], ["ransomware", "edr", "backups"],
              14_000, certs=[("GCIH", "GIAC")], clearances=["cjis", "state_background"], firm="Northwoods Cyber",
              windows=ALL_WEEK, capacity=2),
    _provider("chen-li", "Chen Li", ["cio", "systems_administrator"], ["budgeting", "m365", "procurement"], 12_500,
              certs=[("PMP", "PMI")], home="crow-wing-county"),
    _provider("dana-wolfe", "Dana Wolfe", ["ciso"], ["governance", "nist-csf", "cjis-audit"], 20_000,
              tz="America/Denver", certs=[("CISSP", "ISC2"), ("CISM", "ISACA")], clearances=["cjis"],
              firm="Front Range Advisory"),
    _provider("eli-johnson", "Eli Johnson", ["oncall_engineer", "network_engineer"], ["firewalls", "vpn", "sd-wan"],
              9_500, clearances=["state_background"], home="harlan-city", windows=ALL_WEEK),
    _provider("fatima-noor", "Fatima Noor", ["incident_responder"], ["forensics", "ransomware", "log-analysis"],
              16_000, tz="America/New_York", certs=[("GCFA", "GIAC")], clearances=["cjis"], firm="Lakeshore DFIR"),
    _provider("gus-berg", "Gus Berg", ["network_engineer", "oncall_engineer"], ["cisco", "wifi", "firewalls"], 8_800,
              home="pitkin-county", tz="America/Denver"),
    _provider("hana-sato", "Hana Sato", ["cio"], ["strategy", "erp", "budgeting"], 15_000, tz="America/Los_Angeles",
              firm="Civic CIO Partners"),
]


async def _post(http, url, body, headers, expect_conflict_ok=True):
    async with http.post(url, json=body, headers=headers) as resp:
        if resp.status in (200, 201) or (expect_conflict_ok and resp.status == 409):
            return resp.status, await resp.json(content_type=None)
        raise RuntimeError(f"POST {url} answered {resp.status}: {(await resp.text())[:300]}")


async def _seed(say) -> None:
    base = {s.name: f"http://127.0.0.1:{s.port}" for s in SERVICES}
    ops = {"Authorization": f"Bearer {issue('ops', None, 86400)}"}
    async with aiohttp.ClientSession() as http:
        for agency in AGENCIES:
            status, _ = await _post(http, f"{base['requests']}/v1/agencies", {**agency, "consortia": [CONSORTIUM]}, ops)
            say(f"  demo       agency {agency['id']:<18} {'created' if status == 201 else 'already there'}")
        for provider in PROVIDERS:
            status, _ = await _post(http, f"{base['availability']}/v1/providers", provider, ops)
            say(f"  demo       provider {provider['id']:<16} {'created' if status == 201 else 'already there'}")
        on_call = {"status": "on_call", "on_call_until": (datetime.now(UTC) + timedelta(hours=12)).isoformat()}
        async with http.put(f"{base['availability']}/v1/providers/ben-okafor/status", json=on_call, headers=ops) as r:
            say(f"  demo       ben-okafor on call for 12 h ({r.status})")
        await asyncio.sleep(1.0)  # let dispatch take in the snapshots before the first request arrives
        agency = {"Authorization": f"Bearer {issue('agency', 'crow-wing-county', 86400)}"}
        incident = {"kind": "incident", "severity": "critical", "role": "incident_responder",
                    "required_skills": ["ransomware", "forensics"], "clearances": ["cjis"],
                    "max_hourly_rate_cents": 20_000, "expected_hours": 6,
                    "description": "Ransomware on the sheriff's records server; backups unverified."}
        vacancy = {"kind": "vacancy", "role": "cio", "hours_per_week": 10, "weeks": 12,
                   "start_date": (date.today() + timedelta(days=7)).isoformat(), "max_hourly_rate_cents": 16_000,
                   "required_skills": ["budgeting"], "description": "Interim CIO while the county recruits."}
        for name, body, key in (("critical incident", incident, "demo-incident-1"), ("vacancy", vacancy, "demo-vacancy-1")):
            async with http.post(f"{base['requests']}/v1/requests", json=body,
                                 headers={**agency, "Idempotency-Key": key}) as resp:
                data = await resp.json(content_type=None)
                say(f"  demo       {name} filed by crow-wing-county: {data.get('id', data)} ({resp.status})")
    say("  demo       tokens (valid 30 days):")
    say(f"    ops:                        {issue('ops', None, 30 * 86400)}")
    say(f"    agency crow-wing-county:    {issue('agency', 'crow-wing-county', 30 * 86400)}")
    say(f"    provider fatima-noor:       {issue('provider', 'fatima-noor', 30 * 86400)}")
    say(f"  dashboard  {base['dispatch']}/dashboard   (paste the ops token)")


def seed(say=print) -> None:
    """Load the demo data through the services' APIs (idempotent: existing ids are left as they are)."""
    asyncio.run(_seed(say))
