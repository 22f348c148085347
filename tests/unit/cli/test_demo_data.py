"""The demo's data tells its story at any hour: checked with availability's own schedule code."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from taas_availability.domain.availability import is_available
from taas_availability.domain.schedule import Schedule, WeeklyWindow
from taas_cli import demo

CHICAGO = ZoneInfo("America/Chicago")


def _schedule(provider: dict) -> Schedule:
    windows = tuple(WeeklyWindow.of(w["day"], w["start"], w["end"]) for w in provider["windows"])
    return Schedule(time_zone=provider["time_zone"], windows=windows)


def _fits(provider: dict, request: dict) -> bool:
    return (request["role"] in provider["roles"] and provider["hourly_rate_cents"] <= request["max_hourly_rate_cents"]
            and set(request.get("clearances", [])) <= {c["kind"] for c in provider["clearances"]})


@pytest.mark.parametrize("when", [datetime(2026, 3, 2, 7, 0, tzinfo=CHICAGO),    # a Monday, 07:00
                                  datetime(2026, 3, 8, 7, 0, tzinfo=CHICAGO),    # a Sunday, 07:00 (DST starts)
                                  datetime(2026, 11, 1, 7, 0, tzinfo=CHICAGO),   # a Sunday, 07:00 (DST ends)
                                  datetime(2026, 6, 7, 23, 30, tzinfo=CHICAGO)],  # a Sunday night
                         ids=["monday-0700", "sunday-0700-dst-start", "sunday-0700-dst-end", "sunday-2330"])
def test_the_low_severity_request_has_a_provider_at_any_hour(when):
    request = demo.LOW_SEVERITY
    assert when.weekday() in (0, 6)
    end = when + timedelta(hours=request["expected_hours"])
    available = [p["id"] for p in demo.PROVIDERS if _fits(p, request) and is_available(_schedule(p), when, end)]
    assert demo.LOW_SEVERITY_PROVIDER in available


@pytest.mark.parametrize("weekday", [0, 6])
def test_the_on_call_provider_can_take_the_critical_incident_at_0700(weekday):
    request, ben = demo.INCIDENT, demo.provider(demo.ON_CALL)
    when = datetime(2026, 3, 2, 7, 0, tzinfo=CHICAGO) + timedelta(days=weekday)
    assert _fits(ben, request)
    assert is_available(_schedule(ben), when, when + timedelta(hours=request["expected_hours"]))
    # Ben does everything the incident asks, so he ranks first and is assigned at once as on call.
    assert set(request["required_skills"]) <= set(ben["skills"])


def test_requests_are_filed_with_stable_idempotency_keys():
    first, second = demo.requests_to_file(), demo.requests_to_file()
    assert [k for *_, k in first] == [k for *_, k in second]
    assert len({k for *_, k in first}) == len(first)
    assert [name for name, *_ in first] == ["critical incident", "low-severity incident", "vacancy"]


def test_consortia_make_geographic_sense():
    by_state = {a["state"]: a["consortia"] for a in demo.AGENCIES}
    for state in ("MN", "IA", "WI"):
        assert by_state[state] == [demo.UPPER_MIDWEST]
    assert by_state["CO"] == [demo.ROCKY_MOUNTAIN]
