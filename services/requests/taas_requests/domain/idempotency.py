"""Idempotency keys: a canonical fingerprint of a request body, and what a repeated key means.

The fingerprint is the SHA-256 of the body's canonical JSON (keys sorted at every level, no whitespace,
UTF-8, no NaN or infinity), so the same body sent with its keys in another order or with other spacing
gives the same fingerprint. Values are compared as JSON reads them: `1` and `1.0` are different bodies,
`1.0` and `1e0` are the same one. Keys are scoped per agency by the store, not here.
"""

import hashlib
import json
from enum import StrEnum
from typing import Any


def canonical_json(body: Any) -> bytes:
    """The canonical JSON encoding of a parsed JSON value."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def fingerprint(body: Any) -> str:
    """The hex SHA-256 fingerprint of a parsed JSON body."""
    return hashlib.sha256(canonical_json(body)).hexdigest()


def fingerprint_raw(raw: bytes | str) -> str:
    """The fingerprint of a JSON body as received (raises ValueError when it is not JSON)."""
    return fingerprint(json.loads(raw))


class IdempotencyDecision(StrEnum):
    """What to do with a request that carries an idempotency key."""

    PROCEED = "proceed"  # the key is new: do the work and store the response under the key
    REPLAY = "replay"  # same key, same body: answer with the stored original response
    CONFLICT = "conflict"  # same key, different body: answer 409, change nothing


def decide(existing_fingerprint: str | None, new_fingerprint: str) -> IdempotencyDecision:
    """Decide from the fingerprint stored under the key (None when the key is new) and the new one."""
    if existing_fingerprint is None:
        return IdempotencyDecision.PROCEED
    if existing_fingerprint == new_fingerprint:
        return IdempotencyDecision.REPLAY
    return IdempotencyDecision.CONFLICT
