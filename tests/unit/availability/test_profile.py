"""Profile numbers and roles are checked field by field."""

from taas_availability.domain.problems import FieldProblem
from taas_availability.domain.profile import validate_profile_terms


def test_sound_terms_have_no_problems() -> None:
    assert (
        validate_profile_terms(
            hourly_rate_cents=1, max_concurrent_engagements=1, onsite_radius_km=0, roles=["ciso"]
        )
        == []
    )


def test_each_bad_term_is_named() -> None:
    assert validate_profile_terms(
        hourly_rate_cents=0, max_concurrent_engagements=0, onsite_radius_km=-1, roles=[]
    ) == [
        FieldProblem("hourly_rate_cents", "must be a positive number of cents"),
        FieldProblem("max_concurrent_engagements", "must be at least 1"),
        FieldProblem("onsite_radius_km", "must not be negative"),
        FieldProblem("roles", "must name at least one role"),
    ]


def test_an_unknown_role_is_named_by_position() -> None:
    assert validate_profile_terms(
        hourly_rate_cents=15_000, max_concurrent_engagements=2, onsite_radius_km=80, roles=["cio", "wizard"]
    ) == [FieldProblem("roles[1]", "unknown role 'wizard'")]
