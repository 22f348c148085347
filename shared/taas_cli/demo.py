"""`taas up --demo`: a few agencies, a shared pool of providers, and three live requests, through the public APIs.

The story it tells (and prints): Crow Wing County is hit by ransomware and files a critical incident; Ben Okafor is
on call, so dispatch assigns him at once and he must acknowledge; the City of Harlan files a low-severity network
problem that Eli Johnson (whose week spans the clock) is offered and takes; and the county's interim-CIO vacancy waits
for a provider to accept its offer, which is left to you.
"""

import asyncio
import time
from datetime import UTC, date, datetime, timedelta

import aiohttp

from taas_cli.keys import issue
from taas_cli.services import SERVICES

# Consortia by geography: agencies share a pool with their neighbours. Minnesota, Iowa and Wisconsin are the upper
# Midwest; Pitkin County, Colorado, is in the Rockies and shares through its own consortium.
UPPER_MIDWEST = "upper-midwest-it"
ROCKY_MOUNTAIN = "rocky-mountain-it"
AGENCIES = [
    {"id": "crow-wing-county", "name": "Crow Wing County", "state": "MN", "jurisdiction": "Crow Wing County",
     "population": 66_000, "time_zone": "America/Chicago", "monthly_budget_cap_cents": 2_500_000,
     "consortia": [UPPER_MIDWEST]},
    {"id": "harlan-city", "name": "City of Harlan", "state": "IA", "jurisdiction": "Harlan", "jurisdiction_kind": "city",
     "population": 4_900, "time_zone": "America/Chicago", "monthly_budget_cap_cents": 800_000,
     "consortia": [UPPER_MIDWEST]},
    {"id": "door-county", "name": "Door County", "state": "WI", "jurisdiction": "Door County",
     "population": 30_000, "time_zone": "America/Chicago", "monthly_budget_cap_cents": 1_500_000,
     "consortia": [UPPER_MIDWEST]},
    {"id": "pitkin-county", "name": "Pitkin County", "state": "CO", "jurisdiction": "Pitkin County",
     "population": 17_000, "time_zone": "America/Denver", "monthly_budget_cap_cents": 1_200_000,
     "consortia": [ROCKY_MOUNTAIN]},
]
WEEKDAYS = [{"day": d, "start": "08:00", "end": "18:00"} for d in range(5)]
# Round the clock, every day: the demo's incidents are filed whenever someone runs it (07:00 on a Sunday in Chicago
# too), so the providers they rely on must be available at any hour, not only in office hours.
ALL_WEEK = [{"day": d, "start": "00:00", "end": "24:00"} for d in range(7)]
NEXT_YEAR = (date.today() + timedelta(days=400)).isoformat()


def _provider(pid, name, roles, skills, rate, tz="America/Chicago", certs=(), clearances=(), home=None, firm=None,
              windows=WEEKDAYS, capacity=1):
    return {"id": pid, "name": name, "roles": roles, "skills": skills, "hourly_rate_cents": rate, "time_zone": tz,
            "certifications": [{"name": c, "issuer": i, "expires_on": NEXT_YEAR} for c, i in certs],
            "clearances": [{"kind": k, "expires_on": NEXT_YEAR} for k in clearances],
            "home_jurisdiction_id": home, "firm": firm, "windows": windows, "capacity": capacity,
            "regions": ["MN", "WI", "IA", "CO"]}


ON_CALL = "ben-okafor"  # on call for the demo's 12 hours: the critical incident is assigned to him at once
LOW_SEVERITY_PROVIDER = "eli-johnson"  # works round the clock (ALL_WEEK): the low-severity request's provider

