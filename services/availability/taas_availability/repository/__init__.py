"""SQL of the availability service's tables (asyncpg)."""
