"""SQL (asyncpg) for the billing tables; one module per group of tables."""
