"""OpenAPI 3.1 generated from the declared routes and their pydantic models."""

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter

from taas_kit.http.routing import Api, Route

_REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")
_ERRORS = {400: "Malformed request", 401: "Missing or invalid token", 403: "Role not allowed",
           404: "Unknown id (or another tenant's)", 413: "Body too large", 422: "Invalid fields"}


def _schema(annotation: Any, components: dict[str, Any], mode: str) -> dict[str, Any]:
    adapter = TypeAdapter(annotation)
    schema = adapter.json_schema(ref_template=_REF, mode=mode)
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        components.setdefault(annotation.__name__, schema)
        return {"$ref": _REF.format(model=annotation.__name__)}
    return schema


def _operation(route: Route, components: dict[str, Any]) -> dict[str, Any]:
    path = route.path
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in _PARAM.findall(path)
    ]
    if route.query is not None:
        qschema = route.query.model_json_schema(ref_template=_REF)
        for name, definition in qschema.pop("$defs", {}).items():
            components.setdefault(name, definition)
        required = set(qschema.get("required", []))
        for name, prop in qschema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    for header in route.headers:
        params.append({"name": header, "in": "header", "required": True, "schema": {"type": "string", "minLength": 1}})
    op: dict[str, Any] = {
        "summary": route.summary,
        "operationId": f"{route.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "tags": list(route.tags),
        "parameters": params,
        "responses": {},
    }
    if route.roles is not None:
        op["security"] = [{"bearer": []}]
        op["description"] = "Roles: " + ", ".join(sorted(r.value for r in route.roles))
    if route.body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": _schema(route.body, components, "validation")}}}
    ok: dict[str, Any] = {"description": "OK"}
    if route.response is not None and route.status != 204:
        ok["content"] = {"application/json": {"schema": _schema(route.response, components, "serialization")}}
    op["responses"][str(route.status)] = ok
    problem = {"application/problem+json": {"schema": {"$ref": _REF.format(model="Problem")}}}
    codes = dict(_ERRORS) | route.extra_responses
    if route.roles is None:
        codes.pop(401), codes.pop(403)
    if route.body is None:
        codes.pop(413)
    for code, text in sorted(codes.items()):
        op["responses"][str(code)] = {"description": text, "content": problem}
    return op


_PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "code": {"type": "string"}, "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "pointer": {"type": "string"}, "field": {"type": "string"}, "in": {"type": "string"},
            "message": {"type": "string"}, "type": {"type": "string"}}}},
    },
}


def build_openapi(api: Api) -> dict[str, Any]:
    """The OpenAPI document of an Api."""
    components: dict[str, Any] = {"Problem": _PROBLEM_SCHEMA}
    paths: dict[str, Any] = {}
    for route in api.routes:
        openapi_path = _PARAM.sub(lambda m: "{" + m[1] + "}", route.path)
        paths.setdefault(openapi_path, {})[route.method.lower()] = _operation(route, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": api.title, "version": api.version},
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
