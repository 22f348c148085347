"""A locked request as the use cases see it: its submission, its current round, its window and seq."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from taas_contracts.events.requests import RequestSubmitted
from taas_dispatch.domain.dispatch_round import DispatchRound, RankedCandidate, RoundStatus
from taas_dispatch.domain.policy import OfferPolicy
from taas_dispatch.effects import Effects
from taas_dispatch.repository import offers as offer_repo
from taas_dispatch.repository import requests as request_repo

STATUS_OF_ROUND = {
    RoundStatus.OFFERING: "offered",
    RoundStatus.AWAITING_ACKNOWLEDGEMENT: "assigned",
    RoundStatus.ASSIGNED: "assigned",
    RoundStatus.UNFILLED: "unfilled",
    RoundStatus.CANCELLED: "cancelled",
}
CLOSED = ("completed", "cancelled")


@dataclass
class RequestState:
    """The request row's fields a use case reads and writes back."""

    request_id: str
    agency_id: str
    status: str
    seq: int
    round_number: int
    submitted: RequestSubmitted | None
    round: DispatchRound | None = None
    ranks: dict[str, int] = field(default_factory=dict)
    window: tuple[datetime, datetime] | None = None
    unfilled_reason: str | None = None
    unfilled_at: datetime | None = None


def round_json(rnd: DispatchRound) -> dict[str, Any]:
    """The round without its offers (they are rows of their own)."""
    p = rnd.policy
    return {
        "policy": {"fan_out": p.fan_out, "answer_window_seconds": p.answer_window_seconds,
                   "assign_on_call_at_once": p.assign_on_call_at_once,
                   "acknowledge_window_seconds": p.acknowledge_window_seconds},
        "candidates": [[c.provider_id, c.on_call] for c in rnd.candidates],
        "next_index": rnd.next_index,
        "status": str(rnd.status),
        "assigned_provider_id": rnd.assigned_provider_id,
        "acknowledgement_missed_by": list(rnd.acknowledgement_missed_by),
        "refused_by": list(rnd.refused_by),
    }


async def lock(conn: asyncpg.Connection, request_id: str) -> RequestState | None:
    """Lock the request and load its current round with the round's offers."""
    row = await request_repo.lock(conn, request_id)
    if row is None:
        return None
    submitted = RequestSubmitted.model_validate(row["submitted"]) if row["submitted"] else None
    state = RequestState(row["request_id"], row["agency_id"], row["status"], row["seq"], row["round_number"],
                         submitted, unfilled_reason=row["unfilled_reason"], unfilled_at=row["unfilled_at"])
    if row["window_start"] is not None:
        state.window = (row["window_start"], row["window_end"])
    saved = row["round"]
    if saved:
        offer_rows = await offer_repo.of_round(conn, request_id, row["round_number"])
        state.round = DispatchRound(
            request_id=request_id,
            round_number=row["round_number"],
            policy=OfferPolicy(**saved["policy"]),
            candidates=tuple(RankedCandidate(pid, on_call) for pid, on_call in saved["candidates"]),
            next_index=saved["next_index"],
            offers=tuple(offer_repo.to_offer(r) for r in offer_rows),
            status=RoundStatus(saved["status"]),
            assigned_provider_id=saved["assigned_provider_id"],
            acknowledgement_missed_by=tuple(saved["acknowledgement_missed_by"]),
            refused_by=tuple(saved.get("refused_by", ())),
        )
        state.ranks = {pid: i + 1 for i, (pid, _) in enumerate(saved["candidates"])}
    return state


async def save(conn: asyncpg.Connection, state: RequestState, fx: Effects) -> None:
    """Write the request row back together with the events and log records `fx` collected (one statement)."""
    state.seq = fx.seq
    window = state.window
    await fx.flush(conn, request={
        "request_id": state.request_id, "status": state.status, "round_number": state.round_number,
        "round": round_json(state.round) if state.round else None, "window_start": window[0] if window else None,
        "window_end": window[1] if window else None, "seq": state.seq, "unfilled_reason": state.unfilled_reason,
        "unfilled_at": state.unfilled_at,
    })
