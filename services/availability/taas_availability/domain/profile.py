"""Checks of a provider profile's numbers and lists, by field path."""

from collections.abc import Sequence

from taas_contracts.catalog import Role

from taas_availability.domain.problems import FieldProblem


def validate_profile_terms(
    *,
    hourly_rate_cents: int,
    max_concurrent_engagements: int,
    onsite_radius_km: int,
    roles: Sequence[str],
) -> list[FieldProblem]:
    """Problems with a profile's rate, capacity, radius and roles; empty if they are valid."""
    problems: list[FieldProblem] = []
    if hourly_rate_cents <= 0:
        problems.append(FieldProblem("hourly_rate_cents", "must be a positive number of cents"))
    if max_concurrent_engagements < 1:
        problems.append(FieldProblem("max_concurrent_engagements", "must be at least 1"))
    if onsite_radius_km < 0:
        problems.append(FieldProblem("onsite_radius_km", "must not be negative"))
    if not roles:
        problems.append(FieldProblem("roles", "must name at least one role"))
    known_roles = tuple(Role)
    for index, role in enumerate(roles):
        if role not in known_roles:
            problems.append(FieldProblem(f"roles[{index}]", f"unknown role {role!r}"))
    return problems
