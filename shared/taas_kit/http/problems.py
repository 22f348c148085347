"""RFC 9457 problem+json errors, field by field."""

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from taas_kit import jsonutil

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """An HTTP error answered as problem+json."""

    def __init__(self, status: int, title: str, detail: str | None = None, *, code: str | None = None,
                 errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.code = code or title.lower().replace(" ", "_")
        self.errors, self.headers = errors, headers

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The problem document."""
        doc: dict[str, Any] = {"type": f"https://taas.dev/problems/{self.code}", "title": self.title,
                               "status": self.status, "code": self.code}
        if self.detail:
            doc["detail"] = self.detail
        if instance:
            doc["instance"] = instance
        if self.errors:
            doc["errors"] = self.errors
        return doc


def not_found(what: str = "resource") -> Problem:
    """The one answer for an unknown id and for another tenant's id."""
    return Problem(404, "Not Found", f"no such {what}", code="not_found")


def conflict(detail: str, code: str = "conflict") -> Problem:
    """A request that contradicts the current state."""
    return Problem(409, "Conflict", detail, code=code)


def from_validation(exc: ValidationError, where: str = "body") -> Problem:
    """422 with one entry per invalid field (`pointer` is a JSON pointer into the input)."""
    errors = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err.get("loc", ())]
        errors.append({
            "pointer": "/" + "/".join(loc) if loc else "",
            "field": ".".join(loc),
            "in": where,
            "message": err.get("msg", "invalid"),
            "type": err.get("type", "invalid"),
        })
    return Problem(422, "Unprocessable Content", f"{len(errors)} invalid field(s) in the {where}",
                   code="validation_error", errors=errors)


def response(problem: Problem, request: web.Request | None = None) -> web.Response:
    """Render a Problem as an aiohttp response."""
    resp = web.Response(status=problem.status, body=jsonutil.dumps(problem.body(request.path if request else None)),
                        content_type=PROBLEM_TYPE)
    for k, v in (problem.headers or {}).items():
        resp.headers[k] = v
    return resp
