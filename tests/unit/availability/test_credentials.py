"""Credential expiry: what needs attention within a horizon, and what is valid through a date."""

from datetime import date

import pytest

from taas_contracts.catalog import Clearance

from taas_availability.domain.credentials import (
    Certification,
    ClearanceGrant,
    expiring_credentials,
    valid_through,
    validate_certifications,
    validate_clearances,
)
from taas_availability.domain.problems import FieldProblem

TODAY = date(2027, 7, 1)
CISSP = Certification("CISSP", "ISC2", date(2027, 7, 31))  # 30 days left
GCIH = Certification("GCIH", "GIAC", date(2027, 8, 1))  # 31 days left
CISM = Certification("CISM", "ISACA", date(2027, 6, 30))  # expired yesterday
LIFETIME = Certification("CCNA Lifetime", "Cisco", None)
CJIS = ClearanceGrant(Clearance.CJIS, date(2027, 7, 1))  # last valid day is today
IRS = ClearanceGrant(Clearance.IRS_1075, date(2028, 1, 1))


def test_expiring_within_the_horizon_or_already_expired_soonest_first() -> None:
    found = expiring_credentials([IRS, GCIH, CISSP, LIFETIME, CJIS, CISM], TODAY, 30)
    assert [item.credential for item in found] == [CISM, CJIS, CISSP]
    assert [item.days_left for item in found] == [-1, 0, 30]
    assert [item.expired for item in found] == [True, False, False]


def test_the_horizon_edge_is_inclusive_and_zero_means_today_only() -> None:
    assert [item.credential for item in expiring_credentials([GCIH], TODAY, 31)] == [GCIH]
    assert expiring_credentials([GCIH], TODAY, 30) == []
    assert [item.credential for item in expiring_credentials([CJIS, CISM, CISSP], TODAY, 0)] == [CISM, CJIS]


def test_credentials_that_never_expire_never_warn() -> None:
    assert expiring_credentials([LIFETIME], TODAY, 100_000) == []


def test_a_negative_horizon_is_refused() -> None:
    with pytest.raises(ValueError, match="horizon_days"):
        expiring_credentials([CISSP], TODAY, -1)


def test_valid_through_includes_the_expiry_day() -> None:
    assert valid_through(CISSP, date(2027, 7, 31))
    assert not valid_through(CISSP, date(2027, 8, 1))
    assert valid_through(CJIS, TODAY)
    assert not valid_through(CISM, TODAY)
    assert valid_through(LIFETIME, date(2100, 1, 1))


def test_labels_tell_credentials_apart() -> None:
    assert CISSP.label == "certification:CISSP (ISC2)"
    assert CJIS.label == "clearance:cjis"


def test_certification_entries_are_validated_by_path() -> None:
    entries = [CISSP, Certification(" ", "GIAC", None), Certification("cissp", "isc2 ", None)]
    assert validate_certifications(entries) == [
        FieldProblem("certifications[1].name", "must not be blank"),
        FieldProblem("certifications[2]", "duplicates certifications[0]"),
    ]


def test_clearance_entries_are_validated_by_path() -> None:
    unknown = ClearanceGrant("top_secret", None)  # type: ignore[arg-type]
    entries = [CJIS, unknown, ClearanceGrant(Clearance.CJIS, None)]
    problems = validate_clearances(entries)
    assert [problem.field for problem in problems] == ["clearances[1].kind", "clearances[2]"]
    assert problems[1].message == "duplicates clearances[0]"
    assert validate_clearances([CJIS, IRS]) == []
