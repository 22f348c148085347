"""Settings of the availability service (env prefix TAAS_AVAILABILITY_)."""

from pydantic_settings import SettingsConfigDict

from taas_kit.settings import ServiceSettings


class AvailabilitySettings(ServiceSettings):
    """Everything the availability service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="TAAS_AVAILABILITY_", extra="ignore")

    service_name: str = "availability"
    http_port: int = 8082
    db_schema: str = "taas_availability"
    # How far ahead each snapshot's merged availability reaches.
    horizon_days: int = 60
    # A snapshot is republished once its horizon is this much shorter than horizon_days (so about daily).
    horizon_slack_hours: float = 24.0
    refresh_period_seconds: float = 3600.0
    refresh_batch_size: int = 200
    credential_warning_days: int = 30
    credential_check_period_seconds: float = 3600.0
    page_size_default: int = 50
    page_size_max: int = 200
    max_exceptions_per_provider: int = 500
