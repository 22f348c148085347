"""`taas log -n N` prints the last N records overall, not N per partition; its help and the README say so."""

from collections import namedtuple
from pathlib import Path

from taas_cli import main, ops

Record = namedtuple("Record", "partition offset timestamp")
README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_last_n_overall_across_partitions_oldest_first():
    p0 = [Record(0, i, t) for i, t in enumerate((10, 40, 70))]
    p1 = [Record(1, i, t) for i, t in enumerate((20, 50, 60))]
    got = ops.last_records(p0 + p1, 3)
    assert [(r.partition, r.timestamp) for r in got] == [(1, 50), (1, 60), (0, 70)]


def test_fewer_records_than_asked_and_zero():
    records = [Record(0, 0, 5), Record(1, 0, 3)]
    assert [r.timestamp for r in ops.last_records(records, 20)] == [3, 5]
    assert ops.last_records(records, 0) == []


def test_help_and_readme_agree_on_overall():
    log = main._parser()._subparsers._group_actions[0].choices["log"]  # noqa: SLF001 - argparse has no public way
    help_text = log.format_help()
    assert "overall" in help_text and "per partition" not in help_text
    row = next(line for line in README.read_text().splitlines() if line.startswith("| `./taas log"))
    assert "last N records" in row and "overall" in row
