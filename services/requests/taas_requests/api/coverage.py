"""Routes of coverage requests: submit, read, list, cancel, timeline."""

from datetime import UTC, datetime

from taas_kit.auth import ApiRole
from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS
from taas_kit.http.problems import Problem
from taas_kit.http.routing import Call, json_response
from taas_requests.api.base import route
from taas_requests.api.fields import parse_uuid
from taas_requests.api.request_models import (CancelCreate, RequestCreate, RequestPage, RequestQuery, RequestRead,
                                              TimelineEntryRead)
from taas_requests.handlers import coverage
from taas_requests.zones import ZONES

BOTH = {ApiRole.AGENCY, ApiRole.OPS}
TAGS = ("requests",)
MAX_KEY_LENGTH = 255


def _idempotency_key(call: Call) -> str:
    key = call.request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Problem(400, "Bad Request", f"an Idempotency-Key header of 1 to {MAX_KEY_LENGTH} characters is required",
                      code="idempotency_key_required")
    return key


@route("POST", "/v1/requests", summary="File a coverage request (idempotent per Idempotency-Key)",
       roles={ApiRole.AGENCY}, body=RequestCreate, response=RequestRead, status=201, tags=TAGS,
       headers=("Idempotency-Key",),
       extra_responses={409: "The Idempotency-Key was used with a different body",
                        403: "Role not allowed, or the agency is offboarded"})
async def submit_request(call: Call):
    key = _idempotency_key(call)
    raw = await call.request.read()
    result = await coverage.submit_request(call.request.app[POOL], call.request.app[SETTINGS], call.principal.tenant,
                                           key, raw, call.body.root, datetime.now(UTC), call.request.app[ZONES])
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return json_response(result.body, result.status_code, headers)


@route("GET", "/v1/requests", summary="List requests (newest first, cursor paging)", roles=BOTH, query=RequestQuery,
       response=RequestPage, tags=TAGS)
async def list_requests(call: Call) -> RequestPage:
    return await coverage.list_requests(call.request.app[POOL], call.request.app[SETTINGS], call.principal,
                                        call.query, datetime.now(UTC))


@route("GET", "/v1/requests/{id}", summary="Read a request", roles=BOTH, response=RequestRead, tags=TAGS)
async def get_request(call: Call) -> RequestRead:
    return await coverage.get_request(call.request.app[POOL], call.principal, parse_uuid(call.path["id"]),
                                      datetime.now(UTC))


@route("POST", "/v1/requests/{id}/cancel", summary="Cancel a request", roles=BOTH, body=CancelCreate,
       response=RequestRead, tags=TAGS, extra_responses={409: "The request is already finished or cancelled"})
async def cancel_request(call: Call) -> RequestRead:
    return await coverage.cancel_request(call.request.app[POOL], call.request.app[SETTINGS], call.principal,
                                         parse_uuid(call.path["id"]), call.body.reason, datetime.now(UTC))


@route("GET", "/v1/requests/{id}/timeline", summary="Every status change and dispatch step of a request",
       roles=BOTH, response=list[TimelineEntryRead], tags=TAGS)
async def get_timeline(call: Call) -> list[TimelineEntryRead]:
    return await coverage.get_timeline(call.request.app[POOL], call.principal, parse_uuid(call.path["id"]))
