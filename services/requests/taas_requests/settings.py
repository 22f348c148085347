"""Settings of the requests service (env prefix TAAS_REQUESTS_)."""

from typing import NamedTuple

from pydantic_settings import SettingsConfigDict

from taas_kit.settings import ServiceSettings


class Channels(NamedTuple):
    """The NOTIFY channels of committed changes: every change (the live stream), and changes that queued deliveries."""

    changes: str
    webhooks: str


class RequestsSettings(ServiceSettings):
    """Everything the requests service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="TAAS_REQUESTS_", extra="ignore")

    service_name: str = "requests"
    http_port: int = 8081
    db_schema: str = "taas_requests"
    page_size_default: int = 50
    page_size_max: int = 100
    incident_default_hours: float = 8.0
    webhook_poll_seconds: float = 1.0
    webhook_timeout_seconds: float = 5.0
    webhook_retry_base_seconds: float = 1.0
    webhook_retry_cap_seconds: float = 60.0
    webhook_max_attempts: int = 8
    webhook_batch_size: int = 50
    webhook_lease_seconds: float = 30.0
    webhook_coalesce_seconds: float = 0.02  # after a wake-up, wait this long so a burst of changes is one claim
    sse_keepalive_seconds: float = 15.0
    consumer_commit_interval_ms: int = 500  # handled offsets committed at most this often (0: after every batch)
    consumer_together: bool = True  # a fetch's events in one transaction (one BEGIN, inbox, COMMIT)
    # Dispatch events only move what agencies see (status, timeline, webhooks): letting the broker gather up to
    # 50 ms of them makes one transaction of several at little cost, off the path from POST to offer.
    consumer_fetch_max_wait_ms: int = 50
    consumer_fetch_min_bytes: int = 65536

    def channels(self) -> Channels:
        """The NOTIFY channels of this schema: every committed change, and the webhook sender's wake-up."""
        return Channels(f"taas_requests_changes_{self.db_schema}"[:63], f"taas_requests_webhooks_{self.db_schema}"[:63])
