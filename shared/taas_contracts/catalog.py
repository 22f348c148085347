"""Closed vocabularies every service agrees on: roles, severities, request kinds, clearances."""

from enum import StrEnum


class Role(StrEnum):
    """A kind of work a provider can be dispatched for."""

    CISO = "ciso"
    CIO = "cio"
    INCIDENT_RESPONDER = "incident_responder"
    SECURITY_ENGINEER = "security_engineer"
    NETWORK_ENGINEER = "network_engineer"
    ONCALL_ENGINEER = "oncall_engineer"
    SYSTEMS_ADMINISTRATOR = "systems_administrator"
    GIS_ANALYST = "gis_analyst"


class Severity(StrEnum):
    """How urgent an incident is; sets the offer policy and the response-time target."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class RequestKind(StrEnum):
    """An incident needs someone now; a vacancy needs someone for weeks."""

    INCIDENT = "incident"
    VACANCY = "vacancy"


class Clearance(StrEnum):
    """Background clearances agencies may require."""

    CJIS = "cjis"
    STATE_BACKGROUND = "state_background"
    IRS_1075 = "irs_1075"
    HIPAA = "hipaa"


class RequestStatus(StrEnum):
    """Where a coverage request stands, as agencies see it."""

    SUBMITTED = "submitted"
    MATCHING = "matching"
    OFFERED = "offered"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    UNFILLED = "unfilled"
    CANCELLED = "cancelled"
