"""The service's route table, and the one place use-case refusals become problem+json."""

import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any

from taas_availability.handlers.errors import Conflict, Forbidden, Invalid, NotFound, UseCaseError
from taas_kit.http.problems import Problem, conflict, not_found
from taas_kit.http.routing import Api, Call

api = Api("taas availability")

_INDEX = re.compile(r"\[(\d+)\]")


def pointer(field: str) -> str:
    """A JSON pointer for a field path: `windows[3].start` -> `/windows/3/start`."""
    return "/" + _INDEX.sub(r".\1", field).replace(".", "/") if field else ""


def to_problem(exc: UseCaseError) -> Problem:
    """The problem+json answer of a use case's refusal."""
    if isinstance(exc, NotFound):
        return not_found(exc.what)
    if isinstance(exc, Conflict):
        return conflict(str(exc), exc.code)
    if isinstance(exc, Forbidden):
        errors = [{"pointer": pointer(f), "field": f, "in": "body", "message": "only ops may change this field",
                   "type": "forbidden"} for f in exc.fields]
        return Problem(403, "Forbidden", str(exc), code=exc.code, errors=errors or None)
    if isinstance(exc, Invalid):
        errors = [{"pointer": pointer(p.field), "field": p.field, "in": exc.where, "message": p.message,
                   "type": "invalid"} for p in exc.problems]
        return Problem(422, "Unprocessable Content", str(exc), code="validation_error", errors=errors)
    return Problem(500, "Internal Server Error", "an unexpected error occurred", code="internal")


def route(method: str, path: str, **options: Any):
    """`api.route`, translating use-case refusals into problems."""
    def decorate(fn: Callable[[Call], Awaitable[Any]]):
        @functools.wraps(fn)
        async def wrapped(call: Call) -> Any:
            try:
                return await fn(call)
            except UseCaseError as exc:
                raise to_problem(exc) from exc
        api.route(method, path, **options)(wrapped)
        return fn
    return decorate
