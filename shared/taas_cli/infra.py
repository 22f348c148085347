"""Where Kafka and PostgreSQL are: given by the environment, or started locally."""

import asyncio
import os
from dataclasses import dataclass

from taas_deploy import kafka, postgres
from taas_deploy.errors import InfraError


@dataclass(frozen=True, slots=True)
class Infra:
    """Addresses of the broker and database, and whether we started them."""

    bootstrap: str
    admin_dsn: str
    local_kafka: bool
    local_postgres: bool

    def service_dsn(self, service: str) -> str:
        """The DSN a service connects with: its own role locally, DATABASE_URL otherwise."""
        return postgres.service_url(service) if self.local_postgres else self.admin_dsn


def ensure(say=print) -> Infra:
    """Use KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL when set, else start the local ones (idempotent)."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap:
        if not asyncio.run(kafka.is_healthy(bootstrap)):
            raise InfraError(f"KAFKA_BOOTSTRAP_SERVERS={bootstrap} does not answer a metadata request: start it or unset it")
        say(f"  kafka      using {bootstrap} (KAFKA_BOOTSTRAP_SERVERS)")
    else:
        bootstrap = kafka.up(say)
    dsn = os.environ.get("DATABASE_URL")
    if dsn:
        say("  postgres   using DATABASE_URL")
    else:
        dsn = postgres.up(say)
    return Infra(bootstrap, dsn, not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), not os.environ.get("DATABASE_URL"))


def current() -> Infra:
    """The addresses without starting anything."""
    return Infra(
        os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or kafka.bootstrap(),
        os.environ.get("DATABASE_URL") or postgres.admin_url(),
        not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"),
        not os.environ.get("DATABASE_URL"),
    )
