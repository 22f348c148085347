"""Idempotency: a fingerprint that ignores key order and whitespace, and what a repeated key means."""

import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taas_requests.domain.idempotency import IdempotencyDecision, canonical_json, decide, fingerprint, fingerprint_raw

BODY = {
    "kind": "incident",
    "severity": "critical",
    "role": "incident_responder",
    "required": {"skills": ["ransomware", "forensics"], "clearance": "cjis"},
    "onsite": False,
    "max_hourly_rate_cents": 25_000,
    "description": "Ransomware on the county clerk's file server — café",
}


def test_fingerprint_is_a_sha256_hex_digest() -> None:
    value = fingerprint(BODY)
    assert len(value) == 64
    assert int(value, 16) >= 0


def test_key_order_at_every_level_does_not_matter() -> None:
    reordered = {key: BODY[key] for key in reversed(list(BODY))}
    reordered["required"] = {"clearance": "cjis", "skills": ["ransomware", "forensics"]}
    assert fingerprint(reordered) == fingerprint(BODY)


def test_whitespace_and_escaping_of_the_raw_body_do_not_matter() -> None:
    compact = json.dumps(BODY, separators=(",", ":"), ensure_ascii=False)
    spaced = json.dumps(BODY, indent=4, ensure_ascii=True)
    assert compact != spaced
    assert fingerprint_raw(compact) == fingerprint_raw(spaced.encode()) == fingerprint(BODY)


@pytest.mark.parametrize(
    "change",
    [
        {"severity": "high"},
        {"max_hourly_rate_cents": 25_001},
        {"onsite": None},
        {"required": {"skills": ["forensics", "ransomware"], "clearance": "cjis"}},  # list order is meaningful
        {"extra": 1},
    ],
)
def test_any_change_of_content_changes_the_fingerprint(change: dict) -> None:
    assert fingerprint({**BODY, **change}) != fingerprint(BODY)


def test_canonical_json_is_compact_sorted_utf8() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_non_json_input_is_rejected() -> None:
    with pytest.raises(ValueError):
        fingerprint_raw(b"{not json")
    with pytest.raises(ValueError):
        fingerprint({"rate": float("nan")})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(), json_values, max_size=6), st.randoms(use_true_random=False))
def test_fingerprint_survives_any_key_shuffle_and_reformatting(body: dict, rng: random.Random) -> None:
    keys = list(body)
    rng.shuffle(keys)
    shuffled = {key: body[key] for key in keys}
    raw = json.dumps(shuffled, indent=rng.choice([None, 1, 2]), ensure_ascii=rng.choice([True, False]))
    assert fingerprint_raw(raw) == fingerprint(body)


def test_new_key_proceeds() -> None:
    assert decide(None, fingerprint(BODY)) is IdempotencyDecision.PROCEED


def test_same_key_same_body_replays_the_original_response() -> None:
    assert decide(fingerprint(BODY), fingerprint(dict(reversed(BODY.items())))) is IdempotencyDecision.REPLAY


def test_same_key_different_body_is_a_conflict() -> None:
    assert decide(fingerprint(BODY), fingerprint({**BODY, "severity": "low"})) is IdempotencyDecision.CONFLICT
