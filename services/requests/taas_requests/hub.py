"""In-process fan-out of committed request changes to live streams and to the webhook sender.

Each change NOTIFYs a channel inside its transaction; PostgreSQL delivers the notification only at commit,
so listeners never see a rolled-back change. One LISTEN connection per process feeds every subscriber. A change
that queued webhook deliveries also NOTIFYs the webhooks channel, which wakes the webhook sender.
A stream only sees changes committed while it is connected (no replay from a Last-Event-ID).
"""

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiohttp import web

from taas_kit import db, jsonutil
from taas_kit.http.keys import SETTINGS
from taas_kit.logging import get_logger

log = get_logger("taas.requests.hub")

QUEUE_SIZE = 1000


@dataclass(eq=False)
class Subscription:
    """One live stream: the changes of one agency (or of all, for ops)."""

    agency_id: str | None
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: int = 0


class ChangeHub:
    """Subscribers and wakers of committed changes."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._wakers: list[asyncio.Event] = []
        self.connected = asyncio.Event()

    def subscribe(self, agency_id: str | None) -> Subscription:
        """Start receiving the changes of an agency (None: every agency)."""
        sub = Subscription(agency_id)
        self._subscriptions.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Stop receiving changes."""
        self._subscriptions.discard(sub)

    def waker(self) -> asyncio.Event:
        """An event set whenever a committed change queued webhook deliveries (the webhook sender waits on it)."""
        event = asyncio.Event()
        self._wakers.append(event)
        return event

    def wake(self) -> None:
        """Tell the wakers' owners that deliveries were queued."""
        for waker in self._wakers:
            waker.set()

    def publish(self, change: dict[str, Any]) -> None:
        """Hand a committed change to every interested subscriber; a stream too slow to keep up loses changes."""
        for sub in list(self._subscriptions):
            if sub.agency_id is not None and sub.agency_id != change.get("agency_id"):
                continue
            try:
                sub.queue.put_nowait(change)
            except asyncio.QueueFull:
                sub.dropped += 1

    def close(self) -> None:
        """End every stream (at shutdown)."""
        for sub in list(self._subscriptions):
            with contextlib.suppress(asyncio.QueueFull):
                sub.queue.put_nowait(None)


HUB = web.AppKey("hub", ChangeHub)


async def listen(app: web.Application) -> None:
    """LISTEN to the changes and webhooks channels and hand every notification to the hub (restarted if it fails)."""
    settings, hub = app[SETTINGS], app[HUB]
    conn = await asyncpg.connect(settings.database_url, server_settings={"search_path": settings.db_schema})
    lost = asyncio.Event()
    try:
        await db.init_connection(conn)
        conn.add_termination_listener(lambda *_: lost.set())

        def on_notify(_conn, _pid, _channel, payload: str) -> None:
            try:
                hub.publish(jsonutil.loads(payload))
            except ValueError:
                log.warning("unreadable change notification", payload=payload[:200])

        channels = settings.channels()
        await conn.add_listener(channels.changes, on_notify)
        await conn.add_listener(channels.webhooks, lambda *_: hub.wake())
        hub.connected.set()
        await lost.wait()
        raise ConnectionError("change listener connection lost")
    finally:
        hub.connected.clear()
        with contextlib.suppress(Exception):
            await conn.close()
