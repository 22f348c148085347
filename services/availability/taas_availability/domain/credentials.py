"""Certifications and clearances that expire, and which of them need attention soon.

`expires_on` is the last day a credential is valid; None means it does not expire.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from taas_contracts.catalog import Clearance

from taas_availability.domain.problems import FieldProblem


@dataclass(frozen=True, slots=True)
class Certification:
    """A professional certification (CISSP from ISC2, ...), valid through `expires_on`."""

    name: str
    issuer: str
    expires_on: date | None

    @property
    def label(self) -> str:
        """A stable, human-readable key: 'certification:CISSP (ISC2)'."""
        return f"certification:{self.name} ({self.issuer})"


@dataclass(frozen=True, slots=True)
class ClearanceGrant:
    """A background clearance the provider holds (CJIS, ...), valid through `expires_on`."""

    kind: Clearance
    expires_on: date | None

    @property
    def label(self) -> str:
        """A stable, human-readable key: 'clearance:cjis'."""
        return f"clearance:{self.kind.value}"


Credential = Certification | ClearanceGrant


@dataclass(frozen=True, slots=True)
class ExpiringCredential:
    """A credential that has expired or expires within the warning horizon."""

    credential: Credential
    expires_on: date
    days_left: int

    @property
    def expired(self) -> bool:
        """True once the last valid day has passed."""
        return self.days_left < 0


def valid_through(credential: Credential, until_date: date) -> bool:
    """True iff the credential is still valid on `until_date` (and so on every day before it)."""
    return credential.expires_on is None or credential.expires_on >= until_date


def expiring_credentials(
    credentials: Iterable[Credential], today: date, horizon_days: int
) -> list[ExpiringCredential]:
    """Credentials expired or expiring within `horizon_days` of `today`, soonest first."""
    if horizon_days < 0:
        raise ValueError("horizon_days must not be negative")
    found = [
        ExpiringCredential(credential, credential.expires_on, (credential.expires_on - today).days)
        for credential in credentials
        if credential.expires_on is not None
        and (credential.expires_on - today).days <= horizon_days
    ]
    return sorted(found, key=lambda item: (item.expires_on, item.credential.label))


def validate_certifications(certifications: Iterable[Certification]) -> list[FieldProblem]:
    """Problems with certification entries (blank names or issuers, duplicates), by field path."""
    problems: list[FieldProblem] = []
    seen: dict[tuple[str, str], int] = {}
    for index, certification in enumerate(certifications):
        path = f"certifications[{index}]"
        if not certification.name.strip():
            problems.append(FieldProblem(f"{path}.name", "must not be blank"))
        if not certification.issuer.strip():
            problems.append(FieldProblem(f"{path}.issuer", "must not be blank"))
        key = (certification.name.strip().casefold(), certification.issuer.strip().casefold())
        if key in seen:
            problems.append(FieldProblem(path, f"duplicates certifications[{seen[key]}]"))
        else:
            seen[key] = index
    return problems


def validate_clearances(clearances: Iterable[ClearanceGrant]) -> list[FieldProblem]:
    """Problems with clearance entries (unknown kinds, duplicates), by field path."""
    problems: list[FieldProblem] = []
    seen: dict[str, int] = {}
    for index, grant in enumerate(clearances):
        path = f"clearances[{index}]"
        if grant.kind not in tuple(Clearance):
            known = ", ".join(repr(kind.value) for kind in Clearance)
            problems.append(FieldProblem(f"{path}.kind", f"kind must be one of {known}"))
        elif grant.kind in seen:
            problems.append(FieldProblem(path, f"duplicates clearances[{seen[grant.kind]}]"))
        else:
            seen[grant.kind] = index
    return problems
