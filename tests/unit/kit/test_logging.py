"""The repeat filter that keeps a client library's retry noise to one line a minute."""

import json
import logging

import structlog

from taas_kit.logging import RepeatFilter, configure_logging


def _record(msg: str, *args) -> logging.LogRecord:
    return logging.LogRecord("aiokafka.conn", logging.ERROR, __file__, 1, msg, args, None)


def test_one_record_per_template_per_period_then_the_count_of_those_held_back():
    now = [0.0]
    f = RepeatFilter(60.0, only="aiokafka", clock=lambda: now[0])
    assert f.filter(_record("Unable connect to node with id %s", 1))
    for i in range(5):
        now[0] += 1.0
        assert not f.filter(_record("Unable connect to node with id %s", i))
    assert f.filter(_record("Group Coordinator Request failed: %s", "x"))  # another template is its own
    now[0] = 61.0
    again = _record("Unable connect to node with id %s", 1)
    assert f.filter(again)
    assert again.getMessage() == "Unable connect to node with id 1 (and 5 more like it in the last 61 s)"
    now[0] = 200.0
    quiet = _record("Unable connect to node with id %s", 1)
    assert f.filter(quiet) and quiet.getMessage() == "Unable connect to node with id 1"


def test_other_loggers_pass_untouched():
    f = RepeatFilter(60.0, only="aiokafka", clock=lambda: 0.0)
    other = logging.LogRecord("taas.consumer", logging.WARNING, __file__, 1, "same", (), None)
    assert all(f.filter(other) for _ in range(3))
    assert f.filter(_record("x")) and not f.filter(_record("x"))


def test_standard_library_records_are_rendered_as_json_with_level_and_logger(capsys):
    root = logging.getLogger()
    kept, kept_structlog = (root.handlers[:], root.level), structlog.get_config()
    try:
        configure_logging("INFO", json=True)
        logging.getLogger("aiokafka.consumer.group_coordinator").error(
            "Group Coordinator Request failed: %s", "[Error 15] CoordinatorNotAvailableError")
        logging.getLogger("asyncio").error("Task exception was never retrieved")
    finally:
        root.handlers, root.level = kept
        structlog.configure(**kept_structlog)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["level"] == "warning" and lines[0]["logger"] == "aiokafka.consumer.group_coordinator"
    assert lines[0]["event"] == "Group Coordinator Request failed: [Error 15] CoordinatorNotAvailableError"
    assert lines[1]["level"] == "error" and lines[1]["logger"] == "asyncio" and "timestamp" in lines[1]
