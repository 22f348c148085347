"""Retry pacing for reconnect loops: exponential delays with jitter up to a cap, reset after a success."""

import asyncio
import random
from collections.abc import Awaitable, Callable


def delay(failures: int, *, first: float, cap: float, rng: Callable[[], float] = random.random) -> float:
    """The wait after the `failures`-th failure in a row (1, 2, ...): `first` doubling up to `cap`, with jitter.

    Half the delay is fixed and half random, so a loop never retries at once and instances that lost the same
    server together do not come back in step.
    """
    ceiling = min(cap, first * 2 ** min(max(failures, 1) - 1, 30))
    return ceiling / 2 + rng() * ceiling / 2


class Backoff:
    """The failure streak of one retry loop and its waits (`failures == 0` at a failure: the first of a streak)."""

    def __init__(self, first: float = 0.2, cap: float = 5.0, *, rng: Callable[[], float] = random.random,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.first, self.cap, self.rng, self.sleep = first, cap, rng, sleep
        self.failures = 0

    async def failed(self) -> float:
        """Count a failure and wait before the next attempt; returns the wait."""
        self.failures += 1
        seconds = delay(self.failures, first=self.first, cap=self.cap, rng=self.rng)
        await self.sleep(seconds)
        return seconds

    def succeeded(self) -> int:
        """End the streak (the next failure waits `first` again); returns how many failures it had."""
        streak, self.failures = self.failures, 0
        return streak
