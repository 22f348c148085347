"""Billing settings, read from the environment with the TAAS_BILLING_ prefix."""

from pydantic_settings import SettingsConfigDict

from taas_kit.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    """Settings of the billing service."""

    model_config = SettingsConfigDict(env_prefix="TAAS_BILLING_", extra="ignore")

    service_name: str = "billing"
    http_port: int = 8084
    db_schema: str = "taas_billing"
    consumer_name: str = "billing"
    consumer_batch: int = 200
    currency: str = "USD"
