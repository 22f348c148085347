"""Server-sent event streams: one loop for every live feed, where a client that leaves is normal, not an error."""

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from taas_kit import jsonutil
from taas_kit.logging import get_logger

log = get_logger("taas.http.sse")
HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
RETRY_MS = 2000


def frame(event_id: object, event: str, data: object) -> bytes:
    """One event: its id (what `Last-Event-ID` resumes from), its type and its JSON data."""
    return f"id: {event_id}\nevent: {event}\ndata: ".encode() + jsonutil.dumps(data) + b"\n\n"


async def serve(request: web.Request, next_frame: Callable[[], Awaitable[bytes | None]], keepalive_seconds: float,
                backlog: bytes = b"") -> web.StreamResponse:
    """Stream `next_frame()` results (b"" skips, None ends) with keep-alives until the client goes away."""
    resp = web.StreamResponse(headers=HEADERS)
    try:
        await resp.prepare(request)
        await resp.write(f"retry: {RETRY_MS}\n".encode() + backlog + b": connected\n\n")
        while True:
            try:
                data = await asyncio.wait_for(next_frame(), keepalive_seconds)
            except TimeoutError:
                await resp.write(b": keep-alive\n\n")
                continue
            if data is None:
                break
            if data:
                await resp.write(data)
    except ConnectionResetError:  # aiohttp's ClientConnectionResetError too: the tab was closed
        log.debug("stream client went away", path=request.path)
    return resp
