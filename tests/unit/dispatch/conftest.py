"""Builders for dispatch domain tests: a fixed instant and providers/requests with sensible defaults.

The builders are stateless, so they are session-scoped and safe inside Hypothesis tests.
"""

from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from taas_contracts.catalog import Role, Severity
from taas_dispatch.domain.time_windows import TimeWindow
from taas_dispatch.domain.views import IncidentRequest, ProviderView, Requirements, VacancyRequest

# A Tuesday afternoon in Chicago (09:00 CDT), after the 2026 US switch to daylight time.
NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
_REQUIREMENT_FIELDS = {field.name for field in fields(Requirements)}


@pytest.fixture(scope="session")
def now() -> datetime:
    """The fixed instant every test reasons from."""
    return NOW


@pytest.fixture(scope="session")
def make_provider() -> Callable[..., ProviderView]:
    """Build a CISO in Chicago, available for the next 60 days, with any field overridden."""

    def build(**overrides: Any) -> ProviderView:
        values: dict[str, Any] = {
            "provider_id": "p-1",
            "roles": frozenset({Role.CISO}),
            "home_jurisdiction_id": "j-home",
            "time_zone": "America/Chicago",
            "hourly_rate_cents": 10_000,
            "available": (TimeWindow(NOW - timedelta(days=1), NOW + timedelta(days=60)),),
        }
        values.update(overrides)
        return ProviderView(**values)

    return build


def _split(overrides: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    needs = {"role": Role.CISO, "max_hourly_rate_cents": 20_000}
    needs.update({k: v for k, v in overrides.items() if k in _REQUIREMENT_FIELDS})
    rest = {k: v for k, v in overrides.items() if k not in _REQUIREMENT_FIELDS}
    return needs, rest


@pytest.fixture(scope="session")
def make_incident() -> Callable[..., IncidentRequest]:
    """Build a 4-hour high-severity incident; Requirements fields may be passed flat."""

    def build(**overrides: Any) -> IncidentRequest:
        needs, rest = _split(overrides)
        values: dict[str, Any] = {
            "request_id": "r-1",
            "agency_id": "a-requesting",
            "severity": Severity.HIGH,
            "expected_hours": 4,
        }
        values.update(rest)
        return IncidentRequest(requirements=Requirements(**needs), **values)

    return build


@pytest.fixture(scope="session")
def make_vacancy() -> Callable[..., VacancyRequest]:
    """Build a 10 h/week, 2-week vacancy starting next Monday in Chicago; Requirements fields may be flat."""

    def build(**overrides: Any) -> VacancyRequest:
        needs, rest = _split(overrides)
        values: dict[str, Any] = {
            "request_id": "r-vacancy",
            "agency_id": "a-requesting",
            "hours_per_week": 10,
            "starts_on": date(2026, 3, 16),
            "weeks": 2,
            "time_zone": "America/Chicago",
        }
        values.update(rest)
        return VacancyRequest(requirements=Requirements(**needs), **values)

    return build
