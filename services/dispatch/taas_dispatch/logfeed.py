"""The live dispatch log: one LISTEN connection per process fans new records out to SSE subscribers."""

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import asyncpg

from taas_kit import db
from taas_kit.logging import get_logger

log = get_logger("taas.dispatch.logfeed")

_QUEUE_SIZE = 1000


class LogFeed:
    """Tails the dispatch_log table (woken by NOTIFY, polling as a fallback) for every subscriber."""

    def __init__(self, dsn: str, schema: str, channel: str, poll_seconds: float = 1.0) -> None:
        self.dsn, self.schema, self.channel, self.poll_seconds = dsn, schema, channel, poll_seconds
        self._subscribers: set[asyncio.Queue] = set()
        self._wake = asyncio.Event()
        self.last_id = 0

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[asyncio.Queue]:
        """A queue of new records (dicts) until the context ends; a slow reader loses the oldest."""
        queue: asyncio.Queue = asyncio.Queue(_QUEUE_SIZE)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    async def run(self) -> None:
        """Follow the table until cancelled."""
        conn = await asyncpg.connect(self.dsn, server_settings={"search_path": self.schema})
        try:
            await db.init_connection(conn)
            await conn.add_listener(self.channel, lambda *_: self._wake.set())
            self.last_id = await conn.fetchval("SELECT coalesce(max(id), 0) FROM dispatch_log")
            loop = asyncio.get_running_loop()
            moved_at = loop.time()
            while True:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                self._wake.clear()
                if self._subscribers:
                    await self._drain(conn)
                elif loop.time() - moved_at >= self.poll_seconds:
                    # Nobody listens: move the mark at most once per poll rather than once per committed change
                    # (a new subscriber may then get up to a poll's worth of records from just before it came).
                    moved_at = loop.time()
                    self.last_id = await conn.fetchval("SELECT coalesce(max(id), 0) FROM dispatch_log")
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    async def _drain(self, conn: asyncpg.Connection) -> None:
        while True:
            rows = await conn.fetch("SELECT * FROM dispatch_log WHERE id > $1 ORDER BY id LIMIT 500", self.last_id)
            for row in rows:
                self._publish(record_dict(row))
                self.last_id = row["id"]
            if len(rows) < 500:
                return

    def _publish(self, record: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(record)


def record_dict(row: asyncpg.Record) -> dict[str, Any]:
    """A dispatch-log row as API JSON."""
    return {
        "id": row["id"], "record_id": row["record_id"], "request_id": row["request_id"],
        "agency_id": row["agency_id"], "provider_id": row["provider_id"], "step": row["step"],
        "summary": row["summary"], "detail": row["detail"], "at": row["at"].isoformat(),
    }
