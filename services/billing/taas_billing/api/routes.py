"""Routes: rate rules, interlocal agreements, usage, monthly statements."""

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from taas_billing import commands, queries
from taas_billing.api.models import (
    AgreementCreate,
    AgreementQuery,
    AgreementRead,
    Month,
    RateRulesRead,
    RateRulesUpdate,
    StatementRead,
    UsagePage,
    UsageQuery,
)
from taas_billing.api.statement_csv import render
from taas_kit.auth import ApiRole
from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS
from taas_kit.http.problems import Problem, conflict, from_validation, not_found
from taas_kit.http.routing import Api, Call

api = Api("taas billing")
STAFF = {ApiRole.BILLING, ApiRole.OPS}
READERS = {ApiRole.AGENCY, ApiRole.BILLING, ApiRole.OPS}
CSV = "text/csv"


class StatementPath(BaseModel):
    """Path parameters of a statement."""

    model_config = ConfigDict(extra="forbid")

    agency: str
    month: Month


@api.route("GET", "/v1/rate-rules", summary="The rate rules in force", roles=STAFF, response=RateRulesRead,
           tags=("rules",))
async def get_rate_rules(call: Call) -> RateRulesRead:
    async with call.request.app[POOL].acquire() as conn:
        return await queries.current_rules(conn)


@api.route("PUT", "/v1/rate-rules", summary="Set new rate rules (a new version; applies to work billed from now)",
           roles=STAFF, body=RateRulesUpdate, response=RateRulesRead, tags=("rules",))
async def put_rate_rules(call: Call) -> RateRulesRead:
    async with call.request.app[POOL].acquire() as conn:
        return await commands.put_rate_rules(conn, call.body, call.principal.subject)


@api.route("GET", "/v1/agreements", summary="Interlocal agreements", roles=STAFF, query=AgreementQuery,
           response=list[AgreementRead], tags=("rules",))
async def list_agreements(call: Call) -> list[AgreementRead]:
    async with call.request.app[POOL].acquire() as conn:
        return await queries.list_agreements(conn, call.query.jurisdiction)


@api.route("POST", "/v1/agreements", summary="Create an interlocal agreement", roles=STAFF, body=AgreementCreate,
           response=AgreementRead, status=201, tags=("rules",),
           extra_responses={409: "The two jurisdictions already have an agreement"})
async def create_agreement(call: Call) -> AgreementRead:
    async with call.request.app[POOL].acquire() as conn:
        created = await commands.create_agreement(conn, call.body, call.principal.subject)
    if created is None:
        raise conflict("these two jurisdictions already have an agreement", code="agreement_exists")
    return created


@api.route("GET", "/v1/usage", summary="Billable segments (an agency sees its own)", roles=READERS,
           query=UsageQuery, response=UsagePage, tags=("usage",))
async def list_usage(call: Call) -> UsagePage:
    query: UsageQuery = call.query
    agency = query.agency
    if call.principal.role is ApiRole.AGENCY:
        if agency is not None and agency != call.principal.tenant:
            return UsagePage(items=[], next_cursor=None)  # exactly what an unknown agency id answers
        agency = call.principal.tenant
    try:
        async with call.request.app[POOL].acquire() as conn:
            return await queries.usage_page(conn, agency_id=agency, provider_id=query.provider, period=query.period,
                                            cursor=query.cursor, limit=query.limit)
    except queries.BadCursor as exc:
        raise Problem(422, "Unprocessable Content", "1 invalid field(s) in the query", code="validation_error",
                      errors=[{"pointer": "/cursor", "field": "cursor", "in": "query", "message": str(exc),
                               "type": "bad_cursor"}]) from exc


@api.route("GET", "/v1/statements/{agency}/{month}", summary="Monthly statement (JSON, or CSV with Accept: text/csv)",
           roles=READERS, response=StatementRead, tags=("statements",))
async def get_statement(call: Call) -> StatementRead | web.Response:
    try:
        path = StatementPath.model_validate(call.path)
    except ValidationError as exc:
        raise from_validation(exc, "path") from exc
    if not call.principal.owns(path.agency):
        raise not_found("statement")  # a foreign agency answers exactly as an unknown one
    async with call.request.app[POOL].acquire() as conn:
        statement = await queries.statement(conn, path.agency, path.month, call.request.app[SETTINGS].currency)
    if statement is None:
        raise not_found("statement")
    if _wants_csv(call.request.headers.get("Accept", "")):
        filename = f"statement-{path.agency}-{path.month}.csv"
        return web.Response(text=render(statement), content_type=CSV, charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return statement


def _wants_csv(accept: str) -> bool:
    """True when the Accept header prefers text/csv over JSON (JSON is the default)."""
    best, best_q = "application/json", 0.0
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media.lower() in (CSV, "application/json") and q > best_q:
            best, best_q = media.lower(), q
    return best == CSV
