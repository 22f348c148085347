"""Settings every service shares, read from the environment (pydantic-settings, one env prefix per service)."""

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from taas_contracts.topics import Topic


class ServiceSettings(BaseSettings):
    """Common settings; a service subclasses this with its own env prefix (e.g. TAAS_REQUESTS_)."""

    model_config = SettingsConfigDict(env_prefix="TAAS_", extra="ignore")

    service_name: str = "taas"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    database_url: str = Field(
        "postgresql://taas:taas@127.0.0.1:54329/taas",
        validation_alias=AliasChoices("database_url", "DATABASE_URL"),
    )
    db_schema: str = "public"
    db_pool_min: int = 2
    db_pool_max: int = 10
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias=AliasChoices("kafka_bootstrap_servers", "KAFKA_BOOTSTRAP_SERVERS")
    )
    auth_secret: str = Field(
        "taas-dev-secret-change-me", validation_alias=AliasChoices("auth_secret", "TAAS_AUTH_SECRET")
    )
    max_body_bytes: int = 256 * 1024
    log_level: str = "INFO"
    log_json: bool | None = None
    outbox_poll_seconds: float = 1.0
    consumer_group: str | None = None
    topic_prefix: str = Field("", validation_alias=AliasChoices("topic_prefix", "TAAS_TOPIC_PREFIX"))

    def topic(self, topic: Topic | str) -> str:
        """The real Kafka name of a registry topic (tests isolate themselves with a prefix)."""
        return self.topic_prefix + (topic.name if isinstance(topic, Topic) else topic)

    def group(self) -> str:
        """The consumer group of this service."""
        return self.consumer_group or f"taas-{self.service_name}"
