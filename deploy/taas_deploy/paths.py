"""Where the local stack keeps its state, logs and caches."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def state_dir() -> Path:
    """The one local state folder (data, logs, pid files); `TAAS_STATE_DIR` overrides it."""
    path = Path(os.environ.get("TAAS_STATE_DIR", REPO_ROOT / ".taas"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """A cache that outlives a clone (downloaded Kafka jars)."""
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    path = base / "taas"
    path.mkdir(parents=True, exist_ok=True)
    return path


def logs_dir() -> Path:
    """Folder of every background process's log file."""
    path = state_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
