"""What every use case needs besides a connection: the settings and the dispatch configuration."""

from dataclasses import dataclass

from taas_dispatch.config import DispatchConfig
from taas_dispatch.settings import DispatchSettings


@dataclass(frozen=True, slots=True)
class Deps:
    """Settings and configuration, built once per process."""

    settings: DispatchSettings
    config: DispatchConfig
