"""Pure parts of the service around the domain: configuration loading, hand-built envelopes, translations."""

from datetime import UTC, date, datetime, timedelta

import pytest

from taas_contracts.catalog import Role
from taas_contracts.envelope import Envelope
from taas_contracts.events import parse_payload
from taas_contracts.events.availability import Certification, ProviderSnapshot
from taas_contracts.events.dispatch import DispatchLogRecorded, OfferCreated
from taas_dispatch.config import DispatchConfig, load_config
from taas_dispatch.domain.errors import InvalidConfiguration
from taas_dispatch.domain.offers import Offer
from taas_dispatch.effects import Effects
from taas_dispatch.readmodel import lapses_at, provider_row
from taas_dispatch.settings import DispatchSettings

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def test_config_comes_from_the_environment_and_a_file(tmp_path, monkeypatch):
    path = tmp_path / "dispatch.json"
    path.write_text('{"scoring": {"weights": {"cost": 5}}, "matching": {"why_not_sample": 5}}')
    monkeypatch.setenv("TAAS_DISPATCH_CONFIG_FILE", str(path))
    monkeypatch.setenv("TAAS_DISPATCH_OFFER_POLICY", '{"critical": {"fan_out": 5, "answer_window_seconds": 30}}')
    config = load_config(DispatchSettings())
    assert config.scoring.weights.cost == 5.0
    assert config.matching.why_not_sample == 5
    assert (config.offer_policy.critical.fan_out, config.offer_policy.critical.answer_window_seconds) == (5, 30)
    assert config.offer_policy.high == DispatchConfig().offer_policy.high


@pytest.mark.parametrize("mapping", [{"matchin": {}}, {"matching": {"candidate_pool": 0}},
                                     {"offer_policy": {"critical": {"fan_out": "3"}}}])
def test_bad_config_is_refused_at_start_up(mapping):
    with pytest.raises(InvalidConfiguration):
        DispatchConfig.from_mapping(mapping)


def test_hand_built_envelopes_are_valid_contract_events():
    fx = Effects(DispatchSettings(topic_prefix="x."), "r-1", "a-1", 4, NOW, causation_id="e-0")
    fx.event(OfferCreated, offer_id="o-1", provider_id="p-1", expires_at=NOW + timedelta(minutes=5), rank=1)
    fx.log("decision", "round 1", detail={"candidates": [{"provider_id": "p-1", "total": 1.5}]})
    (topic, key, doc), = fx._events
    assert (topic, key) == ("x.taas.dispatch.events", "r-1")
    envelope = Envelope.model_validate(doc)
    offer = parse_payload(envelope)
    assert isinstance(offer, OfferCreated) and offer.seq == 5
    assert (envelope.tenant, envelope.correlationid, envelope.causationid) == ("a-1", "r-1", "e-0")
    log_doc = fx.log_envelope(fx._records[0])
    record = parse_payload(Envelope.model_validate(log_doc))
    assert isinstance(record, DispatchLogRecorded) and record.detail["candidates"][0]["provider_id"] == "p-1"
    assert log_doc["id"] == record.record_id


def test_effects_roll_back_to_a_mark():
    fx = Effects(DispatchSettings(), "r-1", "a-1", 0, NOW)
    mark = fx.mark()
    fx.event(OfferCreated, offer_id="o-1", provider_id="p-1", expires_at=NOW + timedelta(minutes=5), rank=1)
    fx.log("answer", "x")
    fx.offers([(Offer("o-1", "r-1", "p-1", NOW, NOW + timedelta(minutes=5)), 1, 1)])
    fx.reset(mark)
    assert (fx.seq, fx._events, fx._records, fx._offers) == (0, [], [], [])


def test_a_credential_is_valid_through_its_last_day_and_the_best_copy_counts():
    assert lapses_at(date(2026, 3, 10)) == datetime(2026, 3, 11, tzinfo=UTC)
    snapshot = ProviderSnapshot(
        provider_id="p-1", name="P", roles=[Role.CISO], hourly_rate_cents=100, time_zone="UTC", capacity=1,
        certifications=[Certification(name="CISSP", expires_on=date(2026, 1, 1)),
                        Certification(name="CISSP", expires_on=date(2027, 1, 1))],
        availability=[(NOW, NOW + timedelta(hours=1)), (NOW + timedelta(hours=1), NOW + timedelta(hours=2))],
        horizon_until=NOW + timedelta(days=1), version=1,
    )
    row = provider_row(snapshot)
    assert row["cert_expiry"] == {"CISSP": "2027-01-02T00:00:00+00:00"}
    assert [(r.lower, r.upper) for r in row["availability"]] == [(NOW, NOW + timedelta(hours=2))]
