"""Columns line up in `taas up`/`status`; `taas test` says when it leaves Kafka and PostgreSQL running."""

from taas_cli import main, stack


def _column(line: str) -> int:
    label_end = len(line) - len(line.lstrip()) + len(line.split()[0])
    return label_end + len(line[label_end:]) - len(line[label_end:].lstrip())


def test_up_lines_put_their_text_in_one_column():
    said: list[str] = []
    say = stack.aligned(said.append)
    for line in ("  kafka      already running on 127.0.0.1:9092", "  migrations up to date",
                 "  availability starting on :8082 ...", "  requests   ready on http://127.0.0.1:8081",
                 "  demo       agency   crow-wing-county   created"):
        say(line)
    assert len({_column(line) for line in said}) == 1, said
    assert said[-1].endswith("agency   crow-wing-county   created")  # spacing inside the text is kept


def test_other_lines_pass_through():
    said: list[str] = []
    say = stack.aligned(said.append)
    for line in ("taas up", "", "  OPS=abc", "  1. accept the vacancy", "     curl -s x"):
        say(line)
    assert said == ["taas up", "", "  OPS=abc", "  1. accept the vacancy", "     curl -s x"]


def test_every_service_name_fits_the_label_column():
    assert all(len(s.name) <= stack.LABEL_WIDTH for s in stack.SERVICES)


def test_test_says_what_it_left_running_and_how_to_stop_it():
    note = main.left_running_note(["Kafka", "PostgreSQL"])
    assert "Kafka and PostgreSQL" in note and "left running" in note and "./taas down" in note
    assert "Kafka was started" in main.left_running_note(["Kafka"])
    assert main.left_running_note([]) is None
