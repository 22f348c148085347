"""Routes for ops: manual assignment, the dispatch log (paged and live), unfilled requests."""

from functools import cache
from pathlib import Path

from aiohttp import web

from taas_dispatch.api.common import api, deps_of, now, transaction
from taas_dispatch.api.models import (
    LogPage,
    LogQuery,
    LogRecordRead,
    ManualAssignCreate,
    ManualAssignRead,
    StreamQuery,
    UnfilledQuery,
    UnfilledRead,
)
from taas_dispatch.handlers import ops
from taas_dispatch.keys import FEED
from taas_dispatch.logfeed import record_dict
from taas_dispatch.repository import log as log_repo
from taas_dispatch.repository import requests as request_repo
from taas_kit.auth import ApiRole
from taas_kit.http.keys import POOL
from taas_kit.http import sse
from taas_kit.http.routing import Call

OPS = {ApiRole.OPS}
HEARTBEAT_SECONDS = 15.0
DASHBOARD = Path(__file__).parent.parent / "static" / "dashboard.html"


@cache
def _dashboard_page() -> bytes:
    return DASHBOARD.read_bytes()


@api.route("GET", "/dashboard", summary="The ops dashboard (a static page; its data calls need an ops token)",
           tags=("ops",))
async def dashboard(call: Call) -> web.Response:
    return web.Response(body=_dashboard_page(), content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-cache"})


@api.route("POST", "/v1/requests/{request_id}/assign", summary="Assign a provider by hand (logged as an override)",
           roles=OPS, body=ManualAssignCreate, response=ManualAssignRead, status=201, tags=("ops",),
           extra_responses={404: "No such request or provider", 409: "Closed, already assigned, or no free slot"})
async def assign(call: Call) -> ManualAssignRead:
    b = call.body
    async with transaction(call) as conn:
        assignment_id = await ops.assign_manually(conn, deps_of(call), call.path["request_id"], b.provider_id,
                                                  b.reason, call.principal.subject, now())
    return ManualAssignRead(request_id=call.path["request_id"], assignment_id=assignment_id)


@api.route("GET", "/v1/dispatch-log", summary="Dispatch decisions, newest first, with filters and a cursor",
           roles=OPS, query=LogQuery, response=LogPage, tags=("ops",))
async def dispatch_log(call: Call) -> LogPage:
    q = call.query
    async with call.request.app[POOL].acquire() as conn:
        rows = await log_repo.page(conn, request_id=q.request_id, provider_id=q.provider_id, agency_id=q.agency_id,
                                   since=q.since, until=q.until, before_id=q.cursor, limit=q.limit + 1)
    items = [LogRecordRead(**record_dict(r)) for r in rows[: q.limit]]
    return LogPage(items=items, next_cursor=items[-1].id if len(rows) > q.limit else None)


@api.route("GET", "/v1/dispatch-log/stream", summary="Live dispatch log (server-sent events; resumes from "
           "Last-Event-ID)", roles=OPS, query=StreamQuery, tags=("ops",))
async def dispatch_log_stream(call: Call) -> web.StreamResponse:
    q, request = call.query, call.request

    def wanted(record: dict) -> bool:
        return (q.request_id is None or record["request_id"] == q.request_id) and (
            q.agency_id is None or record["agency_id"] == q.agency_id)

    def framed(record: dict) -> bytes:
        return sse.frame(record["id"], "dispatch-log", record) if wanted(record) else b""

    with request.app[FEED].subscribe() as queue:
        backlog = b""
        last = request.headers.get("Last-Event-ID", "")
        if last.isdigit():
            async with request.app[POOL].acquire() as conn:
                backlog = b"".join(framed(record_dict(row)) for row in await log_repo.after(conn, int(last), 1000))

        async def next_frame() -> bytes:
            return framed(await queue.get())

        return await sse.serve(request, next_frame, HEARTBEAT_SECONDS, backlog)


@api.route("GET", "/v1/unfilled", summary="Requests nobody could take, oldest first", roles=OPS,
           query=UnfilledQuery, response=list[UnfilledRead], tags=("ops",))
async def unfilled(call: Call) -> list[UnfilledRead]:
    async with call.request.app[POOL].acquire() as conn:
        rows = await request_repo.list_unfilled(conn, call.query.limit)
    return [UnfilledRead(**dict(r)) for r in rows]
