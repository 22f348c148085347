"""Local infrastructure for taas: Kafka and PostgreSQL without Docker."""
