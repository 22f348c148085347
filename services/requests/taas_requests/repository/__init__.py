"""SQL (asyncpg) for the requests service's tables, one module per aggregate."""
