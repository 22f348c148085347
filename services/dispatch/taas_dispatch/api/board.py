"""The ops "now" board: every open request against its response target, and the pool as it stands now."""

from collections import Counter
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from taas_dispatch.api.common import api, now
from taas_dispatch.domain.board import PoolState, TargetState, pool_state, target_reading
from taas_dispatch.repository import board as board_repo
from taas_kit.auth import ApiRole
from taas_kit.http.keys import POOL
from taas_kit.http.routing import Call


class BoardQuery(BaseModel):
    """How much of the board to show."""

    model_config = ConfigDict(extra="forbid")

    requests: int = Field(200, ge=1, le=1000, description="At most this many open requests, most urgent first.")
    providers: int = Field(500, ge=1, le=5000, description="At most this many providers, by name.")


class BoardRequestRead(BaseModel):
    """An open request and where it stands against its response target."""

    request_id: str = Field(description="The request.")
    agency_id: str = Field(description="The requesting agency.")
    agency_name: str | None = Field(description="The agency's name, once its snapshot arrived.")
    kind: str | None = Field(description="Incident or vacancy.")
    severity: str | None = Field(description="Incident severity; null for a vacancy.")
    role: str | None = Field(description="Role needed.")
    status: str = Field(description="Where dispatch stands: matching, offered, assigned, in_progress or unfilled.")
    round_number: int = Field(description="Matching rounds so far.")
    unfilled_reason: str | None = Field(description="Why nobody could be assigned, when unfilled.")
    submitted_at: datetime | None = Field(description="When the agency filed it.")
    respond_by: datetime | None = Field(description="Response target: assigned by this time (set at submission).")
    first_assigned_at: datetime | None = Field(description="First assignment: the target's clock stopped here.")
    target: TargetState = Field(description="`running`, `missed`, `met` (assigned in time) or `unknown`.")
    seconds_left: float | None = Field(description="Until the target while its clock runs; negative once missed.")
    providers: list[str] = Field(description="Providers holding an open offer or a live assignment of it.")


class BoardProviderRead(BaseModel):
    """A provider of the pool and what it is doing now."""

    provider_id: str = Field(description="The provider.")
    name: str = Field(description="Display name.")
    state: PoolState = Field(description="`paused`, `busy`, `on_call`, `available` or `off` (first that applies).")
    roles: list[str] = Field(description="Roles they can fill.")
    home_jurisdiction_id: str | None = Field(description="The jurisdiction that lends them.")
    on_call_until: datetime | None = Field(description="End of the on-call shift, when on call.")
    engaged_now: int = Field(description="Live engagements whose window holds this instant.")
    capacity: int = Field(description="Engagements they may hold at once.")
    engaged_requests: list[str] = Field(description="The requests of those engagements.")


class BoardRead(BaseModel):
    """The board at one instant."""

    now: datetime = Field(description="The instant it was read (countdowns are relative to it).")
    requests: list[BoardRequestRead] = Field(description="Open requests: not yet assigned first, nearest target "
                                                         "first.")
    requests_total: int = Field(description="Every open request, also those past the `requests` limit.")
    pool: list[BoardProviderRead] = Field(description="Providers by name.")
    pool_counts: dict[PoolState, int] = Field(description="How many of the listed providers are in each state.")


def _request(row, at: datetime) -> BoardRequestRead:
    reading = target_reading(row["respond_by"], row["first_assigned_at"], at)
    return BoardRequestRead(**{k: v for k, v in dict(row).items() if k != "total"}, target=reading.state,
                            seconds_left=reading.seconds_left)


def _provider(row, at: datetime) -> BoardProviderRead:
    state = pool_state(row["status"], row["engaged_now"], row["on_call_until"], row["available_now"], at)
    fields = {k: row[k] for k in BoardProviderRead.model_fields if k != "state"}
    return BoardProviderRead(**fields, state=state)


@api.route("GET", "/v1/board", summary="Open requests against their response targets, and the pool now (ops)",
           roles={ApiRole.OPS}, query=BoardQuery, response=BoardRead, tags=("ops",))
async def board(call: Call) -> BoardRead:
    at = now()
    async with call.request.app[POOL].acquire() as conn:
        requests = await board_repo.open_requests(conn, call.query.requests)
        providers = await board_repo.pool(conn, at, call.query.providers)
    pool = [_provider(r, at) for r in providers]
    counts = Counter(p.state for p in pool)
    return BoardRead(now=at, requests=[_request(r, at) for r in requests],
                     requests_total=requests[0]["total"] if requests else 0, pool=pool,
                     pool_counts={state: counts.get(state, 0) for state in PoolState})
