"""PostgreSQL connection pools: one per service, its schema first on the search path, JSON via orjson."""

import asyncpg

from taas_kit import jsonutil


async def init_connection(conn: asyncpg.Connection) -> None:
    """Decode and encode json/jsonb with orjson."""
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=jsonutil.dumps_str, decoder=jsonutil.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without asyncpg's reset query: pool connections never LISTEN, SET or take session locks."""


async def create_pool(dsn: str, schema: str, *, min_size: int = 2, max_size: int = 10, name: str = "taas") -> asyncpg.Pool:
    """Open a pool whose connections see `schema` first."""
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=init_connection,
        # asyncpg still rolls back an open transaction on release; skipping its reset query (UNLISTEN, RESET ALL,
        # advisory unlock) saves a round trip per checkout. LISTEN and session locks use dedicated connections.
        reset=_keep_session,
        # jit off: every query here is short OLTP work, and LLVM compilation (triggered by cost estimates on large
        # tables, e.g. the candidate query at 100,000 providers) costs tens of milliseconds per execution.
        server_settings={"search_path": f"{schema},public", "application_name": name, "jit": "off"},
        command_timeout=30,
    )
