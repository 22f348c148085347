"""The live stream of request changes (server-sent events): an agency's own requests, or all for ops."""

import asyncio

from aiohttp import web

from taas_kit import jsonutil
from taas_kit.auth import ApiRole
from taas_kit.http.keys import SETTINGS
from taas_kit.http.routing import Call
from taas_requests.api.base import route
from taas_requests.hub import HUB


def sse_frame(change: dict) -> bytes:
    """One server-sent event: id (the timeline entry), event type, JSON data."""
    data = change.get("data", {})
    return (f"id: {data.get('timeline_id', '')}\nevent: {change.get('type', 'message')}\n"
            f"data: {jsonutil.dumps_str(change)}\n\n").encode()


@route("GET", "/v1/requests/stream", summary="Live stream of request changes (text/event-stream)",
       roles={ApiRole.AGENCY, ApiRole.OPS}, tags=("requests",))
async def stream_changes(call: Call) -> web.StreamResponse:
    hub = call.request.app[HUB]
    keepalive = call.request.app[SETTINGS].sse_keepalive_seconds
    sub = hub.subscribe(call.principal.tenant if call.principal.role is ApiRole.AGENCY else None)
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                       "X-Accel-Buffering": "no"})
    try:
        await resp.prepare(call.request)
        await resp.write(b"retry: 2000\n: connected\n\n")
        while True:
            try:
                change = await asyncio.wait_for(sub.queue.get(), keepalive)
            except asyncio.TimeoutError:
                await resp.write(b": keepalive\n\n")
                continue
            if change is None:
                break
            await resp.write(sse_frame(change))
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        hub.unsubscribe(sub)
    return resp
