"""Contracts: the registry, the envelope, and the generated events reference."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from taas_contracts.catalog import Role
from taas_contracts.docgen import render
from taas_contracts.envelope import Envelope
from taas_contracts.events import EVENT_MODELS, RequestCancelled, UnknownEventType, parse_payload
from taas_contracts.topics import ALL_TOPICS

ROOT = Path(__file__).resolve().parents[3]


def test_every_event_type_is_versioned_and_on_a_registered_topic():
    topics = {t.name for t in ALL_TOPICS}
    for event_type, model in EVENT_MODELS.items():
        assert event_type.endswith(".v1"), event_type
        assert model.TOPIC in topics, model


def test_envelope_round_trips_and_payload_parses():
    payload = RequestCancelled(request_id="r1", agency_id="a1", reason="resolved", cancelled_at="2027-01-01T00:00:00Z",
                               cancelled_by="agency")
    env = payload.envelope(source="/taas/requests", subject="r1", tenant="a1", correlationid="r1")
    again = Envelope.model_validate_json(env.model_dump_json())
    assert again == env
    assert parse_payload(again) == payload
    assert env.specversion == "1.0" and env.type == "taas.request.cancelled.v1"


def test_unknown_type_and_unknown_fields_are_refused():
    with pytest.raises(UnknownEventType):
        parse_payload(Envelope(type="taas.nope.v1", source="/x"))
    with pytest.raises(ValidationError):
        Envelope.model_validate({"type": "t.v1", "source": "/x", "surprise": 1})


def test_role_catalog_has_the_roles_of_the_brief():
    assert {"ciso", "cio", "incident_responder", "oncall_engineer"} <= {r.value for r in Role}


def test_events_doc_is_current():
    assert (ROOT / "docs" / "events.md").read_text() == render(), "run: python -m taas_contracts.docgen > docs/events.md"
