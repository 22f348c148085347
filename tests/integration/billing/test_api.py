"""The HTTP API: rate rules and agreements as data, usage pages, statements as JSON and CSV, tenancy."""

import csv
import io

import pytest

from taas_contracts.catalog import RequestKind, Severity

pytestmark = pytest.mark.integration


async def test_rate_rules_are_versioned_data_and_bad_input_changes_nothing(harness, client):
    h = harness
    seed = await client.get("/v1/rate-rules", headers=h.token("billing"))
    assert seed.status == 200
    assert await seed.json() == {**(await seed.json()), "version": 1, "callout_minimum_minutes": 120,
                                 "critical_multiplier": "1.5", "after_hours_multiplier": "1.25",
                                 "stack_multipliers": True, "pool_fee_bps": 500, "changed_by": "seed"}

    bad = await client.put("/v1/rate-rules", headers=h.token("ops"), json={
        "callout_minimum_minutes": -1, "critical_multiplier": "0", "after_hours_multiplier": "1.23456",
        "stack_multipliers": True, "pool_fee_bps": 10_001, "surprise": 1})
    assert bad.status == 422 and bad.content_type == "application/problem+json"
    fields = {e["field"] for e in (await bad.json())["errors"]}
    assert fields == {"callout_minimum_minutes", "critical_multiplier", "after_hours_multiplier", "pool_fee_bps",
                      "surprise"}
    assert (await (await client.get("/v1/rate-rules", headers=h.token("ops"))).json())["version"] == 1

    put = await client.put("/v1/rate-rules", headers=h.token("billing"), json={
        "callout_minimum_minutes": 60, "critical_multiplier": "2", "after_hours_multiplier": 1.5,
        "stack_multipliers": False, "pool_fee_bps": 250})
    assert put.status == 200
    body = await put.json()
    assert (body["version"], body["critical_multiplier"], body["after_hours_multiplier"]) == (2, "2", "1.5")
    assert (await (await client.get("/v1/rate-rules", headers=h.token("ops"))).json())["version"] == 2

    for role, tenant in (("agency", "a-1"), ("provider", "p-1")):
        denied = await client.put("/v1/rate-rules", headers=h.token(role, tenant), json={})
        assert denied.status == 403
    assert (await client.get("/v1/rate-rules")).status == 401

    # Work billed from now on uses version 2: 30 minutes of a critical incident after hours, not stacked (x2),
    # then the 30 minutes still short of the 60-minute call-out at the first segment's x2.
    agency = h.uid("v2")
    await h.agency(agency)
    done = h.completed(agency, [(h.utc(2027, 6, 8, 22), h.utc(2027, 6, 8, 22, 30))], severity=Severity.CRITICAL)
    await h.dispatch(done)
    await h.wait_for(lambda: h.billed(done.assignment_id))
    segments = await h.segments(done.assignment_id)
    assert [(s["kind"], s["amount_cents"], s["fee_cents"], s["rate_rules_version"]) for s in segments] == [
        ("after_hours", 12_000, 300, 2), ("callout", 12_000, 300, 2)]


async def test_agreements_are_created_listed_and_unique_per_pair(harness, client):
    h = harness
    a, b = h.uid("aa"), h.uid("bb")
    created = await client.post("/v1/agreements", headers=h.token("billing"),
                                json={"jurisdiction_a": b, "jurisdiction_b": a, "fee_bps": 250, "note": "IGA-7"})
    assert created.status == 201
    body = await created.json()
    assert (body["jurisdiction_a"], body["jurisdiction_b"], body["fee_bps"]) == (min(a, b), max(a, b), 250)
    again = await client.post("/v1/agreements", headers=h.token("ops"),
                              json={"jurisdiction_a": a, "jurisdiction_b": b, "fee_bps": 100})
    assert again.status == 409
    bad = await client.post("/v1/agreements", headers=h.token("ops"),
                            json={"jurisdiction_a": "x:y", "jurisdiction_b": "x:y", "fee_bps": -5})
    assert bad.status == 422
    assert {e["field"] for e in (await bad.json())["errors"]} == {"jurisdiction_a", "jurisdiction_b", "fee_bps"}
    same = await client.post("/v1/agreements", headers=h.token("ops"),
                             json={"jurisdiction_a": a, "jurisdiction_b": a, "fee_bps": 5})
    assert same.status == 422
    listed = await (await client.get(f"/v1/agreements?jurisdiction={a}", headers=h.token("ops"))).json()
    assert [x["agreement_id"] for x in listed] == [body["agreement_id"]]
    assert (await client.get("/v1/agreements", headers=h.token("agency", a))).status == 403


async def _bill_month(h, agency: str, lender_for_others: str | None = None):
    """Bill three pieces of work for `agency` in June 2027 and one for another agency lent staff by it."""
    await h.agency(agency, cap=50_000)
    works = [h.completed(agency, [(h.utc(2027, 6, d, 14), h.utc(2027, 6, d, 16))], provider_id=f"prov-{d % 2}")
             for d in (7, 8, 9)]
    other = h.uid("borrower")
    await h.agency(other)
    lent = h.completed(other, [(h.utc(2027, 6, 10, 14), h.utc(2027, 6, 10, 15))], lender=agency,
                       kind=RequestKind.VACANCY)
    july = h.completed(agency, [(h.utc(2027, 7, 6, 14), h.utc(2027, 7, 6, 15))], kind=RequestKind.VACANCY)
    for work in [*works, lent, july]:
        await h.dispatch(work)
    for work in [*works, lent, july]:
        await h.wait_for(lambda w=work: h.billed(w.assignment_id))
    return works, lent, other


