"""Completed work becomes balanced ledger lines and CloudEvents usage records; parked work; releases; alerts."""

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_structured_event
from cloudevents.v1.http import from_json

from taas_billing.domain.usage_id import usage_event_id
from taas_contracts.catalog import RequestKind, Severity
from taas_contracts.events.billing import BudgetAlertRaised, UsageRecorded
from taas_contracts.topics import BILLING_ALERTS, BILLING_USAGE, DISPATCH_EVENTS, dead_letter_topic

pytestmark = pytest.mark.integration


def _cloudevent(record):
    """Parse a record with both official SDK APIs (cloudevents 2.x: `core` and the 1.x-style `v1`)."""
    headers = {k: v for k, v in record.headers or []}
    core = from_structured_event(KafkaMessage(headers=headers, key=record.key, value=record.value))
    legacy = from_json(record.value)
    assert core.get_id() == legacy["id"] and core.get_data() == legacy.get_data()
    assert core.get_extension("partitionkey") == record.key.decode()
    return legacy


def _for(agency_id: str):
    return lambda records: [r for r in records if r.key == agency_id.encode()]


async def test_completed_critical_incident_is_priced_posted_and_published_as_cloudevents(harness, client):
    h = harness
    agency = h.uid("ash")
    await h.agency(agency)
    # Worked example 2: critical, Friday 2027-06-04 16:00 EDT to Saturday 01:30 EDT, lent by Elm City.
    done = h.completed(agency, [(h.utc(2027, 6, 4, 20), h.utc(2027, 6, 5, 5, 30))], severity=Severity.CRITICAL,
                       lender="elm-city")
    created, completed = await h.dispatch(h.created(done), done)
    await h.wait_for(lambda: h.billed(done.assignment_id))

    segments = await h.segments(done.assignment_id)
    assert [(s["kind"], s["amount_cents"], s["fee_cents"]) for s in segments] == [
        ("business_hours", 18_000, 900), ("after_hours", 191_250, 9_562)]
    assert all(s["source_event_id"] == completed.id and s["month"] == "2027-06" for s in segments)
    assert [s["usage_id"] for s in segments] == [usage_event_id(s["segment_key"]) for s in segments]

    lines = await h.pool.fetch("SELECT * FROM ledger_lines WHERE assignment_id = $1 ORDER BY id", done.assignment_id)
    assert sum(r["debit_cents"] for r in lines) == sum(r["credit_cents"] for r in lines) == 209_250
    accounts = {r["account"]: r["debit_cents"] or r["credit_cents"] for r in lines
                if r["segment_key"] == segments[1]["segment_key"]}
    assert accounts == {f"agency:{agency}:receivable": 191_250, "jurisdiction:elm-city:payable": 181_688,
                        "pool:fees": 9_562}
    assert {r["source_event_id"] for r in lines} == {completed.id}

    records = await h.read(BILLING_USAGE.name, lambda rs: len(_for(agency)(rs)) >= 2)
    mine = _for(agency)(records)
    assert len(mine) == 2
    for record, segment in zip(mine, segments):
        event = _cloudevent(record)  # the official CloudEvents SDK parses the structured JSON
        assert event["specversion"] == "1.0"
        assert event["id"] == str(usage_event_id(segment["segment_key"]))
        assert event["type"] == UsageRecorded.EVENT_TYPE
        assert event["source"] == "/taas/billing"
        assert event["subject"] == agency and event["tenant"] == agency
        assert event["correlationid"] == done.request_id and event["causationid"] == completed.id
        usage = UsageRecorded.model_validate(event.get_data())
        assert usage.amount_cents == segment["amount_cents"] and usage.fee_cents == segment["fee_cents"]
        assert usage.lending_jurisdiction_id == "elm-city"
        assert dict(record.headers)["content-type"] == b"application/cloudevents+json"
    assert UsageRecorded.model_validate(_cloudevent(mine[1]).get_data()).minutes == 510
    assert created.id not in {s["source_event_id"] for s in segments}


async def test_work_completed_before_the_agency_is_known_is_parked_then_priced_by_the_snapshot(harness, client):
    h = harness
    agency = h.uid("late")
    done = h.completed(agency, [(h.utc(2027, 6, 8, 14), h.utc(2027, 6, 8, 14, 45))])
    await h.dispatch(done)
    await h.wait_for(lambda: h.pool.fetchval(
        "SELECT status = 'awaiting_agency' FROM assignments WHERE assignment_id = $1", done.assignment_id))
    assert await h.segments(done.assignment_id) == []

    await h.agency(agency)
    await h.wait_for(lambda: h.billed(done.assignment_id))
    # Worked example 1: 45 minutes in business hours plus a 75-minute call-out line.
    assert [(s["kind"], s["amount_cents"]) for s in await h.segments(done.assignment_id)] == [
        ("business_hours", 9_000), ("callout", 15_000)]


