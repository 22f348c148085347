"""The time zones of active agencies, remembered per process: a hint the submission's statement checks."""

from aiohttp import web


class AgencyZones:
    """Agency id → IANA time zone of agencies seen active; a stale entry only costs a submission one retry."""

    def __init__(self) -> None:
        self._zones: dict[str, str] = {}

    def get(self, agency_id: str) -> str | None:
        """The remembered zone, or None."""
        return self._zones.get(agency_id)

    def remember(self, agency_id: str, time_zone: str) -> None:
        """Remember an active agency's zone."""
        self._zones[agency_id] = time_zone

    def forget(self, agency_id: str) -> None:
        """Drop an agency that is unknown or offboarded."""
        self._zones.pop(agency_id, None)


ZONES = web.AppKey("agency_zones", AgencyZones)
