"""Webhook signatures (sign, verify, tamper, expiry) and the retry schedule."""

import hashlib
import hmac
import random
from datetime import UTC, datetime, timedelta

import pytest

from taas_requests.domain.webhooks import (
    DEFAULT_RETRY_POLICY,
    SIGNATURE_HEADER,
    ParsedSignature,
    RetryPolicy,
    SignatureCheck,
    backoff_delay,
    check_signature,
    next_attempt_at,
    parse_signature_header,
    sign,
    signature_header,
    verify,
)

SECRET = "whsec_test_county_of_lake"
BODY = b'{"type":"request.assigned","request_id":"r-1"}'
NOW = datetime(2025, 3, 5, 14, 30, tzinfo=UTC)
TS = int(NOW.timestamp())


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{TS}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, TS, BODY) == expected
    assert sign(SECRET.encode(), TS, BODY.decode()) == expected


def test_header_format() -> None:
    assert SIGNATURE_HEADER == "Taas-Signature"
    assert signature_header(SECRET, BODY, NOW) == f"t={TS},v1={sign(SECRET, TS, BODY)}"


def test_signed_delivery_verifies() -> None:
    header = signature_header(SECRET, BODY, NOW)
    assert verify(SECRET, header, BODY, NOW + timedelta(seconds=3))
    assert check_signature(SECRET, header, BODY, NOW) is SignatureCheck.VALID


def test_tampered_body_fails() -> None:
    header = signature_header(SECRET, BODY, NOW)
    tampered = BODY.replace(b"r-1", b"r-2")
    assert not verify(SECRET, header, tampered, NOW)
    assert check_signature(SECRET, header, tampered, NOW) is SignatureCheck.MISMATCH


def test_wrong_secret_fails() -> None:
    header = signature_header("another-secret", BODY, NOW)
    assert check_signature(SECRET, header, BODY, NOW) is SignatureCheck.MISMATCH


def test_tampered_timestamp_fails() -> None:
    signature = sign(SECRET, TS, BODY)
    header = f"t={TS + 1},v1={signature}"
    assert check_signature(SECRET, header, BODY, NOW) is SignatureCheck.MISMATCH


@pytest.mark.parametrize("skew", [timedelta(minutes=5, seconds=1), -timedelta(minutes=5, seconds=1)])
def test_outside_the_tolerance_window_is_expired(skew: timedelta) -> None:
    header = signature_header(SECRET, BODY, NOW)
    assert check_signature(SECRET, header, BODY, NOW + skew) is SignatureCheck.EXPIRED
    assert not verify(SECRET, header, BODY, NOW + skew)


def test_the_tolerance_edge_is_inclusive_and_configurable() -> None:
    header = signature_header(SECRET, BODY, NOW)
    assert verify(SECRET, header, BODY, NOW + timedelta(minutes=5))
    assert not verify(SECRET, header, BODY, NOW + timedelta(seconds=31), tolerance=timedelta(seconds=30))


def test_any_of_several_signatures_may_match_during_secret_rotation() -> None:
    header = f"t={TS},v1={sign('old-secret', TS, BODY)},v1={sign(SECRET, TS, BODY)}"
    assert verify(SECRET, header, BODY, NOW)
    assert verify("old-secret", header, BODY, NOW)
    assert not verify("third-secret", header, BODY, NOW)


def test_parse_skips_unknown_schemes() -> None:
    assert parse_signature_header(f"t={TS}, v0=abc, v1=def") == ParsedSignature(TS, ("def",))


@pytest.mark.parametrize(
    "header",
    ["", "v1=abc", f"t={TS}", f"t=abc,v1={'0' * 64}", f"t={TS},t={TS},v1=abc", f"t={TS},garbage", f"t=-{TS},v1=a"],
)
def test_malformed_headers_are_rejected(header: str) -> None:
    assert parse_signature_header(header) is None
    assert check_signature(SECRET, header, BODY, NOW) is SignatureCheck.MALFORMED


class FixedRandom:
    """A random source that always draws the same value."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        """The fixed value."""
        return self.value


def no_jitter_rng() -> FixedRandom:
    """A random source drawing 0, so the schedule is the un-jittered one."""
    return FixedRandom(0.0)


def test_jitter_takes_off_the_drawn_fraction_of_its_ratio() -> None:
    delay = backoff_delay(4, FixedRandom(0.5), RetryPolicy(jitter=0.5))
    assert delay == timedelta(seconds=6)


def test_backoff_doubles_from_one_second_and_is_capped() -> None:
    policy = RetryPolicy(cap=timedelta(seconds=30), max_attempts=20)
    delays = [backoff_delay(n, no_jitter_rng(), policy).total_seconds() for n in range(1, 9)]
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]


def test_default_schedule_without_jitter() -> None:
    rng = no_jitter_rng()
    delays = [backoff_delay(n, rng).total_seconds() for n in range(1, DEFAULT_RETRY_POLICY.max_attempts)]
    assert delays == [1, 2, 4, 8, 16, 32, 60]


def test_jitter_only_shortens_the_wait_within_its_ratio() -> None:
    rng = random.Random(7)
    for attempt in range(1, 8):
        full = min(2 ** (attempt - 1), 60)
        for _ in range(50):
            delay = backoff_delay(attempt, rng).total_seconds()
            assert full * 0.8 <= delay <= full


def test_jitter_actually_varies_the_delay() -> None:
    rng = random.Random(1)
    assert len({backoff_delay(3, rng) for _ in range(10)}) > 1


def test_schedule_is_deterministic_for_a_seed() -> None:
    first = [next_attempt_at(n, NOW, random.Random(42)) for n in range(1, 8)]
    again = [next_attempt_at(n, NOW, random.Random(42)) for n in range(1, 8)]
    assert first == again


def test_next_attempt_is_now_plus_the_delay_until_attempts_run_out() -> None:
    rng = no_jitter_rng()
    assert next_attempt_at(1, NOW, rng) == NOW + timedelta(seconds=1)
    assert next_attempt_at(7, NOW, rng) == NOW + timedelta(seconds=60)
    assert next_attempt_at(8, NOW, rng) is None
    assert next_attempt_at(9, NOW, rng) is None


def test_huge_attempt_numbers_do_not_overflow() -> None:
    policy = RetryPolicy(max_attempts=10_000)
    assert backoff_delay(5_000, no_jitter_rng(), policy) == policy.cap


def test_attempts_start_at_one() -> None:
    with pytest.raises(ValueError):
        backoff_delay(0, random.Random(0))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base": timedelta(0)},
        {"cap": timedelta(milliseconds=500)},
        {"factor": 0},
        {"max_attempts": 0},
        {"jitter": 1.0},
        {"jitter": -0.1},
    ],
)
def test_nonsense_retry_policy_is_rejected(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)
