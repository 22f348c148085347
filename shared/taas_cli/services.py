"""The table of taas services: name, module, default port, and whether its code exists yet."""

import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """One service process."""

    name: str
    port: int

    @property
    def module(self) -> str:
        """The Python module that runs it (`python -m taas_<name>`)."""
        return f"taas_{self.name}"

    @property
    def schema(self) -> str:
        """Its PostgreSQL schema."""
        return f"taas_{self.name}"

    @property
    def env_prefix(self) -> str:
        """Prefix of its environment variables."""
        return f"TAAS_{self.name.upper()}_"

    def exists(self) -> bool:
        """True once the service has an entry point."""
        return importlib.util.find_spec(f"{self.module}.__main__") is not None

    def migrations_dir(self):
        """Folder of its SQL migrations."""
        from pathlib import Path

        return Path(importlib.util.find_spec(self.module).origin).parent / "migrations"


SERVICES = (
    ServiceSpec("requests", 8081),
    ServiceSpec("availability", 8082),
    ServiceSpec("dispatch", 8083),
    ServiceSpec("billing", 8084),
)


def existing() -> list[ServiceSpec]:
    """The services whose code exists."""
    return [s for s in SERVICES if s.exists()]
