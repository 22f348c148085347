"""Hard filters: each reason code fires on its own, and only then."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from taas_contracts.catalog import Clearance, Role
from taas_dispatch.domain.filters import exclusion_reasons, is_eligible
from taas_dispatch.domain.geo import GeoPoint
from taas_dispatch.domain.time_windows import TimeWindow
from taas_dispatch.domain.views import (
    ActiveEngagement,
    Certification,
    ClearanceGrant,
    OnsiteArea,
    ProviderView,
    RequestView,
)

CHICAGO_LOOP = GeoPoint(41.8781, -87.6298)
EVANSTON = GeoPoint(42.0451, -87.6877)  # ~19 km north of the Loop
MILWAUKEE = GeoPoint(43.0389, -87.9065)  # ~130 km north


def codes(
    provider: ProviderView, request: RequestView, now: datetime, engagements: Sequence[ActiveEngagement] = ()
) -> list[str]:
    return [reason.code for reason in exclusion_reasons(provider, request, now, list(engagements))]


def test_a_provider_meeting_every_constraint_has_no_exclusion(make_provider, make_incident, now):
    assert codes(make_provider(), make_incident(), now) == []
    assert is_eligible(make_provider(), make_incident(), now, [])


def test_a_paused_provider_is_excluded(make_provider, make_incident, now):
    assert codes(make_provider(paused=True), make_incident(), now) == ["paused"]


def test_a_provider_without_the_role_is_excluded(make_provider, make_incident, now):
    provider = make_provider(roles=frozenset({Role.CIO, Role.GIS_ANALYST}))
    assert codes(provider, make_incident(role=Role.CISO), now) == ["role_mismatch"]


def test_a_missing_certification_is_named(make_provider, make_incident, now):
    provider = make_provider(certifications=(Certification("CISM"),))
    request = make_incident(required_certifications=frozenset({"CISSP", "CISM"}))
    assert codes(provider, request, now) == ["certification_missing:CISSP"]


def test_a_certification_lapsing_inside_the_window_is_named(make_provider, make_incident, now):
    lapses_mid_incident = now + timedelta(hours=2)
    provider = make_provider(certifications=(Certification("CISSP", lapses_mid_incident),))
    request = make_incident(expected_hours=4, required_certifications=frozenset({"CISSP"}))
    assert codes(provider, request, now) == ["certification_expires:CISSP"]


@pytest.mark.parametrize(
    "expires_at", [None, datetime(2026, 3, 10, 18, 0, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)]
)
def test_a_certification_valid_through_the_window_end_passes(make_provider, make_incident, now, expires_at):
    provider = make_provider(certifications=(Certification("CISSP", expires_at),))
    request = make_incident(expected_hours=4, required_certifications=frozenset({"CISSP"}))
    assert codes(provider, request, now) == []


def test_a_missing_clearance_is_named(make_provider, make_incident, now):
    provider = make_provider(clearances=(ClearanceGrant(Clearance.HIPAA),))
    request = make_incident(required_clearances=frozenset({Clearance.CJIS}))
    assert codes(provider, request, now) == ["clearance_missing:cjis"]


def test_a_clearance_lapsing_inside_the_window_is_named(make_provider, make_incident, now):
    provider = make_provider(clearances=(ClearanceGrant(Clearance.CJIS, now + timedelta(hours=1)),))
    request = make_incident(required_clearances=frozenset({Clearance.CJIS}))
    assert codes(provider, request, now) == ["clearance_expires:cjis"]


def test_a_vacancy_checks_credentials_through_its_last_week(make_provider, make_vacancy, now):
    vacancy = make_vacancy(required_certifications=frozenset({"CISSP"}))
    window = vacancy.engagement_window(now)
    lapses_in_week_two = window.end - timedelta(days=3)
    provider = make_provider(certifications=(Certification("CISSP", lapses_in_week_two),))
    assert codes(provider, vacancy, now) == ["certification_expires:CISSP"]


def test_a_gap_in_availability_inside_the_window_excludes(make_provider, make_incident, now):
    with_gap = (
        TimeWindow(now - timedelta(hours=1), now + timedelta(hours=1)),
        TimeWindow(now + timedelta(hours=2), now + timedelta(hours=8)),
    )
    assert codes(make_provider(available=with_gap), make_incident(), now) == ["not_available_in_window"]


def test_touching_availability_windows_cover_the_window(make_provider, make_incident, now):
    touching = (
        TimeWindow(now - timedelta(hours=1), now + timedelta(hours=1)),
        TimeWindow(now + timedelta(hours=1), now + timedelta(hours=8)),
    )
    assert codes(make_provider(available=touching), make_incident(), now) == []


def test_an_on_call_shift_counts_as_availability(make_provider, make_incident, now):
    provider = make_provider(available=(), on_call_until=now + timedelta(hours=12))
    assert codes(provider, make_incident(expected_hours=4), now) == []
    assert codes(provider, make_incident(expected_hours=13), now) == ["not_available_in_window"]


def test_a_vacancy_needs_its_weekly_hours_in_every_week(make_provider, make_vacancy, now):
    vacancy = make_vacancy(hours_per_week=10, weeks=2)
    first_week, second_week = vacancy.week_windows()
    ten_hours_each_week = (
        TimeWindow(first_week.start + timedelta(hours=9), first_week.start + timedelta(hours=19)),
        TimeWindow(second_week.start + timedelta(hours=9), second_week.start + timedelta(hours=19)),
    )
    assert codes(make_provider(available=ten_hours_each_week), vacancy, now) == []
    nine_hours = TimeWindow(second_week.start, second_week.start + timedelta(hours=9))
    short_in_week_two = (ten_hours_each_week[0], nine_hours)
    assert codes(make_provider(available=short_in_week_two), vacancy, now) == ["not_available_in_window"]


def test_vacancy_weeks_past_the_snapshot_horizon_are_judged_by_the_weekly_pattern(make_provider, make_vacancy, now):
    # A 12-week CIO vacancy runs past the 60-day horizon of the precomputed availability.
    vacancy = make_vacancy(hours_per_week=10, weeks=12)
    horizon = now + timedelta(days=60)
    assert vacancy.week_windows()[-1].start > horizon
    assert codes(make_provider(horizon_until=horizon, weekly_hours=40), vacancy, now) == []
    assert codes(make_provider(horizon_until=horizon, weekly_hours=9.5), vacancy, now) == ["not_available_in_window"]
    # Without a horizon the availability is read as complete, as before.
    assert codes(make_provider(weekly_hours=40), vacancy, now) == ["not_available_in_window"]


def test_a_week_straddling_the_horizon_adds_the_pattern_for_its_unknown_part(make_provider, make_vacancy, now):
    vacancy = make_vacancy(hours_per_week=10, weeks=1)
    week = vacancy.week_windows()[0]
    horizon = week.start + week.duration / 2
    five_known = (TimeWindow(week.start + timedelta(hours=9), week.start + timedelta(hours=14)),)
    assert codes(make_provider(available=five_known, horizon_until=horizon, weekly_hours=10), vacancy, now) == []
    four_known = (TimeWindow(week.start + timedelta(hours=9), week.start + timedelta(hours=13)),)
    assert codes(make_provider(available=four_known, horizon_until=horizon, weekly_hours=10), vacancy, now) == [
        "not_available_in_window"
    ]
    # Availability listed past the horizon is not counted twice.
    late = (TimeWindow(horizon + timedelta(hours=1), horizon + timedelta(hours=30)),)
    assert codes(make_provider(available=late, horizon_until=horizon, weekly_hours=10), vacancy, now) == [
        "not_available_in_window"
    ]


def test_a_vacancy_window_runs_between_local_midnights(make_vacancy, now):
    window = make_vacancy(weeks=2, time_zone="America/Chicago").engagement_window(now)
    assert window.start == datetime(2026, 3, 16, 5, 0, tzinfo=UTC)  # CDT, UTC-5
    assert window.end == datetime(2026, 3, 30, 5, 0, tzinfo=UTC)


def test_an_incident_window_runs_from_now_for_the_expected_hours(make_incident, now):
    assert make_incident(expected_hours=3).engagement_window(now) == TimeWindow(now, now + timedelta(hours=3))


def test_an_overlapping_engagement_at_capacity_excludes(make_provider, make_incident, now):
    busy = ActiveEngagement("p-1", TimeWindow(now - timedelta(hours=1), now + timedelta(hours=1)))
    assert codes(make_provider(capacity=1), make_incident(), now, [busy]) == ["at_capacity"]


def test_engagements_of_other_providers_or_outside_the_window_do_not_count(make_provider, make_incident, now):
    someone_else = ActiveEngagement("p-2", TimeWindow(now, now + timedelta(hours=4)))
    ended_just_now = ActiveEngagement("p-1", TimeWindow(now - timedelta(hours=3), now))
    assert codes(make_provider(capacity=1), make_incident(), now, [someone_else, ended_just_now]) == []


def test_capacity_counts_simultaneous_engagements_not_all_in_the_window(make_provider, make_incident, now):
    morning = ActiveEngagement("p-1", TimeWindow(now, now + timedelta(hours=1)))
    afternoon = ActiveEngagement("p-1", TimeWindow(now + timedelta(hours=2), now + timedelta(hours=3)))
    assert codes(make_provider(capacity=2), make_incident(), now, [morning, afternoon]) == []
    overlapping = ActiveEngagement("p-1", TimeWindow(now + timedelta(minutes=30), now + timedelta(hours=5)))
    assert codes(make_provider(capacity=2), make_incident(), now, [morning, overlapping]) == ["at_capacity"]


def test_a_provider_with_zero_capacity_is_at_capacity(make_provider, make_incident, now):
    assert codes(make_provider(capacity=0), make_incident(), now) == ["at_capacity"]


def test_a_rate_above_the_cap_excludes_and_a_rate_at_the_cap_passes(make_provider, make_incident, now):
    assert codes(make_provider(hourly_rate_cents=20_001), make_incident(max_hourly_rate_cents=20_000), now) == [
        "rate_above_cap"
    ]
    assert codes(make_provider(hourly_rate_cents=20_000), make_incident(max_hourly_rate_cents=20_000), now) == []


def test_onsite_work_within_the_radius_passes(make_provider, make_incident, now):
    provider = make_provider(onsite_area=OnsiteArea(CHICAGO_LOOP, radius_km=50))
    assert codes(provider, make_incident(onsite=True, onsite_location=EVANSTON), now) == []


def test_onsite_work_beyond_the_radius_excludes(make_provider, make_incident, now):
    provider = make_provider(onsite_area=OnsiteArea(CHICAGO_LOOP, radius_km=50))
    reasons = exclusion_reasons(provider, make_incident(onsite=True, onsite_location=MILWAUKEE), now, [])
    assert [r.code for r in reasons] == ["outside_onsite_radius"]
    assert "50 km" in reasons[0].message


def test_onsite_work_for_a_remote_only_provider_excludes(make_provider, make_incident, now):
    assert codes(make_provider(onsite_area=None), make_incident(onsite=True, onsite_location=EVANSTON), now) == [
        "outside_onsite_radius"
    ]


def test_remote_work_ignores_the_onsite_radius(make_provider, make_incident, now):
    assert codes(make_provider(onsite_area=None), make_incident(onsite=False), now) == []


def test_a_declared_conflict_of_interest_excludes(make_provider, make_incident, now):
    provider = make_provider(conflict_agency_ids=frozenset({"a-requesting"}))
    assert codes(provider, make_incident(agency_id="a-requesting"), now) == ["conflict_of_interest"]
    assert codes(provider, make_incident(agency_id="a-other"), now) == []


def test_every_failing_constraint_is_reported_with_a_message(make_provider, make_incident, now):
    provider = make_provider(
        paused=True,
        roles=frozenset({Role.CIO}),
        hourly_rate_cents=99_999,
        available=(),
        conflict_agency_ids=frozenset({"a-requesting"}),
    )
    request = make_incident(
        required_certifications=frozenset({"CISSP"}), required_clearances=frozenset({Clearance.CJIS})
    )
    reasons = exclusion_reasons(provider, request, now, [])
    assert [r.code for r in reasons] == [
        "paused",
        "role_mismatch",
        "certification_missing:CISSP",
        "clearance_missing:cjis",
        "not_available_in_window",
        "rate_above_cap",
        "conflict_of_interest",
    ]
    assert all(reason.message for reason in reasons)
    assert reasons[1].to_dict() == {"code": "role_mismatch", "message": "does not work as ciso"}