PROVIDERS = [
    _provider("ana-ruiz", "Ana Ruiz", ["ciso", "incident_responder"], ["ransomware", "incident-command", "forensics"],
              18_500, certs=[("CISSP", "ISC2"), ("GCIH", "GIAC")], clearances=["cjis"], home="door-county"),
    _provider(ON_CALL, "Ben Okafor", ["incident_responder", "security_engineer"], ["ransomware", "edr", "backups"],
              14_000, certs=[("GCIH", "GIAC")], clearances=["cjis", "state_background"], firm="Northwoods Cyber",
              windows=ALL_WEEK, capacity=2),
    _provider("chen-li", "Chen Li", ["cio", "systems_administrator"], ["budgeting", "m365", "procurement"], 12_500,
              certs=[("PMP", "PMI")], home="crow-wing-county"),
    _provider("dana-wolfe", "Dana Wolfe", ["ciso"], ["governance", "nist-csf", "cjis-audit"], 20_000,
              tz="America/Denver", certs=[("CISSP", "ISC2"), ("CISM", "ISACA")], clearances=["cjis"],
              firm="Front Range Advisory"),
    _provider(LOW_SEVERITY_PROVIDER, "Eli Johnson", ["oncall_engineer", "network_engineer"],
              ["firewalls", "vpn", "sd-wan"], 9_500, clearances=["state_background"], home="harlan-city",
              windows=ALL_WEEK),
    _provider("fatima-noor", "Fatima Noor", ["incident_responder"], ["forensics", "ransomware", "log-analysis"],
              16_000, tz="America/New_York", certs=[("GCFA", "GIAC")], clearances=["cjis"], firm="Lakeshore DFIR"),
    _provider("gus-berg", "Gus Berg", ["network_engineer", "oncall_engineer"], ["cisco", "wifi", "firewalls"], 8_800,
              home="pitkin-county", tz="America/Denver"),
    _provider("hana-sato", "Hana Sato", ["cio"], ["strategy", "erp", "budgeting"], 15_000, tz="America/Los_Angeles",
              firm="Civic CIO Partners"),
]

# The critical incident asks for what Ben, who is on call, does best (ransomware, EDR, backups), so he ranks first
# and is assigned at once rather than offered after others.
INCIDENT = {"kind": "incident", "severity": "critical", "role": "incident_responder",
            "required_skills": ["ransomware", "edr", "backups"], "clearances": ["cjis"],
            "max_hourly_rate_cents": 20_000, "expected_hours": 6,
            "description": "Ransomware on the sheriff's records server; backups unverified."}
LOW_SEVERITY = {"kind": "incident", "severity": "low", "role": "network_engineer",
                "required_skills": ["firewalls", "vpn"], "max_hourly_rate_cents": 12_000, "expected_hours": 2,
                "description": "Site-to-site VPN to the water plant drops every few hours; staff can work around it."}


def vacancy() -> dict:
    """The interim-CIO vacancy, starting a week from today."""
    return {"kind": "vacancy", "role": "cio", "hours_per_week": 10, "weeks": 12,
            "start_date": (date.today() + timedelta(days=7)).isoformat(), "max_hourly_rate_cents": 16_000,
            "required_skills": ["budgeting"], "description": "Interim CIO while the county recruits."}


# (what, filed by, body, Idempotency-Key): a second `up --demo` replays the same keys and files nothing new.
def requests_to_file() -> list[tuple[str, str, dict, str]]:
    """The demo's requests in the order they are filed."""
    return [("critical incident", "crow-wing-county", INCIDENT, "demo-incident-2"),
            ("low-severity incident", "harlan-city", LOW_SEVERITY, "demo-low-1"),
            # The vacancy starts a week from today, so its body changes daily; its key carries that date.
            ("vacancy", "crow-wing-county", (v := vacancy()), f"demo-vacancy-{v['start_date']}")]


def provider(pid: str) -> dict:
    """The demo provider `pid`."""
    return next(p for p in PROVIDERS if p["id"] == pid)


TTL = 30 * 86400


def _bearer(role: str, tenant: str | None, ttl: int = TTL) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue(role, tenant, ttl)}"}


async def _post(http, url, body, headers, expect_conflict_ok=True):
    async with http.post(url, json=body, headers=headers) as resp:
        if resp.status in (200, 201) or (expect_conflict_ok and resp.status == 409):
            return resp.status, await resp.json(content_type=None)
        raise RuntimeError(f"POST {url} answered {resp.status}: {(await resp.text())[:300]}")


async def _get(http, url, headers) -> list[dict]:
    async with http.get(url, headers=headers) as resp:
        if resp.status != 200:
            return []
        return await resp.json(content_type=None)


