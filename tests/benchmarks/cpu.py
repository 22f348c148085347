"""CPU time from /proc (Linux): one process, the whole machine, and every process on it by group."""

import os
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat (Linux)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK"), sum(values) / os.sysconf("SC_CLK_TCK")


def group_cpu(own: dict[str, set[int]]) -> dict[str, float]:
    """CPU seconds used so far by every process on the machine, grouped: PostgreSQL, Kafka, ours, the rest (Linux)."""
    totals = {"postgres": 0.0, "kafka": 0.0, **{name: 0.0 for name in own}, "other": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cpu = cpu_seconds(int(entry.name))
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        pid = int(entry.name)
        name = next((n for n, pids in own.items() if pid in pids), None)
        if name is None:
            name = "postgres" if b"postgres" in command else "kafka" if b"kafka.Kafka" in command else "other"
        totals[name] += cpu
    return totals
