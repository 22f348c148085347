"""Routes of credentials that expire soon."""

from datetime import UTC, datetime

from taas_availability.api.base import route
from taas_availability.api.providers import OPS, OPS_OR_PROVIDER, provider_id
from taas_availability.api.read_models import ExpiringCredentialRead, ExpiringQuery
from taas_availability.handlers import credentials
from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS
from taas_kit.http.routing import Call

TAGS = ("credentials",)


@route("GET", "/v1/providers/{id}/credentials/expiring", summary="A provider's credentials expiring soon",
       roles=OPS_OR_PROVIDER, query=ExpiringQuery, response=list[ExpiringCredentialRead], tags=TAGS)
async def expiring_for(call: Call) -> list[ExpiringCredentialRead]:
    return await credentials.expiring_for(call.request.app[POOL], call.request.app[SETTINGS], call.principal,
                                          provider_id(call), call.query.within_days, datetime.now(UTC).date())


@route("GET", "/v1/credentials/expiring", summary="Every provider's credentials expiring soon (ops)", roles=OPS,
       query=ExpiringQuery, response=list[ExpiringCredentialRead], tags=TAGS)
async def expiring_all(call: Call) -> list[ExpiringCredentialRead]:
    return await credentials.expiring_all(call.request.app[POOL], call.request.app[SETTINGS],
                                          call.query.within_days, datetime.now(UTC).date())
