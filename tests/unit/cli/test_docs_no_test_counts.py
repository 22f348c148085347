"""Test counts written into docs go stale: README.md and docs/ carry none."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
COUNT = re.compile(r"\b\d+ (unit |integration |e2e )?tests?\b|\b\d+ passed\b")


def test_no_test_counts_in_the_docs():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in pages
             for n, line in enumerate(p.read_text().splitlines(), 1) if COUNT.search(line)]
    assert found == []