async def _wait_for(find, seconds: float = 15.0):
    """Poll `find()` until it returns something or `seconds` pass (dispatch works from Kafka, a moment behind)."""
    deadline = time.monotonic() + seconds
    while True:
        found = await find()
        if found is not None or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.5)


async def _assignment_of(http, base, token_headers, request_id):
    rows = await _get(http, f"{base}/v1/assignments?limit=100", token_headers)
    return next((a for a in rows if a["request_id"] == request_id and a["status"] != "released"), None)


async def _pending_offer_of(http, base, token_headers, request_id):
    rows = await _get(http, f"{base}/v1/offers?status=pending&limit=100", token_headers)
    return next((o for o in rows if o["request_id"] == request_id), None)


async def _take_on_behalf(http, base, pid, request_id, say) -> None:
    """Play provider `pid` through the public API: acknowledge their on-call assignment or accept their offer."""
    me = _bearer("provider", pid, 3600)

    async def find():
        assignment = await _assignment_of(http, base, me, request_id)
        if assignment is not None:
            return "assignment", assignment
        offer = await _pending_offer_of(http, base, me, request_id)
        return ("offer", offer) if offer is not None else None

    found = await _wait_for(find)
    if found is None:
        say(f"  demo       {pid} has no assignment or offer for {request_id} yet; see ./taas log --request {request_id}")
        return
    kind, item = found
    if kind == "assignment" and not (item["via"] == "on_call" and item["status"] == "assigned"):
        say(f"  demo       {pid} holds {request_id} ({item['status']}, assignment {item['assignment_id']})")
        return
    if kind == "assignment":
        url = f"{base}/v1/assignments/{item['assignment_id']}/acknowledge"
        done = f"acknowledged on-call assignment {item['assignment_id']} on {pid}'s behalf"
    else:
        url = f"{base}/v1/offers/{item['offer_id']}/accept"
        done = f"accepted offer {item['offer_id']} on {pid}'s behalf"
    async with http.post(url, headers=me) as resp:
        say(f"  demo       {done} ({resp.status})" if resp.status == 200
            else f"  demo       POST {url} answered {resp.status}: {(await resp.text())[:200]}")


