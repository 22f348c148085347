"""The dispatch Api table and the one way a route runs a use case: in a transaction, errors as problems."""

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg

from taas_dispatch.domain.assignments import InvalidTimeEntry
from taas_dispatch.domain.errors import DispatchDomainError
from taas_dispatch.handlers.context import Deps
from taas_dispatch.keys import DEPS
from taas_kit.http.keys import POOL
from taas_kit.http.problems import Problem, conflict
from taas_kit.http.routing import Api, Call

api = Api("taas dispatch")


def now() -> datetime:
    """The current instant (UTC)."""
    return datetime.now(UTC)


def deps_of(call: Call) -> Deps:
    """The process's settings and configuration."""
    return call.request.app[DEPS]


def problem_of(error: Exception) -> Problem:
    """The problem+json answer of a domain refusal (unknown ids are the kit's NotFound, answered by the router)."""
    if isinstance(error, InvalidTimeEntry):
        return Problem(422, "Unprocessable Content", error.message, code=error.code,
                       errors=[{"pointer": "/started_at", "field": "started_at", "in": "body",
                                "message": error.message, "type": error.code}])
    assert isinstance(error, DispatchDomainError)
    return conflict(error.message, error.code)


@contextlib.asynccontextmanager
async def transaction(call: Call) -> AsyncIterator[asyncpg.Connection]:
    """A connection in a transaction; a refusal rolls everything back and answers as a problem."""
    try:
        async with call.request.app[POOL].acquire() as conn, conn.transaction():
            yield conn
    except DispatchDomainError as error:
        raise problem_of(error) from error


def provider_of(call: Call) -> str:
    """The calling provider's id."""
    assert call.principal is not None and call.principal.tenant is not None
    return call.principal.tenant
