"""The usage segments, the double-entry ledger lines and the budget alerts: written once, never changed."""

from collections.abc import Sequence
from typing import Any

import asyncpg

_SEGMENT_COLUMNS = (
    "usage_id", "segment_key", "assignment_id", "segment_index", "kind", "request_id", "agency_id", "provider_id",
    "lending_jurisdiction_id", "payee_account", "month", "segment_start", "segment_end", "billed_microseconds",
    "rate_cents", "multiplier", "amount_cents", "fee_cents", "rate_rules_version", "source_event_id",
)
_LINE_COLUMNS = ("segment_key", "account", "debit_cents", "credit_cents", "usage_id", "assignment_id", "agency_id",
                 "month", "source_event_id")


def _insert(table: str, columns: Sequence[str]) -> str:
    values = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    # No ON CONFLICT: a second copy of a segment or line must fail loudly, never be absorbed.
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"


_INSERT_SEGMENT = _insert("usage_segments", _SEGMENT_COLUMNS)
_INSERT_LINE = _insert("ledger_lines", _LINE_COLUMNS)


async def add_segments(conn: asyncpg.Connection, segments: list[dict[str, Any]]) -> None:
    """Insert usage segments (a duplicate segment key or usage id raises UniqueViolationError)."""
    if segments:
        await conn.executemany(_INSERT_SEGMENT, [tuple(s[c] for c in _SEGMENT_COLUMNS) for s in segments])


async def add_lines(conn: asyncpg.Connection, lines: list[dict[str, Any]]) -> None:
    """Insert ledger lines (a second line for a (segment, account) raises UniqueViolationError)."""
    if lines:
        await conn.executemany(_INSERT_LINE, [tuple(line[c] for c in _LINE_COLUMNS) for line in lines])


async def month_charges(conn: asyncpg.Connection, agency_id: str, month: str) -> int:
    """What an agency has been charged in one of its months, in cents."""
    return await conn.fetchval(
        "SELECT coalesce(sum(amount_cents), 0)::bigint FROM usage_segments WHERE agency_id = $1 AND month = $2",
        agency_id, month,
    )


async def raised_alerts(conn: asyncpg.Connection, agency_id: str, month: str) -> list[asyncpg.Record]:
    """The budget alerts already raised for an agency-month."""
    return await conn.fetch(
        "SELECT * FROM budget_alerts WHERE agency_id = $1 AND month = $2 ORDER BY threshold_percent",
        agency_id, month,
    )


async def add_alert(conn: asyncpg.Connection, *, agency_id: str, month: str, threshold_percent: int,
                    total_cents: int, cap_cents: int, event_id: str, source_event_id: str) -> bool:
    """Record a raised alert; False if that threshold was already raised for the agency-month."""
    row = await conn.fetchval(
        """INSERT INTO budget_alerts (agency_id, month, threshold_percent, total_cents, cap_cents, event_id,
                                      source_event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING 1""",
        agency_id, month, threshold_percent, total_cents, cap_cents, event_id, source_event_id,
    )
    return row is not None
