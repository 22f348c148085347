"""The use cases of the requests service, each a plain async function, listed in one table."""

from taas_requests.handlers import agencies, coverage, dispatch_events, webhooks

USE_CASES = {
    "CreateAgency": agencies.create_agency,
    "GetAgency": agencies.get_agency,
    "ListAgencies": agencies.list_agencies,
    "UpdateAgency": agencies.update_agency,
    "IssueAgencyToken": agencies.issue_token,
    "SubmitRequest": coverage.submit_request,
    "GetRequest": coverage.get_request,
    "ListRequests": coverage.list_requests,
    "CancelRequest": coverage.cancel_request,
    "GetTimeline": coverage.get_timeline,
    "ApplyDispatchEvent": dispatch_events.on_dispatch_event,
    "ApplyDispatchEvents": dispatch_events.on_dispatch_events,
    "CreateWebhook": webhooks.create_webhook,
    "ListWebhooks": webhooks.list_webhooks,
    "GetWebhook": webhooks.get_webhook,
    "DeleteWebhook": webhooks.delete_webhook,
    "ListDeliveries": webhooks.list_deliveries,
}
