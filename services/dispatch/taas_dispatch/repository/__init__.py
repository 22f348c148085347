"""SQL (asyncpg) for dispatch's tables, one module per table group."""
