"""Percentiles and printing shared by the benchmark scripts."""

import json
import os
import statistics
from pathlib import Path


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of samples."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary_ms(samples_s: list[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds of samples in seconds."""
    ms = [s * 1000 for s in samples_s]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "max": max(ms) if ms else float("nan"), "mean": statistics.fmean(ms) if ms else float("nan")}


def print_row(name: str, s: dict[str, float]) -> None:
    """One aligned line of figures."""
    print(f"  {name:<44} n={s['n']:>6}  p50={s['p50']:7.2f} ms  p95={s['p95']:7.2f} ms  "
          f"p99={s['p99']:7.2f} ms  max={s['max']:7.2f} ms", flush=True)


def results_dir() -> Path:
    """Where benchmark results are kept so that later benchmarks can print them side by side."""
    path = Path(os.environ.get("TAAS_STATE_DIR", Path(__file__).resolve().parents[2] / ".taas")) / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(name: str, figures: dict) -> None:
    """Keep a benchmark's figures as JSON."""
    (results_dir() / f"{name}.json").write_text(json.dumps(figures, indent=2))


def load(name: str) -> dict | None:
    """Figures of an earlier benchmark run, if any."""
    path = results_dir() / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None