async def test_usage_filters_pages_and_tenancy(harness, client):
    h = harness
    agency = h.uid("use")
    works, lent, other = await _bill_month(h, agency)

    seen, cursor = [], None
    while True:
        url = f"/v1/usage?agency={agency}&period=2027-06&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await (await client.get(url, headers=h.token("billing"))).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(u["assignment_id"] for u in seen) == sorted(w.assignment_id for w in works)
    assert all(u["period"] == "2027-06" and u["amount_cents"] == 24_000 for u in seen)
    assert {u["billed_seconds"] for u in seen} == {"7200"}  # the call-out minimum, plain text: never "7.2E+3"

    mine = await (await client.get("/v1/usage?limit=500", headers=h.token("agency", agency))).json()
    assert {u["agency_id"] for u in mine["items"]} == {agency} and len(mine["items"]) == 4
    by_provider = await (await client.get(f"/v1/usage?provider=prov-1&agency={agency}",
                                          headers=h.token("ops"))).json()
    assert {u["provider_id"] for u in by_provider["items"]} == {"prov-1"}

    foreign = await client.get(f"/v1/usage?agency={other}", headers=h.token("agency", agency))
    unknown = await client.get("/v1/usage?agency=nobody-at-all", headers=h.token("agency", agency))
    assert foreign.status == unknown.status == 200
    assert await foreign.json() == await unknown.json() == {"items": [], "next_cursor": None}

    for query in ("period=2027-13", "limit=0", "cursor=%21%21", "nonsense=1"):
        bad = await client.get(f"/v1/usage?{query}", headers=h.token("billing"))
        assert bad.status == 422, query
        assert (await bad.json())["errors"][0]["in"] == "query"
    assert (await client.get("/v1/usage", headers=h.token("provider", "prov-1"))).status == 403


async def test_statement_json_and_csv_with_charges_credits_fees_totals_and_budget(harness, client):
    h = harness
    agency = h.uid("stm")
    works, lent, other = await _bill_month(h, agency)

    response = await client.get(f"/v1/statements/{agency}/2027-06", headers=h.token("agency", agency))
    assert response.status == 200
    body = await response.json()
    assert [c["assignment_id"] for c in body["charges"]] == [w.assignment_id for w in works]
    assert [c["assignment_id"] for c in body["credits"]] == [lent.assignment_id]
    # A vacancy hour at $120 lent to another agency: 12,000 charged to it, 600 kept by the pool.
    assert (body["credits"][0]["amount_cents"], body["credits"][0]["fee_cents"],
            body["credits"][0]["net_cents"]) == (12_000, 600, 11_400)
    assert body["totals"] == {"charges_cents": 72_000, "fees_in_charges_cents": 3_600, "credits_cents": 11_400,
                              "fees_withheld_cents": 600, "net_due_cents": 60_600}
    budget = body["budget"]
    assert (budget["state"], budget["cap_cents"], budget["spent_cents"], budget["percent_used"]) == (
        "exceeded", 50_000, 72_000, "144.00")
    assert [a["threshold_percent"] for a in budget["alerts"]] == [80, 100]

    as_csv = await client.get(f"/v1/statements/{agency}/2027-06",
                              headers={**h.token("billing"), "Accept": "text/csv"})
    assert as_csv.status == 200 and as_csv.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO(await as_csv.text())))
    assert rows[0] == ["agency_id", agency, "period", "2027-06", "currency", "USD"]
    header, lines = rows[1], rows[2:]
    assert header[0] == "line_type" and header[-1] == "net_cents"
    assert [r[0] for r in lines[:4]] == ["charge", "charge", "charge", "credit"]
    summary = {r[0]: r[-1] for r in lines[4:]}
    assert summary["total:charges"] == "72000" and summary["total:net_due"] == "60600"
    assert summary["budget:exceeded"] == "144.00"
    assert sum(int(r[-1]) for r in lines[:3]) == 72_000

    july = await (await client.get(f"/v1/statements/{agency}/2027-07", headers=h.token("ops"))).json()
    assert july["totals"]["charges_cents"] == 12_000 and july["budget"]["alerts"] == []
    empty = await (await client.get(f"/v1/statements/{agency}/2026-01", headers=h.token("ops"))).json()
    assert empty["charges"] == [] and empty["totals"]["net_due_cents"] == 0


async def test_statement_tenancy_and_bad_input(harness, client):
    h = harness
    agency = h.uid("ten")
    works, lent, other = await _bill_month(h, agency)
    foreign = await client.get(f"/v1/statements/{other}/2027-06", headers=h.token("agency", agency))
    unknown = await client.get("/v1/statements/nobody-at-all/2027-06", headers=h.token("agency", agency))
    unknown_staff = await client.get("/v1/statements/nobody-at-all/2027-06", headers=h.token("billing"))
    assert foreign.status == unknown.status == unknown_staff.status == 404
    without_path = lambda doc: {k: v for k, v in doc.items() if k != "instance"}  # noqa: E731
    assert without_path(await foreign.json()) == without_path(await unknown.json())
    assert (await client.get(f"/v1/statements/{other}/2027-06", headers=h.token("ops"))).status == 200
    bad = await client.get(f"/v1/statements/{agency}/2027-6", headers=h.token("agency", agency))
    assert bad.status == 422
    assert [(e["in"], e["field"]) for e in (await bad.json())["errors"]] == [("path", "month")]
    assert (await client.get(f"/v1/statements/{agency}/2027-06", headers=h.token("provider", "p"))).status == 403
