"""The board's readings: a request against its response target, a provider's state now."""

from datetime import UTC, datetime, timedelta

from taas_dispatch.domain.board import PoolState, TargetReading, TargetState, pool_state, target_reading

NOW = datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_the_clock_runs_until_the_first_assignment_and_a_late_one_stays_missed():
    assert target_reading(NOW + 5 * MINUTE, None, NOW) == TargetReading(TargetState.RUNNING, 300.0)
    assert target_reading(NOW, None, NOW).state is TargetState.RUNNING  # due this instant: not missed yet
    assert target_reading(NOW - MINUTE, None, NOW) == TargetReading(TargetState.MISSED, -60.0)
    assert target_reading(NOW - MINUTE, NOW - 2 * MINUTE, NOW) == TargetReading(TargetState.MET, None)
    assert target_reading(NOW - 2 * MINUTE, NOW - MINUTE, NOW) == TargetReading(TargetState.MISSED, None)
    assert target_reading(None, None, NOW) == TargetReading(TargetState.UNKNOWN, None)


def test_a_provider_is_in_the_first_state_that_applies():
    later = NOW + timedelta(hours=2)
    assert pool_state("paused", 1, later, True, NOW) is PoolState.PAUSED
    assert pool_state("offboarded", 0, None, False, NOW) is PoolState.PAUSED
    assert pool_state("active", 1, later, True, NOW) is PoolState.BUSY
    assert pool_state("active", 0, later, False, NOW) is PoolState.ON_CALL
    assert pool_state("active", 0, NOW, True, NOW) is PoolState.AVAILABLE  # the shift ended this instant
    assert pool_state("active", 0, None, False, NOW) is PoolState.OFF
