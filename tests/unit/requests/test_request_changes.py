"""What a change tells the agency (webhook body, stream NOTIFY), what the state machine reads of a locked row, and
events applied to a row in memory one after the other."""

import json
import uuid
from datetime import UTC, datetime

from taas_contracts.catalog import RequestStatus
from taas_requests.api.webhook_models import WebhookEvent
from taas_requests.handlers.changes import change_of, notice
from taas_requests.domain import status as machine
from taas_requests.handlers.progress import advance, progress_of
from taas_requests.settings import Channels

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
ROW = {"id": uuid.UUID(int=7), "agency_id": "county-a", "kind": "incident", "status": "offered", "last_seq": 2,
       "seen_event_ids": ["e1", "e2"], "timeline_id": 41}
CHANNELS = Channels("changes-chan", "webhooks-chan")


def test_a_status_change_notice_carries_the_change_in_both_the_webhook_body_and_the_note():
    change = change_of(ROW, previous="matching", cause="taas.offer.created.v1", seq=2, occurred_at=NOW,
                       timeline_id=ROW["timeline_id"])
    sent = notice(CHANNELS, agency_id="county-a", event_type=WebhookEvent.STATUS_CHANGED, change=change,
                  webhook_data=None, now=NOW)
    body, note = json.loads(sent.body), json.loads(sent.note)
    assert (sent.channel, sent.wake_channel, sent.agency_id) == ("changes-chan", "webhooks-chan", "county-a")
    at = "2026-01-05T12:00:00+00:00"
    assert body == {"id": str(sent.event_id), "type": "request.status_changed", "created_at": at,
                    "data": {**change, "occurred_at": at}}
    assert note == {"id": str(sent.event_id), "type": "request.status_changed", "agency_id": "county-a",
                    "data": body["data"]}
    assert body["data"]["timeline_id"] == 41 and body["data"]["request_id"] == str(uuid.UUID(int=7))


def test_a_submission_notice_sends_the_request_to_webhooks_and_the_change_to_the_stream():
    change = change_of(ROW, previous=None, cause="taas.request.submitted.v1", seq=None, occurred_at=NOW,
                       timeline_id=3)
    sent = notice(CHANNELS, agency_id="county-a", event_type=WebhookEvent.SUBMITTED, change=change,
                  webhook_data={"id": "r"}, now=NOW)
    assert json.loads(sent.body)["data"] == {"id": "r"}
    assert json.loads(sent.note)["data"]["timeline_id"] == 3


def test_progress_of_a_locked_row_includes_the_event_ids_already_seen():
    progress = progress_of(ROW)
    assert progress.status is RequestStatus.OFFERED and progress.last_seq == 2
    assert progress.seen_event_ids == frozenset({"e1", "e2"})


SUBMITTED_ROW = {"id": uuid.UUID(int=8), "agency_id": "county-a", "kind": "incident", "status": "submitted",
                 "last_seq": None, "assigned_at": None, "cancelled_at": None, "cancel_reason": None,
                 "updated_at": NOW, "seen_event_ids": ["submitted-1"]}


def _event(event_id: str, event_type: str, seq: int, minute: int) -> machine.StatusEvent:
    return machine.StatusEvent(event_id, event_type, NOW.replace(minute=minute), seq)


def test_events_advanced_in_memory_each_see_what_the_previous_ones_did():
    row, seen = SUBMITTED_ROW, []
    events = [_event("m", "taas.request.matching.v1", 1, 1), _event("a", "taas.assignment.created.v1", 2, 2),
              _event("m", "taas.request.matching.v1", 1, 1), _event("o", "taas.offer.created.v1", 1, 3)]
    for timeline_id, event in enumerate(events, start=100):
        outcome, row, progress = advance(CHANNELS, {**row, "timeline_id": timeline_id}, event, {}, NOW)
        seen.append((outcome.verdict.value, progress))
    assert [verdict for verdict, _ in seen] == ["applied", "applied", "duplicate", "stale"]
    matched, assigned, duplicate, stale = (progress for _, progress in seen)
    assert duplicate is None  # the first event's id was carried to the third
    assert (assigned.entry.from_status, assigned.entry.to_status) == (RequestStatus.MATCHING, RequestStatus.ASSIGNED)
    assert assigned.moved["assigned_at"] == NOW.replace(minute=2) and assigned.moved["last_seq"] == 2
    change = json.loads(assigned.notice.body)["data"]
    assert (change["previous_status"], change["status"], change["timeline_id"]) == ("matching", "assigned", 101)
    assert stale.moved is None and stale.notice is None and stale.timeline_id == 103  # seq 2 was carried
    assert (row["status"], row["last_seq"]) == ("assigned", 2)
    assert row["seen_event_ids"] == frozenset({"submitted-1", "m", "a", "o"})


def test_a_step_is_stored_without_moving_the_request_or_telling_the_agency():
    outcome, row, progress = advance(CHANNELS, {**SUBMITTED_ROW, "timeline_id": 5},
                                     _event("d", "taas.offer.declined.v1", 3, 4), {"reason": "busy"}, NOW)
    assert outcome.verdict is machine.Verdict.APPLIED and not outcome.changed
    assert progress.moved is None and progress.notice is None and progress.detail == {"reason": "busy"}
    assert progress.entry.to_status is RequestStatus.SUBMITTED and row["status"] == "submitted"
