"""Routes of agencies and their tokens (ops onboard agencies; an agency may read itself)."""

from datetime import UTC, datetime

from taas_kit.auth import ApiRole
from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS
from taas_kit.http.routing import Call
from taas_requests.api.agency_models import (AgencyCreate, AgencyQuery, AgencyRead, AgencyUpdate, TokenCreate,
                                             TokenRead)
from taas_requests.api.base import route
from taas_requests.api.fields import is_agency_id
from taas_requests.handlers import agencies
from taas_requests.handlers.errors import NotFound

OPS = {ApiRole.OPS}
TAGS = ("agencies",)


def _agency_id(call: Call) -> str:
    agency_id = call.path["id"]
    if not is_agency_id(agency_id):
        raise NotFound("agency")
    return agency_id


@route("POST", "/v1/agencies", summary="Onboard an agency", roles=OPS, body=AgencyCreate, response=AgencyRead,
       status=201, tags=TAGS, extra_responses={409: "An agency with this id exists"})
async def create_agency(call: Call) -> AgencyRead:
    return await agencies.create_agency(call.request.app[POOL], call.request.app[SETTINGS], call.body)


@route("GET", "/v1/agencies", summary="List agencies, by name then id", roles=OPS, query=AgencyQuery, response=list[AgencyRead],
       tags=TAGS)
async def list_agencies(call: Call) -> list[AgencyRead]:
    return await agencies.list_agencies(call.request.app[POOL], call.query.active)


@route("GET", "/v1/agencies/{id}", summary="Read an agency", roles={ApiRole.OPS, ApiRole.AGENCY},
       response=AgencyRead, tags=TAGS)
async def get_agency(call: Call) -> AgencyRead:
    return await agencies.get_agency(call.request.app[POOL], call.principal, _agency_id(call))


@route("PATCH", "/v1/agencies/{id}", summary="Change an agency (publishes a new snapshot)", roles=OPS,
       body=AgencyUpdate, response=AgencyRead, tags=TAGS)
async def update_agency(call: Call) -> AgencyRead:
    return await agencies.update_agency(call.request.app[POOL], call.request.app[SETTINGS], _agency_id(call),
                                        call.body)


@route("POST", "/v1/agencies/{id}/tokens", summary="Issue an API token for an agency", roles=OPS, body=TokenCreate,
       response=TokenRead, status=201, tags=TAGS, extra_responses={409: "The agency is offboarded"})
async def issue_token(call: Call) -> TokenRead:
    return await agencies.issue_token(call.request.app[POOL], call.request.app[SETTINGS], _agency_id(call),
                                      call.body, datetime.now(UTC))
