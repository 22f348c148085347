"""The service's route table, and the one place use-case refusals become problem+json."""

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from taas_kit.http.problems import Problem, conflict, not_found
from taas_kit.http.routing import Api, Call
from taas_requests.handlers.errors import Conflict, Forbidden, Invalid, NotFound, UseCaseError

api = Api("taas requests")


def to_problem(exc: UseCaseError) -> Problem:
    """The problem+json answer of a use case's refusal."""
    if isinstance(exc, NotFound):
        return not_found(exc.what)
    if isinstance(exc, Conflict):
        return conflict(str(exc), exc.code)
    if isinstance(exc, Forbidden):
        return Problem(403, "Forbidden", str(exc), code=exc.code)
    if isinstance(exc, Invalid):
        errors = [{"pointer": "/" + p.field.replace(".", "/"), "field": p.field, "in": exc.where,
                   "message": p.message, "type": p.code} for p in exc.problems]
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
