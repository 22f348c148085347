"""Routes of webhooks and their delivery log."""

from taas_kit.auth import ApiRole
from taas_kit.http.keys import POOL
from taas_kit.http.routing import Call
from taas_requests.api.base import route
from taas_requests.api.fields import parse_uuid
from taas_requests.api.webhook_models import DeliveryQuery, DeliveryRead, WebhookCreate, WebhookRead
from taas_requests.handlers import webhooks

BOTH = {ApiRole.AGENCY, ApiRole.OPS}
TAGS = ("webhooks",)


@route("POST", "/v1/webhooks", summary="Register a webhook (the answer carries its signing secret, once)",
       roles={ApiRole.AGENCY}, body=WebhookCreate, response=WebhookRead, status=201, tags=TAGS)
async def create_webhook(call: Call) -> WebhookRead:
    return await webhooks.create_webhook(call.request.app[POOL], call.principal, call.body)


@route("GET", "/v1/webhooks", summary="List webhooks", roles=BOTH, response=list[WebhookRead], tags=TAGS)
async def list_webhooks(call: Call) -> list[WebhookRead]:
    return await webhooks.list_webhooks(call.request.app[POOL], call.principal)


@route("GET", "/v1/webhooks/{id}", summary="Read a webhook", roles=BOTH, response=WebhookRead, tags=TAGS)
async def get_webhook(call: Call) -> WebhookRead:
    return await webhooks.get_webhook(call.request.app[POOL], call.principal, parse_uuid(call.path["id"]))


@route("DELETE", "/v1/webhooks/{id}", summary="Delete a webhook", roles=BOTH, status=204, tags=TAGS)
async def delete_webhook(call: Call) -> None:
    await webhooks.delete_webhook(call.request.app[POOL], call.principal, parse_uuid(call.path["id"]))


@route("GET", "/v1/webhooks/{id}/deliveries", summary="The delivery log of a webhook", roles=BOTH,
       query=DeliveryQuery, response=list[DeliveryRead], tags=TAGS)
async def list_deliveries(call: Call) -> list[DeliveryRead]:
    return await webhooks.list_deliveries(call.request.app[POOL], call.principal, parse_uuid(call.path["id"]),
                                          call.query)
