"""`taas up` measures its time from the ./taas wrapper's start (TAAS_STARTED_AT), install included."""

from pathlib import Path

from taas_cli.stack import started_at

WRAPPER = Path(__file__).resolve().parents[3] / "taas"


def test_the_wrapper_exports_its_start_before_installing():
    text = WRAPPER.read_text()
    export = text.index('export TAAS_STARTED_AT="${TAAS_STARTED_AT:-$(date +%s.%N)}"')
    assert export < text.index("/bin/pip\" install")


def test_started_at_uses_the_wrappers_time():
    assert started_at("1000.5", now=1100.0) == 1000.5


def test_started_at_ignores_missing_bad_future_or_stale_values():
    for raw in (None, "", "soon", "2000", "1"):
        assert started_at(raw, now=100_000.0) == 100_000.0
