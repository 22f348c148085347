"""Statement texts and row shaping of the repositories that need no database."""

import itertools
import re

from taas_dispatch.domain.scoring import ScoringContext
from taas_dispatch.domain.views import ReliabilityStats
from taas_dispatch.repository import candidates, changes, stats


def test_every_combination_of_written_parts_numbers_its_parameters_without_a_gap():
    for offers, log, events, request in itertools.product([False, True], repeat=4):
        if not (offers or log or events or request):
            continue
        text = changes._statement(offers, log, events, request)
        numbers = {int(n) for n in re.findall(r"\$(\d+)", text)}
        assert numbers == set(range(1, 8 * offers + 8 * log + 6 * events + 9 * request + 1)), text
        assert ("INSERT INTO timers" in text) == offers  # every new offer gets its answer deadline
        assert ("pg_notify" in text) == events  # the relay is woken only when there is something to publish
        assert ("INSERT INTO dispatch_log" in text) == log and ("UPDATE requests" in text) == request


def test_the_candidate_queries_share_their_numbered_parameters():
    assert {int(n) for n in re.findall(r"\$(\d+)", candidates.INCIDENT_QUERY)} == set(range(1, 16))
    assert {int(n) for n in re.findall(r"\$(\d+)", candidates.VACANCY_QUERY)} == set(range(1, 19))


def test_the_history_row_becomes_the_scoring_context_and_answer_records():
    row = {"history_kind": ["prior", "recent", "lent", "answers", "answers", "open"],
           "history_key": ["p-1", "p-1", "j-1", "p-1", "p-2", "p-2"],
           "history_n": [2, 3, 4, 5, 1, 6], "history_accepted": [0, 0, 0, 4, 0, 0],
           "history_median": [None, None, None, 30.6, None, None]}
    context, reliability = stats.history(row)
    assert context == ScoringContext({"p-1": 2}, {"p-1": 3}, {"j-1": 4}, {"p-2": 6})
    assert reliability == {"p-1": ReliabilityStats(5, 4, 31), "p-2": ReliabilityStats(1, 0, None)}
    empty = {c: None for c in stats.COLUMNS}
    assert stats.history(empty) == (ScoringContext(), {}) == stats.history(None)
