"""Routes of provider profiles and their tokens (ops onboard providers; a provider reads and edits itself)."""

from datetime import UTC, datetime

from taas_availability.api.base import route
from taas_availability.api.fields import is_provider_id
from taas_availability.api.profile_models import ProviderCreate, ProviderUpdate, TokenCreate, TokenRead
from taas_availability.api.read_models import ProviderPage, ProviderQuery, ProviderRead
from taas_availability.handlers import profiles
from taas_availability.handlers.errors import NotFound
from taas_kit.auth import ApiRole
from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS
from taas_kit.http.routing import Call

OPS = {ApiRole.OPS}
OPS_OR_PROVIDER = {ApiRole.OPS, ApiRole.PROVIDER}
TAGS = ("providers",)


def provider_id(call: Call) -> str:
    """The path's provider id; one that cannot exist answers like an unknown one."""
    value = call.path["id"]
    if not is_provider_id(value):
        raise NotFound("provider")
    return value


@route("POST", "/v1/providers", summary="Onboard a provider (publishes the first snapshot)", roles=OPS,
       body=ProviderCreate, response=ProviderRead, status=201, tags=TAGS,
       extra_responses={409: "A provider with this id exists"})
async def create_provider(call: Call) -> ProviderRead:
    return await profiles.create_provider(call.request.app[POOL], call.request.app[SETTINGS], call.body,
                                          datetime.now(UTC))


@route("GET", "/v1/providers", summary="List providers (filters, cursor paging)", roles=OPS, query=ProviderQuery,
       response=ProviderPage, tags=TAGS)
async def list_providers(call: Call) -> ProviderPage:
    return await profiles.list_providers(call.request.app[POOL], call.request.app[SETTINGS], call.query,
                                         datetime.now(UTC))


@route("GET", "/v1/providers/{id}", summary="Read a provider with its schedule and load", roles=OPS_OR_PROVIDER,
       response=ProviderRead, tags=TAGS)
async def get_provider(call: Call) -> ProviderRead:
    return await profiles.get_provider(call.request.app[POOL], call.principal, provider_id(call), datetime.now(UTC))


@route("PATCH", "/v1/providers/{id}", summary="Change a profile (publishes a new snapshot)", roles=OPS_OR_PROVIDER,
       body=ProviderUpdate, response=ProviderRead, tags=TAGS,
       extra_responses={403: "A provider tried to change an ops-only field", 409: "The provider is offboarded"})
async def update_provider(call: Call) -> ProviderRead:
    return await profiles.update_provider(call.request.app[POOL], call.request.app[SETTINGS], call.principal,
                                          provider_id(call), call.body, datetime.now(UTC))


@route("POST", "/v1/providers/{id}/tokens", summary="Issue an API token for a provider", roles=OPS,
       body=TokenCreate, response=TokenRead, status=201, tags=TAGS, extra_responses={409: "The provider is offboarded"})
async def issue_token(call: Call) -> TokenRead:
    return await profiles.issue_token(call.request.app[POOL], call.request.app[SETTINGS], provider_id(call),
                                      call.body, datetime.now(UTC))