async def _seed(say) -> None:
    base = {s.name: f"http://127.0.0.1:{s.port}" for s in SERVICES}
    ops = _bearer("ops", None, 86400)
    async with aiohttp.ClientSession() as http:
        for agency in AGENCIES:
            status, _ = await _post(http, f"{base['requests']}/v1/agencies", agency, ops)
            state = "created" if status == 201 else "already there"
            if status == 409:  # an earlier demo put every agency in one consortium: move it to its own
                url = f"{base['requests']}/v1/agencies/{agency['id']}"
                async with http.get(url, headers=ops) as resp:
                    held = (await resp.json(content_type=None)).get("consortia") if resp.status == 200 else None
                if held is not None and sorted(held) != sorted(agency["consortia"]):
                    async with http.patch(url, json={"consortia": agency["consortia"]}, headers=ops) as resp:
                        state = f"consortia corrected ({resp.status})"
            say(f"  demo       agency   {agency['id']:<18} {state:<13}  {', '.join(agency['consortia'])}")
        for p in PROVIDERS:
            status, _ = await _post(http, f"{base['availability']}/v1/providers", p, ops)
            say(f"  demo       provider {p['id']:<18} {'created' if status == 201 else 'already there'}")
        on_call = {"status": "on_call", "on_call_until": (datetime.now(UTC) + timedelta(hours=12)).isoformat()}
        async with http.put(f"{base['availability']}/v1/providers/{ON_CALL}/status", json=on_call, headers=ops) as r:
            say(f"  demo       {ON_CALL} on call for the next 12 h ({r.status})")
        await asyncio.sleep(1.0)  # let dispatch take in the snapshots before the first request arrives
        filed: dict[str, str] = {}
        for name, agency_id, body, key in requests_to_file():
            headers = {**_bearer("agency", agency_id, 86400), "Idempotency-Key": key}
            async with http.post(f"{base['requests']}/v1/requests", json=body, headers=headers) as resp:
                data = await resp.json(content_type=None)
                replayed = resp.headers.get("Idempotent-Replayed") == "true"
            if resp.status not in (200, 201) or "id" not in data:
                raise RuntimeError(f"filing the demo {name} answered {resp.status}: {str(data)[:300]}")
            filed[name] = data["id"]
            if replayed:  # the same Idempotency-Key again: the answer is the first one, so read where it stands now
                async with http.get(f"{base['requests']}/v1/requests/{data['id']}", headers=headers) as resp:
                    now_status = (await resp.json(content_type=None)).get("status") if resp.status == 200 else "?"
                say(f"  demo       {name:<21} already there: {data['id']} of {agency_id}, {now_status}")
            else:
                say(f"  demo       {name:<21} filed by {agency_id}: {data['id']}")
        # Nobody is there to answer Ben's pager in a demo, and an on-call assignment that is not acknowledged within
        # its window is released. The demo therefore acknowledges for him, through the same public API his phone
        # would use, so the critical incident ends filled; it does the same for Eli's offer on the low-severity one.
        await _take_on_behalf(http, base["dispatch"], ON_CALL, filed["critical incident"], say)
        await _take_on_behalf(http, base["dispatch"], LOW_SEVERITY_PROVIDER, filed["low-severity incident"], say)
        vacancy_offer = None
        for pid in ("chen-li", "hana-sato"):
            offer = await _wait_for(lambda pid=pid: _pending_offer_of(http, base["dispatch"],
                                                                    _bearer("provider", pid, 3600),
                                                                    filed["vacancy"]), 5.0)
            if offer is not None:
                vacancy_offer = (pid, offer["offer_id"])
                break
    tokens = {"ops": issue("ops", None, TTL), "agency": issue("agency", "crow-wing-county", TTL),
              ON_CALL: issue("provider", ON_CALL, TTL),
              LOW_SEVERITY_PROVIDER: issue("provider", LOW_SEVERITY_PROVIDER, TTL)}
    if vacancy_offer:
        tokens[vacancy_offer[0]] = issue("provider", vacancy_offer[0], TTL)
    say("")
    say("Tokens (valid 30 days; `./taas keys issue` makes more):")
    say(f"  OPS={tokens['ops']}")
    say(f"  AGENCY={tokens['agency']}      # crow-wing-county")
    say(f"  BEN={tokens[ON_CALL]}      # provider {ON_CALL}, on call: acknowledges, starts, logs time")
    say(f"  ELI={tokens[LOW_SEVERITY_PROVIDER]}      # provider {LOW_SEVERITY_PROVIDER}")
    if vacancy_offer:
        say(f"  VACANCY_PROVIDER={tokens[vacancy_offer[0]]}      # provider {vacancy_offer[0]}, "
            "has the vacancy's offer")
    say("")
    say("Dashboard (live dispatch log, why panel, now board):")
    say(f"  {base['dispatch']}/dashboard#token={tokens['ops']}")
    say("")
    say("Try next (paste the token lines above into your shell first):")
    step = 1
    if vacancy_offer:
        say(f"  {step}. accept the vacancy as {vacancy_offer[0]} and watch the dashboard mark it filled:")
        say(f"     curl -s -X POST -H \"Authorization: Bearer $VACANCY_PROVIDER\" "
            f"{base['dispatch']}/v1/offers/{vacancy_offer[1]}/accept")
        step += 1
    say(f"  {step}. file your own incident as Crow Wing County and see it dispatched live:")
    say(f"     curl -s -X POST -H \"Authorization: Bearer $AGENCY\" -H \"Idempotency-Key: $(date +%s)\" "
        f"-H 'Content-Type: application/json' {base['requests']}/v1/requests -d "
        "'{\"kind\":\"incident\",\"severity\":\"high\",\"role\":\"incident_responder\","
        "\"required_skills\":[\"forensics\"],\"max_hourly_rate_cents\":20000,\"expected_hours\":4}'")
    step += 1
    say(f"  {step}. read why Ben got the critical incident, in the terminal:")
    say(f"     ./taas log --request {filed['critical incident']}")
    if not vacancy_offer:
        say(f"  {step + 1}. Ben's assignments: curl -s -H \"Authorization: Bearer $BEN\" {base['dispatch']}/v1/assignments")


def seed(say=print) -> None:
    """Load the demo data through the services' APIs (idempotent: existing ids and requests are left as they are)."""
    asyncio.run(_seed(say))
