"""Middlewares: request ids, problem+json for every error, request metrics."""

import time
import uuid

from aiohttp import web
from prometheus_client import Histogram

from taas_kit.http.problems import Problem, response
from taas_kit.logging import bound, get_logger

log = get_logger("taas.http")

LATENCY = Histogram("taas_http_request_seconds", "HTTP request latency", ["method", "route", "status"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))


@web.middleware
async def request_context(request: web.Request, handler):
    """Bind a request id (from X-Request-Id or new) to the logs and echo it back."""
    request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
    started = time.perf_counter()
    with bound(request_id=request_id, method=request.method, path=request.path):
        resp = await handler(request)
        resp.headers["X-Request-Id"] = request_id
        route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
        LATENCY.labels(request.method, route, str(resp.status)).observe(time.perf_counter() - started)
        return resp


@web.middleware
async def problem_errors(request: web.Request, handler):
    """Answer every error as RFC 9457 problem+json."""
    try:
        return await handler(request)
    except Problem as problem:
        if problem.status >= 500:
            log.error("request failed", status=problem.status, detail=problem.detail)
        return response(problem, request)
    except web.HTTPRequestEntityTooLarge as exc:
        return response(Problem(413, "Content Too Large", exc.text, code="body_too_large"), request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        title = exc.reason or "Error"
        problem = Problem(exc.status, title, exc.text if exc.text and exc.text != f"{exc.status}: {title}" else None,
                          code=title.lower().replace(" ", "_"))
        if exc.status == 405:
            problem.headers = {"Allow": exc.headers.get("Allow", "")}
        return response(problem, request)
    except Exception:  # noqa: BLE001 - the last line of defence: log it, answer 500 without internals
        log.exception("unhandled error")
        return response(Problem(500, "Internal Server Error", "an unexpected error occurred", code="internal"), request)
