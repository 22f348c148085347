"""Typed routes: auth, body/query validation and OpenAPI from one declaration per endpoint."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from taas_kit import jsonutil
from taas_kit.auth import ApiRole, Principal, TokenError, verify
from taas_kit.http.keys import REVOKED, SETTINGS
from taas_kit.http.problems import Problem, from_validation
from taas_kit.refusals import UseCaseError


@dataclass
class Call:
    """What a handler receives: the caller, the validated body and query, the path parameters."""

    request: web.Request
    principal: Principal | None
    body: Any = None
    query: Any = None
    path: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Awaitable[Any]]


@dataclass
class Route:
    """One declared endpoint."""

    method: str
    path: str
    handler: Handler
    summary: str
    roles: frozenset[ApiRole] | None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    tags: tuple[str, ...] = ()
    extra_responses: dict[int, str] = field(default_factory=dict)
    headers: tuple[str, ...] = ()


class Api:
    """A table of routes; `install` adds them to an aiohttp app, `openapi` describes them."""

    def __init__(self, title: str, version: str = "1.0.0") -> None:
        self.title, self.version = title, version
        self.routes: list[Route] = []

    def route(self, method: str, path: str, *, summary: str, roles: set[ApiRole] | None = None,
              body: type[BaseModel] | None = None, query: type[BaseModel] | None = None, response: Any = None,
              status: int = 200, tags: tuple[str, ...] = (), extra_responses: dict[int, str] | None = None,
              headers: tuple[str, ...] = ()):
        """Declare an endpoint; roles=None means public (no token needed)."""
        def decorate(fn: Handler) -> Handler:
            self.routes.append(Route(method.upper(), path, fn, summary, frozenset(roles) if roles else None, body,
                                     query, response, status, tags, extra_responses or {}, headers))
            return fn
        return decorate

    def install(self, app: web.Application) -> None:
        """Register every route on the app."""
        for r in self.routes:
            app.router.add_route(r.method, r.path, _endpoint(r))


def authenticate(request: web.Request) -> Principal:
    """Verify the bearer token of a request (401 problem if missing or bad)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "Unauthorized", "missing bearer token", code="unauthorized",
                      headers={"WWW-Authenticate": 'Bearer realm="taas"'})
    try:
        return verify(request.app[SETTINGS].auth_secret, token.strip(), request.app[REVOKED].revoked)
    except TokenError as exc:
        raise Problem(401, "Unauthorized", str(exc), code="unauthorized",
                      headers={"WWW-Authenticate": 'Bearer realm="taas", error="invalid_token"'}) from exc


def _endpoint(route: Route):
    async def endpoint(request: web.Request) -> web.StreamResponse:
        principal = None
        if route.roles is not None:
            principal = authenticate(request)
            if principal.role not in route.roles:
                raise Problem(403, "Forbidden", f"role {principal.role} may not call this endpoint", code="forbidden")
        call = Call(request, principal, path=dict(request.match_info))
        if route.query is not None:
            try:
                call.query = route.query.model_validate(dict(request.query))
            except ValidationError as exc:
                raise from_validation(exc, "query") from exc
        if route.body is not None:
            call.body = await parse_body(request, route.body)
        try:
            result = await route.handler(call)
        except UseCaseError as exc:
            raise exc.problem() from exc
        if isinstance(result, web.StreamResponse):
            return result
        return json_response(result, route.status)
    return endpoint


async def parse_body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    """Read and validate a JSON body: 400 if not JSON, 422 field by field if invalid."""
    raw = await request.read()
    try:
        # No body is validated as an empty object, so the answer names each missing field (a cancel's `reason`).
        data = jsonutil.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise Problem(400, "Bad Request", f"body is not valid JSON: {exc}", code="malformed_json") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, "body") from exc


def json_response(result: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Serialise a model, a list of models or plain data as JSON."""
    if isinstance(result, BaseModel):
        payload = result.model_dump(mode="json")
    elif isinstance(result, list):
        payload = [r.model_dump(mode="json") if isinstance(r, BaseModel) else r for r in result]
    else:
        payload = result
    if status == 204:
        return web.Response(status=204, headers=headers)
    return web.Response(status=status, body=jsonutil.dumps(payload), content_type="application/json", headers=headers)
