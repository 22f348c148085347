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
    config_file: Path | None = Field(None, description="JSON file with `scoring`, `offer_policy`, `matching`.")
    scoring: dict[str, Any] = Field(default_factory=dict, description="`{weights: {...}, curves: {...}}` (JSON).")
    offer_policy: dict[str, Any] = Field(default_factory=dict, description="Per severity / vacancy (JSON).")
    matching: dict[str, Any] = Field(default_factory=dict, description="Pool and sample sizes (JSON).")
    timer_poll_seconds: float = 0.2
    timer_batch: int = 100
