"""Event and API contracts shared by every taas service (depends on pydantic only)."""
