"""Retry pacing: growing, capped, jittered waits; streaks that reset; a restarter that logs once per streak."""

import asyncio

import pytest
from structlog.testing import capture_logs

from taas_kit.backoff import Backoff, delay
from taas_kit.http.app import restarting


class Recorder:
    """A sleep that returns at once and remembers what it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def test_delay_doubles_from_first_up_to_the_cap():
    highest = [delay(n, first=0.5, cap=5.0, rng=lambda: 1.0) for n in range(1, 8)]
    assert highest == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]
    assert delay(10_000, first=0.5, cap=5.0, rng=lambda: 1.0) == 5.0


def test_delay_jitter_keeps_half_the_wait():
    assert delay(3, first=0.5, cap=5.0, rng=lambda: 0.0) == 1.0
    assert delay(3, first=0.5, cap=5.0, rng=lambda: 0.5) == 1.5


async def test_backoff_grows_while_failing_and_starts_over_after_a_success():
    sleep = Recorder()
    backoff = Backoff(first=0.2, cap=1.0, rng=lambda: 1.0, sleep=sleep)
    for _ in range(4):
        await backoff.failed()
    assert sleep.waits == [0.2, 0.4, 0.8, 1.0] and backoff.failures == 4
    assert backoff.succeeded() == 4 and backoff.failures == 0
    await backoff.failed()
    assert sleep.waits[-1] == 0.2


async def test_restarting_backs_off_logs_once_per_streak_and_returns_when_the_task_does():
    sleep, calls = Recorder(), []

    async def flaky() -> None:
        calls.append(1)
        if len(calls) <= 3:
            raise ConnectionError("database gone")

    with capture_logs() as logs:
        await restarting("flaky", flaky, Backoff(first=0.5, cap=5.0, rng=lambda: 1.0, sleep=sleep))
    assert len(calls) == 4
    assert sleep.waits == [0.5, 1.0, 2.0]
    crashes = [e for e in logs if e["event"] == "background task crashed; restarting"]
    assert len(crashes) == 1 and crashes[0]["task"] == "flaky"


async def test_restarting_starts_a_new_streak_after_a_healthy_run():
    sleep, calls = Recorder(), []

    async def crashes_twice() -> None:
        calls.append(1)
        if len(calls) <= 2:
            raise OSError("lost")

    with capture_logs() as logs:
        # healthy_after=0: every run counts as healthy, so each crash is the first of its streak.
        await restarting("t", crashes_twice, Backoff(first=0.5, cap=5.0, rng=lambda: 1.0, sleep=sleep),
                         healthy_after=0)
    assert sleep.waits == [0.5, 0.5]
    assert sum(e["event"] == "background task crashed; restarting" for e in logs) == 2


async def test_restarting_lets_cancellation_through():
    async def cancelled() -> None:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await restarting("t", cancelled, Backoff(sleep=Recorder()))
