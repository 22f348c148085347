"""Cross-field rules of request bodies, reported field by field."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from taas_requests.domain.validation import (
    Problem,
    agency_today,
    duplicate_problems,
    incident_problems,
    onsite_location_problems,
    rate_problems,
    start_date_problems,
    vacancy_problems,
)

TODAY = date(2025, 3, 5)
LOCATION = {"lat": 46.5, "lon": -94.3}


def fields(problems: list[Problem]) -> list[str]:
    """The fields named by a list of problems, in order."""
    return [problem.field for problem in problems]


def test_agency_today_is_the_local_date() -> None:
    now = datetime(2025, 3, 6, 3, 0, tzinfo=UTC)  # still 5 March in Minnesota
    assert agency_today(now, ZoneInfo("America/Chicago")) == date(2025, 3, 5)
    assert agency_today(now, ZoneInfo("UTC")) == date(2025, 3, 6)


def test_onsite_needs_a_location_remote_does_not() -> None:
    expected = [Problem("location", "required", "an onsite request needs a location")]
    assert onsite_location_problems(True, None) == expected
    assert onsite_location_problems(True, LOCATION) == []
    assert onsite_location_problems(False, None) == []


@pytest.mark.parametrize(("start", "ok"), [(date(2025, 3, 4), False), (TODAY, True), (date(2025, 3, 6), True)])
def test_vacancy_start_not_in_the_past(start: date, ok: bool) -> None:
    problems = start_date_problems(start, TODAY)
    assert (problems == []) is ok
    assert all(problem.code == "in_past" for problem in problems)


@pytest.mark.parametrize(("cents", "ok"), [(1, True), (25_000, True), (0, False), (-100, False)])
def test_rate_must_be_positive(cents: int, ok: bool) -> None:
    assert (rate_problems(cents) == []) is ok


def test_duplicates_are_named_once_each() -> None:
    problems = duplicate_problems("skills", ["gis", "forensics", "gis", "gis", "cloud", "forensics"])
    assert fields(problems) == ["skills"]
    assert problems[0].code == "duplicate"
    assert "'gis', 'forensics'" in problems[0].message
    assert duplicate_problems("skills", ["gis", "forensics"]) == []


def test_a_good_incident_has_no_problems() -> None:
    assert incident_problems(onsite=True, location=LOCATION, max_hourly_rate_cents=20_000, expected_hours=8) == []


def test_a_bad_incident_reports_every_field() -> None:
    problems = incident_problems(onsite=True, location=None, max_hourly_rate_cents=0, expected_hours=0)
    assert fields(problems) == ["location", "max_hourly_rate_cents", "expected_hours"]


@pytest.mark.parametrize(
    ("hours", "ok"), [(None, True), (0.5, True), (Decimal("0.5"), True), (2_000, True), (2_001, False), (0, False)]
)
def test_incident_expected_hours_range(hours: float | Decimal | None, ok: bool) -> None:
    problems = incident_problems(onsite=False, location=None, max_hourly_rate_cents=1, expected_hours=hours)
    assert (problems == []) is ok


def vacancy(**changes: object) -> list[Problem]:
    """The problems of a good vacancy with some fields changed."""
    body: dict = {
        "start_date": TODAY,
        "today": TODAY,
        "hours_per_week": 10,
        "weeks": 12,
        "onsite": False,
        "location": None,
        "max_hourly_rate_cents": 18_000,
    }
    return vacancy_problems(**{**body, **changes})


def test_a_good_vacancy_has_no_problems() -> None:
    assert vacancy() == []


def test_a_bad_vacancy_reports_every_field() -> None:
    problems = vacancy(start_date=date(2025, 1, 1), hours_per_week=0, weeks=0, onsite=True, max_hourly_rate_cents=-1)
    assert fields(problems) == ["start_date", "hours_per_week", "weeks", "location", "max_hourly_rate_cents"]
    assert all(problem.message for problem in problems)


@pytest.mark.parametrize(
    ("changes", "bad"),
    [
        ({"hours_per_week": 60}, []),
        ({"hours_per_week": 61}, ["hours_per_week"]),
        ({"hours_per_week": Decimal("7.5")}, []),
        ({"hours_per_week": 7.5}, []),
        ({"weeks": 104}, []),
        ({"weeks": 105}, ["weeks"]),
        ({"weeks": -1}, ["weeks"]),
    ],
)
def test_vacancy_hours_and_weeks_ranges(changes: dict, bad: list[str]) -> None:
    assert fields(vacancy(**changes)) == bad
