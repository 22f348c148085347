"""Webhook deliveries: the signature agencies verify, and when a failed delivery is tried again.

Signature: HMAC-SHA256 with the subscription's secret over `"{timestamp}.{body}"` (timestamp in unix
seconds, body the exact bytes sent), sent as `Taas-Signature: t=<unix>,v1=<hex>`. A header may carry
several `v1` values (one per secret while a secret is being rotated); one match is enough. The timestamp
is signed too, so a captured delivery cannot be replayed outside the tolerance window.

Retries: exponential backoff (1 s, 2 s, 4 s, ... capped) with jitter drawn from a random source passed
in, so a seeded source gives the same schedule every time; after the last attempt the delivery is given up.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

SIGNATURE_HEADER = "Taas-Signature"
SIGNATURE_SCHEME = "v1"
DEFAULT_TOLERANCE = timedelta(minutes=5)


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign(secret: bytes | str, timestamp: int, body: bytes | str) -> str:
    """The hex HMAC-SHA256 of `"{timestamp}.{body}"` with the subscription secret."""
    message = f"{timestamp}.".encode("ascii") + _as_bytes(body)
    return hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()


def signature_header(secret: bytes | str, body: bytes | str, now: datetime) -> str:
    """The `Taas-Signature` header value for a delivery sent at `now`."""
    timestamp = int(now.timestamp())
    return f"t={timestamp},{SIGNATURE_SCHEME}={sign(secret, timestamp, body)}"


@dataclass(frozen=True, slots=True)
class ParsedSignature:
    """The parts of a `Taas-Signature` header."""

    timestamp: int
    signatures: tuple[str, ...]


def parse_signature_header(value: str) -> ParsedSignature | None:
    """Parse a `Taas-Signature` header; None when it is malformed or has no `v1` signature."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in value.split(","):
        key, sep, item = part.strip().partition("=")
        if not sep:
            return None
        if key == "t":
            if timestamp is not None or not item.isdigit():
                return None
            timestamp = int(item)
        elif key == SIGNATURE_SCHEME:
            signatures.append(item)
        # other schemes are skipped so a future scheme can be added next to v1
    if timestamp is None or not signatures:
        return None
    return ParsedSignature(timestamp, tuple(signatures))


class SignatureCheck(StrEnum):
    """Why a signature was accepted or not."""

    VALID = "valid"
    MALFORMED = "malformed"
    EXPIRED = "expired"
    MISMATCH = "mismatch"


def check_signature(
    secret: bytes | str,
    header: str,
    body: bytes | str,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> SignatureCheck:
    """Check a received delivery's signature header against its body, secret and the time now."""
    parsed = parse_signature_header(header)
    if parsed is None:
        return SignatureCheck.MALFORMED
    if abs(now.timestamp() - parsed.timestamp) > tolerance.total_seconds():
        return SignatureCheck.EXPIRED
    expected = sign(secret, parsed.timestamp, body)
    if any(hmac.compare_digest(expected, candidate) for candidate in parsed.signatures):
        return SignatureCheck.VALID
    return SignatureCheck.MISMATCH


def verify(
    secret: bytes | str,
    header: str,
    body: bytes | str,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> bool:
    """Whether a delivery is authentic and fresh (see `check_signature` for the reason when not)."""
    return check_signature(secret, header, body, now, tolerance) is SignatureCheck.VALID


class RandomSource(Protocol):
    """Anything with `random()` in [0, 1), such as `random.Random(seed)`."""

    def random(self) -> float:
        """A float in [0, 1)."""
        ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: `base * factor**(n-1)` after the nth failure, capped, less up to `jitter` of it."""

    base: timedelta = timedelta(seconds=1)
    factor: int = 2
    cap: timedelta = timedelta(minutes=1)
    max_attempts: int = 8
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.base <= timedelta(0) or self.cap < self.base:
            raise ValueError("base must be positive and cap at least base")
        if self.factor < 1 or self.max_attempts < 1:
            raise ValueError("factor and max_attempts must be at least 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")


DEFAULT_RETRY_POLICY = RetryPolicy()


def backoff_delay(attempt: int, rng: RandomSource, policy: RetryPolicy = DEFAULT_RETRY_POLICY) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1-based) before the next one."""
    if attempt < 1:
        raise ValueError("attempt numbers start at 1")
    # In float seconds, and with a bounded exponent, so a large attempt number cannot overflow timedelta.
    exponent = min(attempt - 1, 64)
    full = min(policy.cap.total_seconds(), policy.base.total_seconds() * float(policy.factor) ** exponent)
    # Jitter only shortens the wait, so the cap stays a true cap and retries from many agencies spread out.
    return timedelta(seconds=full * (1 - policy.jitter * rng.random()))


def next_attempt_at(
    attempt: int, now: datetime, rng: RandomSource, policy: RetryPolicy = DEFAULT_RETRY_POLICY
) -> datetime | None:
    """When to try again after failed attempt number `attempt` at `now`; None when it was the last one."""
    if attempt >= policy.max_attempts:
        return None
    return now + backoff_delay(attempt, rng, policy)
