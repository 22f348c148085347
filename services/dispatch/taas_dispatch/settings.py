"""Dispatch settings, read from the environment with the TAAS_DISPATCH_ prefix."""

from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from taas_kit.settings import ServiceSettings


class DispatchSettings(ServiceSettings):
    """Settings of the dispatch service; weights, curves and offer policies may also come from a JSON file."""

    model_config = SettingsConfigDict(env_prefix="TAAS_DISPATCH_", extra="ignore")

    service_name: str = "dispatch"
    http_port: int = 8083
    db_schema: str = "taas_dispatch"
    db_pool_max: int = 20
    consumer_name: str = "dispatch"
    consumer_batch: int = 200
    parallel_partitions: bool = True
    consumer_commit_interval_ms: int = Field(500, description="Commit handled offsets at most this often (0: per batch).")
    consumer_fetch_max_wait_ms: int = 100
    consumer_fetch_min_bytes: int = 1
    config_file: Path | None = Field(None, description="JSON file with `scoring`, `offer_policy`, `matching`.")
    scoring: dict[str, Any] = Field(default_factory=dict, description="`{weights: {...}, curves: {...}}` (JSON).")
    offer_policy: dict[str, Any] = Field(default_factory=dict, description="Per severity / vacancy (JSON).")
    matching: dict[str, Any] = Field(default_factory=dict, description="Pool and sample sizes (JSON).")
    timer_poll_seconds: float = 0.2
    timer_batch: int = 100
