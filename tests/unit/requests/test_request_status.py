"""The coverage request state machine: the full transition table, duplicates, and out-of-order delivery."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taas_contracts.catalog import RequestStatus as S
from taas_contracts.events import EVENT_MODELS, RequestCancelled
from taas_contracts.topics import DISPATCH_EVENTS, DISPATCH_LOG
from taas_requests.domain.status import (
    ALLOWED,
    CANCEL,
    STEP_EVENTS,
    TARGET_OF_EVENT,
    RequestProgress,
    StatusEvent,
    Verdict,
    apply,
    event_name,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

# The spec's table, written out independently of the module so the two check each other.
EXPECTED_ALLOWED: frozenset[tuple[S, S]] = frozenset(
    {
        (S.SUBMITTED, S.MATCHING),
        (S.SUBMITTED, S.CANCELLED),
        (S.MATCHING, S.MATCHING),
        (S.MATCHING, S.OFFERED),
        (S.MATCHING, S.ASSIGNED),
        (S.MATCHING, S.UNFILLED),
        (S.MATCHING, S.CANCELLED),
        (S.OFFERED, S.OFFERED),
        (S.OFFERED, S.ASSIGNED),
        (S.OFFERED, S.MATCHING),
        (S.OFFERED, S.UNFILLED),
        (S.OFFERED, S.CANCELLED),
        (S.ASSIGNED, S.IN_PROGRESS),
        (S.ASSIGNED, S.MATCHING),
        (S.ASSIGNED, S.CANCELLED),
        (S.IN_PROGRESS, S.COMPLETED),
        (S.IN_PROGRESS, S.MATCHING),
        (S.IN_PROGRESS, S.CANCELLED),
        (S.UNFILLED, S.UNFILLED),
        (S.UNFILLED, S.MATCHING),
        (S.UNFILLED, S.CANCELLED),
    }
)
# The spec's event names and where each leads, written out independently of the module.
EXPECTED_TARGET = {
    "request.matching": S.MATCHING,
    "offer.created": S.OFFERED,
    "assignment.created": S.ASSIGNED,
    "assignment.started": S.IN_PROGRESS,
    "assignment.completed": S.COMPLETED,
    "assignment.released": S.MATCHING,
    "request.unfilled": S.UNFILLED,
    "request.cancelled": S.CANCELLED,
}
CASES = list(itertools.product(S, EXPECTED_TARGET))

_ids = itertools.count()


def event(type_: str, seq: int | None = None, event_id: str | None = None) -> StatusEvent:
    """A status event with a fresh id unless one is given."""
    return StatusEvent(event_id or f"evt-{next(_ids)}", type_, T0 + timedelta(seconds=seq or 0), seq)


def test_the_table_is_the_spec_table() -> None:
    assert {(a, b) for a, targets in ALLOWED.items() for b in targets} == EXPECTED_ALLOWED
    assert set(ALLOWED) == set(S)


def test_every_event_name_leads_where_the_spec_says() -> None:
    assert TARGET_OF_EVENT == EXPECTED_TARGET


@pytest.mark.parametrize(("current", "type_"), CASES, ids=[f"{a}+{t}" for a, t in CASES])
def test_each_transition_is_applied_or_refused_as_the_table_says(current: S, type_: str) -> None:
    target = EXPECTED_TARGET[type_]
    progress = RequestProgress(status=current, last_seq=5)
    outcome = apply(progress, event(type_, seq=None if type_ == CANCEL else 6))
    if (current, target) in EXPECTED_ALLOWED:
        assert outcome.verdict is Verdict.APPLIED
        assert outcome.status is target
        assert outcome.reason is None
        assert outcome.progress.last_seq == (5 if type_ == CANCEL else 6)
    else:
        assert outcome.verdict is Verdict.REFUSED
        assert outcome.status is current
        assert outcome.progress.last_seq == 5
        assert outcome.reason
        assert outcome.entry is not None and outcome.entry.verdict is Verdict.REFUSED


def test_every_allowed_transition_has_an_event_that_makes_it() -> None:
    assert {target for _, target in EXPECTED_ALLOWED} <= set(EXPECTED_TARGET.values())


def test_no_event_moves_a_request_back_to_submitted() -> None:
    assert S.SUBMITTED not in TARGET_OF_EVENT.values()


@pytest.mark.parametrize(
    ("current", "type_"),
    [
        (S.ASSIGNED, "assignment.released"),
        (S.IN_PROGRESS, "assignment.released"),
        (S.OFFERED, "request.matching"),
        (S.UNFILLED, "request.matching"),
    ],
)
def test_released_lapsed_or_unfilled_requests_go_back_to_matching(current: S, type_: str) -> None:
    outcome = apply(RequestProgress(status=current, last_seq=3), event(type_, seq=4))
    assert (outcome.verdict, outcome.status, outcome.changed) == (Verdict.APPLIED, S.MATCHING, True)


@pytest.mark.parametrize("current", [S.ASSIGNED, S.IN_PROGRESS, S.CANCELLED])
def test_a_release_without_redispatch_is_a_step(current: S) -> None:
    released = StatusEvent("rel-1", "taas.assignment.released.v1", T0, seq=4, redispatch=False)
    outcome = apply(RequestProgress(status=current, last_seq=3), released)
    assert (outcome.verdict, outcome.status, outcome.progress.last_seq) == (Verdict.APPLIED, current, 3)


def test_every_dispatch_contract_event_is_understood() -> None:
    dispatch_topics = (DISPATCH_EVENTS.name, DISPATCH_LOG.name)
    dispatch_types = {m.EVENT_TYPE for m in EVENT_MODELS.values() if m.TOPIC in dispatch_topics}
    assert dispatch_types
    for type_ in dispatch_types:
        assert event_name(type_) in TARGET_OF_EVENT or event_name(type_) in STEP_EVENTS, type_
    assert event_name(RequestCancelled.EVENT_TYPE) == CANCEL


def test_applied_event_is_recorded_in_the_timeline_and_advances_seq() -> None:
    outcome = apply(RequestProgress(), event("request.matching", seq=1, event_id="e1"))
    assert outcome.progress == RequestProgress(S.MATCHING, 1, frozenset({"e1"}))
    assert outcome.entry is not None
    assert (outcome.entry.from_status, outcome.entry.to_status, outcome.entry.seq) == (S.SUBMITTED, S.MATCHING, 1)


def test_contract_event_types_are_understood() -> None:
    assert event_name("taas.offer.created.v1") == "offer.created"
    assert event_name("offer.created.v12") == "offer.created"
    assert event_name("offer.created") == "offer.created"
    outcome = apply(RequestProgress(status=S.MATCHING, last_seq=1), event("taas.offer.created.v1", seq=2))
    assert outcome.status is S.OFFERED


def test_unknown_event_type_is_refused() -> None:
    outcome = apply(RequestProgress(status=S.MATCHING, last_seq=1), event("offer.teleported", seq=2))
    assert outcome.verdict is Verdict.REFUSED
    assert "unknown" in (outcome.reason or "")
    assert outcome.progress.last_seq == 1


def test_dispatch_event_without_seq_is_refused() -> None:
    outcome = apply(RequestProgress(status=S.MATCHING, last_seq=1), event("offer.created", seq=None))
    assert outcome.verdict is Verdict.REFUSED
    assert outcome.status is S.MATCHING


@pytest.mark.parametrize("step", sorted(STEP_EVENTS))
def test_step_events_are_recorded_without_moving_the_status_or_the_seq(step: str) -> None:
    outcome = apply(RequestProgress(status=S.OFFERED, last_seq=4), event(step, seq=9))
    assert outcome.verdict is Verdict.APPLIED
    assert not outcome.changed
    assert outcome.progress.last_seq == 4
    assert outcome.entry is not None and outcome.entry.event_type == step


def test_time_logged_after_completion_still_reaches_the_timeline() -> None:
    outcome = apply(RequestProgress(status=S.COMPLETED, last_seq=8), event("assignment.time_logged", seq=7))
    assert outcome.verdict is Verdict.APPLIED
    assert outcome.status is S.COMPLETED


# --- cancel -------------------------------------------------------------------------------------


@pytest.mark.parametrize("current", [s for s in S if s not in (S.COMPLETED, S.CANCELLED)])
def test_cancel_applies_from_any_non_terminal_status_whatever_the_seq(current: S) -> None:
    outcome = apply(RequestProgress(status=current, last_seq=7), event(CANCEL))
    assert outcome.status is S.CANCELLED
    assert outcome.progress.last_seq == 7


@pytest.mark.parametrize("terminal", [S.COMPLETED, S.CANCELLED])
@pytest.mark.parametrize("type_", sorted(TARGET_OF_EVENT))
def test_nothing_moves_a_terminal_request(terminal: S, type_: str) -> None:
    outcome = apply(RequestProgress(status=terminal, last_seq=3), event(type_, seq=4))
    assert outcome.verdict is Verdict.REFUSED
    assert outcome.status is terminal


def test_dispatch_assignment_racing_a_cancel_is_refused() -> None:
    cancelled = apply(RequestProgress(status=S.OFFERED, last_seq=2), event(CANCEL)).progress
    outcome = apply(cancelled, event("assignment.created", seq=3))
    assert outcome.verdict is Verdict.REFUSED
    assert "cancelled" in (outcome.reason or "")


# --- duplicates ---------------------------------------------------------------------------------


def test_a_duplicate_event_is_a_no_op() -> None:
    first = apply(RequestProgress(), event("request.matching", seq=1, event_id="dup"))
    again = apply(first.progress, event("request.matching", seq=1, event_id="dup"))
    assert again.verdict is Verdict.DUPLICATE
    assert again.progress is first.progress
    assert again.entry is None


def test_a_duplicate_is_recognised_by_id_even_with_another_seq() -> None:
    first = apply(RequestProgress(status=S.MATCHING, last_seq=1), event("offer.created", seq=2, event_id="x"))
    again = apply(first.progress, event("offer.created", seq=3, event_id="x"))
    assert again.verdict is Verdict.DUPLICATE
    assert again.progress.last_seq == 2


def test_redelivered_refused_event_is_a_silent_duplicate() -> None:
    refused = apply(RequestProgress(status=S.SUBMITTED, last_seq=1), event("assignment.started", seq=2, event_id="r"))
    assert refused.verdict is Verdict.REFUSED
    again = apply(refused.progress, event("assignment.started", seq=2, event_id="r"))
    assert again.verdict is Verdict.DUPLICATE
    assert again.entry is None


def test_a_duplicate_cancel_is_a_no_op() -> None:
    cancelled = apply(RequestProgress(status=S.MATCHING), event(CANCEL, event_id="c"))
    again = apply(cancelled.progress, event(CANCEL, event_id="c"))
    assert again.verdict is Verdict.DUPLICATE


# --- out of order -------------------------------------------------------------------------------


def test_an_older_event_is_ignored_as_stale_and_recorded() -> None:
    progress = RequestProgress(status=S.ASSIGNED, last_seq=3)
    outcome = apply(progress, event("offer.created", seq=2))
    assert outcome.verdict is Verdict.STALE
    assert outcome.status is S.ASSIGNED
    assert outcome.progress.last_seq == 3
    assert outcome.entry is not None and outcome.entry.verdict is Verdict.STALE


def test_an_event_with_the_same_seq_is_stale() -> None:
    outcome = apply(RequestProgress(status=S.OFFERED, last_seq=2), event("request.unfilled", seq=2))
    assert outcome.verdict is Verdict.STALE


def test_a_newer_event_after_a_gap_applies_when_reachable() -> None:
    progress = apply(RequestProgress(), event("request.matching", seq=1)).progress
    jumped = apply(progress, event("assignment.started", seq=4))
    assert (jumped.verdict, jumped.status) == (Verdict.APPLIED, S.IN_PROGRESS)
    late = apply(jumped.progress, event("offer.created", seq=2))
    assert (late.verdict, late.status) == (Verdict.STALE, S.IN_PROGRESS)


def test_a_gap_lets_a_release_and_rematch_be_missed() -> None:
    # started(4), released(5) and matching(6) are missed or late: the offer still moves the request on.
    outcome = apply(RequestProgress(status=S.IN_PROGRESS, last_seq=4), event("offer.created", seq=7))
    assert (outcome.verdict, outcome.status) == (Verdict.APPLIED, S.OFFERED)


@pytest.mark.parametrize("terminal", [S.COMPLETED, S.CANCELLED])
def test_a_newer_event_after_a_gap_is_refused_for_a_terminal_request(terminal: S) -> None:
    outcome = apply(RequestProgress(status=terminal, last_seq=4), event("request.matching", seq=9))
    assert outcome.verdict is Verdict.REFUSED
    assert outcome.status is terminal


def test_consecutive_events_need_a_direct_edge_but_a_gap_allows_a_path() -> None:
    direct = apply(RequestProgress(status=S.MATCHING, last_seq=1), event("assignment.started", seq=2))
    assert direct.verdict is Verdict.REFUSED
    across_gap = apply(RequestProgress(status=S.MATCHING, last_seq=1), event("assignment.started", seq=3))
    assert across_gap.verdict is Verdict.APPLIED


def test_the_first_dispatch_event_seen_may_skip_ahead() -> None:
    outcome = apply(RequestProgress(), event("offer.created", seq=2))
    assert outcome.status is S.OFFERED


def test_a_stale_completion_is_not_lost() -> None:
    outcome = apply(RequestProgress(status=S.IN_PROGRESS, last_seq=9), event("assignment.completed", seq=8))
    assert (outcome.verdict, outcome.status) == (Verdict.APPLIED, S.COMPLETED)
    assert outcome.progress.last_seq == 9


def test_a_late_event_after_completion_is_stale_not_refused() -> None:
    outcome = apply(RequestProgress(status=S.COMPLETED, last_seq=5), event("assignment.started", seq=4))
    assert outcome.verdict is Verdict.STALE


def test_a_step_numbered_after_a_late_status_event_does_not_shadow_it() -> None:
    progress = apply(RequestProgress(), event("request.matching", seq=1)).progress
    progress = apply(progress, event("offer.declined", seq=3)).progress
    outcome = apply(progress, event("offer.created", seq=2))
    assert (outcome.verdict, outcome.status) == (Verdict.APPLIED, S.OFFERED)


HAPPY_PATH = ["request.matching", "offer.created", "assignment.created", "assignment.started", "assignment.completed"]
HAPPY_RANK = {S.SUBMITTED: 0, S.MATCHING: 1, S.OFFERED: 2, S.ASSIGNED: 3, S.IN_PROGRESS: 4, S.COMPLETED: 5}


@pytest.mark.parametrize("order", list(itertools.permutations(range(5))))
def test_the_happy_path_in_any_order_ends_completed_and_never_moves_back(order: tuple[int, ...]) -> None:
    events = [event(type_, seq=seq) for seq, type_ in enumerate(HAPPY_PATH, start=1)]
    progress = RequestProgress()
    for index in order:
        outcome = apply(progress, events[index])
        assert HAPPY_RANK[outcome.status] >= HAPPY_RANK[progress.status]
        progress = outcome.progress
    assert progress.status is S.COMPLETED


@st.composite
def valid_histories(draw: st.DrawFn) -> list[StatusEvent]:
    """A history dispatch could produce: a walk through the table, with steps between, numbered 1..n."""
    status, history = S.SUBMITTED, []
    for seq in range(1, draw(st.integers(1, 14)) + 1):
        moves = [t for t, target in TARGET_OF_EVENT.items() if t != CANCEL and target in ALLOWED[status]]
        if not moves:
            break
        type_ = draw(st.sampled_from(moves + sorted(STEP_EVENTS)))
        status = TARGET_OF_EVENT.get(type_, status)
        history.append(StatusEvent(f"h{seq}", type_, T0 + timedelta(seconds=seq), seq))
    return history


@given(data=st.data())
def test_any_order_with_duplicates_ends_where_in_order_delivery_ends(data: st.DataObject) -> None:
    history = data.draw(valid_histories())
    in_order = RequestProgress()
    for item in history:
        outcome = apply(in_order, item)
        assert outcome.verdict is Verdict.APPLIED, outcome.reason
        in_order = outcome.progress
    deliveries = data.draw(st.permutations(history + data.draw(st.lists(st.sampled_from(history), max_size=5))))
    shuffled = RequestProgress()
    for item in deliveries:
        outcome = apply(shuffled, item)
        assert outcome.verdict is not Verdict.REFUSED, outcome.reason
        shuffled = outcome.progress
    assert shuffled.status is in_order.status
    assert shuffled.seen_event_ids == in_order.seen_event_ids
