"""What a change tells the agency (webhook body, stream NOTIFY) and what the state machine reads of a locked row."""

import json
import uuid
from datetime import UTC, datetime

from taas_contracts.catalog import RequestStatus
from taas_requests.api.webhook_models import WebhookEvent
from taas_requests.handlers.changes import change_of, notice
from taas_requests.handlers.progress import progress_of
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
