"""Routes: the assignment lifecycle (provider) and the list of assignments (provider own, ops all)."""

from taas_dispatch.api.common import api, deps_of, now, provider_of, transaction
from taas_dispatch.api.models import (
    AssignmentQuery,
    AssignmentRead,
    CompleteCreate,
    ReleaseCreate,
    TimeEntryCreate,
    TimeEntryRead,
)
from taas_dispatch.handlers import lifecycle
from taas_dispatch.repository import assignments as assignment_repo
from taas_kit.auth import ApiRole
from taas_kit.http.keys import POOL
from taas_kit.http.problems import not_found
from taas_kit.http.routing import Call

PROVIDER = {ApiRole.PROVIDER}
_ERRORS = {404: "No such assignment (or not yours)", 409: "Not allowed in the assignment's current status"}


async def _read(call: Call, assignment_id: str) -> AssignmentRead:
    async with call.request.app[POOL].acquire() as conn:
        row = await assignment_repo.get(conn, assignment_id)
        if row is None:
            raise not_found("assignment")
        entries = await assignment_repo.entries(conn, assignment_id)
    return _model(row, entries)


def _model(row, entries) -> AssignmentRead:
    fields = {k: row[k] for k in AssignmentRead.model_fields if k != "time_entries"}
    return AssignmentRead(**fields, time_entries=[TimeEntryRead(entry_id=e["entry_id"], started_at=e["started_at"],
                                                                minutes=e["minutes"], note=e["note"])
                                                  for e in entries])


@api.route("GET", "/v1/assignments", summary="Assignments, newest first (providers see their own)",
           roles={ApiRole.PROVIDER, ApiRole.OPS}, query=AssignmentQuery, response=list[AssignmentRead],
           tags=("assignments",))
async def list_assignments(call: Call) -> list[AssignmentRead]:
    q = call.query
    provider_id = provider_of(call) if call.principal.role is ApiRole.PROVIDER else q.provider_id
    async with call.request.app[POOL].acquire() as conn:
        rows = await assignment_repo.listing(conn, provider_id, q.status, q.limit)
        return [_model(r, await assignment_repo.entries(conn, r["assignment_id"])) for r in rows]


@api.route("POST", "/v1/assignments/{assignment_id}/acknowledge", summary="Acknowledge an on-call assignment",
           roles=PROVIDER, response=AssignmentRead, tags=("assignments",), extra_responses=_ERRORS)
async def acknowledge(call: Call) -> AssignmentRead:
    async with transaction(call) as conn:
        await lifecycle.acknowledge(conn, deps_of(call), call.path["assignment_id"], provider_of(call), now())
    return await _read(call, call.path["assignment_id"])


@api.route("POST", "/v1/assignments/{assignment_id}/start", summary="Start work", roles=PROVIDER,
           response=AssignmentRead, tags=("assignments",), extra_responses=_ERRORS)
async def start(call: Call) -> AssignmentRead:
    async with transaction(call) as conn:
        await lifecycle.start(conn, deps_of(call), call.path["assignment_id"], provider_of(call), now())
    return await _read(call, call.path["assignment_id"])


@api.route("POST", "/v1/assignments/{assignment_id}/time-entries", summary="Log a stretch of work", roles=PROVIDER,
           body=TimeEntryCreate, response=AssignmentRead, status=201, tags=("assignments",),
           extra_responses=_ERRORS)
async def log_time(call: Call) -> AssignmentRead:
    b = call.body
    async with transaction(call) as conn:
        await lifecycle.log_time(conn, deps_of(call), call.path["assignment_id"], provider_of(call), b.started_at,
                                 b.minutes, b.note, b.entry_id, now())
    return await _read(call, call.path["assignment_id"])


@api.route("POST", "/v1/assignments/{assignment_id}/complete", summary="Complete the work (409 with no time logged "
           "unless confirmed)", roles=PROVIDER, body=CompleteCreate, response=AssignmentRead, tags=("assignments",),
           extra_responses=_ERRORS)
async def complete(call: Call) -> AssignmentRead:
    async with transaction(call) as conn:
        await lifecycle.complete(conn, deps_of(call), call.path["assignment_id"], provider_of(call), now(),
                                 call.body.no_time_logged)
    return await _read(call, call.path["assignment_id"])


@api.route("POST", "/v1/assignments/{assignment_id}/release",
           summary="Give the work back (provider) or take it back (ops); the request is dispatched again",
           roles={ApiRole.PROVIDER, ApiRole.OPS}, body=ReleaseCreate, response=AssignmentRead,
           tags=("assignments",), extra_responses=_ERRORS)
async def release(call: Call) -> AssignmentRead:
    provider_id = provider_of(call) if call.principal.role is ApiRole.PROVIDER else None
    async with transaction(call) as conn:
        await lifecycle.release(conn, deps_of(call), call.path["assignment_id"], provider_id, call.body.reason, now())
    return await _read(call, call.path["assignment_id"])
