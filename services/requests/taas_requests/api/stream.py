"""The live stream of request changes (server-sent events): an agency's own requests, or all for ops."""

from aiohttp import web

from taas_kit.auth import ApiRole
from taas_kit.http import sse
from taas_kit.http.keys import SETTINGS
from taas_kit.http.routing import Call
from taas_requests.api.base import route
from taas_requests.hub import HUB


def sse_frame(change: dict) -> bytes:
    """One server-sent event: id (the timeline entry), event type, JSON data."""
    return sse.frame(change.get("data", {}).get("timeline_id", ""), change.get("type", "message"), change)


@route("GET", "/v1/requests/stream", summary="Live stream of request changes (text/event-stream)",
       roles={ApiRole.AGENCY, ApiRole.OPS}, tags=("requests",))
async def stream_changes(call: Call) -> web.StreamResponse:
    hub = call.request.app[HUB]
    sub = hub.subscribe(call.principal.tenant if call.principal.role is ApiRole.AGENCY else None)

    async def next_frame() -> bytes | None:
        change = await sub.queue.get()
        return None if change is None else sse_frame(change)

    try:
        return await sse.serve(call.request, next_frame, call.request.app[SETTINGS].sse_keepalive_seconds)
    finally:
        hub.unsubscribe(sub)