async def test_released_assignment_bills_the_time_logged_before_release(harness, client):
    h = harness
    agency = h.uid("rel")
    await h.agency(agency)
    done = h.completed(agency, [(h.utc(2027, 6, 8, 14), h.utc(2027, 6, 8, 17))])
    await h.dispatch(h.created(done), h.logged(done, "e1", h.utc(2027, 6, 8, 14), h.utc(2027, 6, 8, 15)),
                     h.released(done, h.utc(2027, 6, 8, 15, 5)))
    await h.wait_for(lambda: h.billed(done.assignment_id))
    segments = await h.segments(done.assignment_id)
    # One logged hour of a high incident, then the 60 minutes still short of the call-out minimum.
    assert [(s["kind"], s["amount_cents"]) for s in segments] == [("business_hours", 12_000), ("callout", 12_000)]
    # A completion arriving afterwards for the same assignment bills nothing more; a marker on the same
    # request (same partition, handled after it) tells when it has been handled.
    marker = h.completed(agency, [(h.utc(2027, 6, 8, 14), h.utc(2027, 6, 8, 15))], request_id=done.request_id)
    await h.dispatch(done, marker)
    await h.wait_for(lambda: h.billed(marker.assignment_id))
    assert len(await h.segments(done.assignment_id)) == 2


async def test_budget_alerts_at_80_and_100_percent_once_each(harness, client):
    h = harness
    agency = h.uid("cap")
    await h.agency(agency, cap=30_000)
    # Three vacancy hours of $100 in business hours: 10,000 cents each.
    days = [(8, 14), (9, 14), (10, 14), (11, 14)]
    works = [h.completed(agency, [(h.utc(2027, 6, d, hr), h.utc(2027, 6, d, hr + 1))], rate_cents=10_000,
                         kind=RequestKind.VACANCY)
             for d, hr in days]
    for work in works:
        await h.dispatch(work)
    for work in works:
        await h.wait_for(lambda w=work: h.billed(w.assignment_id))
    alerts = await h.pool.fetch("SELECT threshold_percent, total_cents FROM budget_alerts WHERE agency_id = $1 "
                                "ORDER BY threshold_percent", agency)
    assert [(a["threshold_percent"], a["total_cents"]) for a in alerts] == [(80, 30_000), (100, 30_000)]
    records = await h.read(BILLING_ALERTS.name, lambda rs: len(_for(agency)(rs)) >= 2, settle=1.0)
    raised = [BudgetAlertRaised.model_validate(_cloudevent(r).get_data()) for r in _for(agency)(records)]
    assert [(a.threshold_percent, a.month, a.cap_cents) for a in raised] == [(80, "2027-06", 30_000),
                                                                            (100, "2027-06", 30_000)]


async def test_overlapping_time_entries_go_to_the_dead_letter_topic_and_the_next_is_billed(harness, client):
    h = harness
    agency = h.uid("bad")
    await h.agency(agency)
    bad = h.completed(agency, [(h.utc(2027, 6, 8, 14), h.utc(2027, 6, 8, 16)),
                               (h.utc(2027, 6, 8, 15), h.utc(2027, 6, 8, 17))])
    good = h.completed(agency, [(h.utc(2027, 6, 8, 14), h.utc(2027, 6, 8, 16))], request_id=bad.request_id)
    bad_envelope, _ = await h.dispatch(bad, good)
    await h.wait_for(lambda: h.billed(good.assignment_id))
    assert await h.segments(bad.assignment_id) == []
    dead = await h.read(dead_letter_topic(DISPATCH_EVENTS.name),
                        lambda rs: any(bad_envelope.id.encode() in r.value for r in rs))
    record = next(r for r in dead if bad_envelope.id.encode() in r.value)
    assert "overlap" in dict(record.headers)["dlq.reason"].decode()


async def test_interlocal_agreement_sets_the_fee_for_its_pair_only(harness, client):
    h = harness
    agency, lender, other = h.uid("oak"), h.uid("pine"), h.uid("elm")
    response = await client.post("/v1/agreements", json={"jurisdiction_a": lender, "jurisdiction_b": agency,
                                                         "fee_bps": 300}, headers=h.token("ops"))
    assert response.status == 201
    await h.agency(agency)
    # High incident, Tuesday 10:00-12:00 EDT: two business hours at $120 = 24,000 cents.
    under_agreement = h.completed(agency, [(h.utc(2027, 6, 8, 14), h.utc(2027, 6, 8, 16))], lender=lender)
    default_fee = h.completed(agency, [(h.utc(2027, 6, 8, 14), h.utc(2027, 6, 8, 16))], lender=other)
    await h.dispatch(under_agreement, default_fee)
    await h.wait_for(lambda: h.billed(default_fee.assignment_id))
    await h.wait_for(lambda: h.billed(under_agreement.assignment_id))
    [agreed] = await h.segments(under_agreement.assignment_id)
    [default] = await h.segments(default_fee.assignment_id)
    assert (agreed["amount_cents"], agreed["fee_cents"]) == (24_000, 720)
    assert (default["amount_cents"], default["fee_cents"]) == (24_000, 1_200)
    credit = await h.pool.fetchval("SELECT credit_cents FROM ledger_lines WHERE account = $1",
                                   f"jurisdiction:{lender}:payable")
    assert credit == 23_280
