"""Background processes with pid files: start detached, check, stop cleanly."""

import os
import resource
import signal
import socket
import subprocess
import time
from pathlib import Path

from taas_deploy.errors import InfraError
from taas_deploy.paths import logs_dir, state_dir


_children: dict[str, subprocess.Popen] = {}


def pid_file(name: str) -> Path:
    """Pid file of the named background process."""
    return state_dir() / f"{name}.pid"


def read_pid(name: str) -> int | None:
    """Pid of the named process if it is alive, else None (and a stale pid file is removed)."""
    path = pid_file(name)
    try:
        pid = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        path.unlink(missing_ok=True)
        return None
    except PermissionError:
        return pid
    if _is_zombie(pid):
        path.unlink(missing_ok=True)
        return None
    return pid


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (FileNotFoundError, IndexError):
        return False


def start(name: str, argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> int:
    """Start argv detached in its own session, output to logs/<name>.log; returns the pid."""
    log_path = logs_dir() / f"{name}.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_raise_open_files_limit,
        )
    pid_file(name).write_text(str(proc.pid))
    _children[name] = proc  # keep the handle so the child is reaped when stopped from this process
    return proc.pid


def _raise_open_files_limit() -> None:
    """Give the child the hard limit of open files (a broker keeps several per partition)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 1_048_576
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def stop(name: str, timeout: float = 30.0) -> bool:
    """SIGTERM the named process, wait, SIGKILL if it lingers; True if something was stopped."""
    pid = read_pid(name)
    child = _children.pop(name, None)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and child.poll() is not None:
            break
        if read_pid(name) is None:
            break
        time.sleep(0.2)
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if child is not None:
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            pass
    pid_file(name).unlink(missing_ok=True)
    return True


def port_open(host: str, port: int) -> bool:
    """True if something accepts TCP connections on host:port."""
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def ensure_port_free(host: str, port: int, what: str) -> None:
    """Fail with one clear line when a port we need is taken by something else."""
    if port_open(host, port):
        raise InfraError(
            f"port {host}:{port} needed by {what} is taken by another program: stop it, "
            f"or point taas at it with the matching environment variable"
        )


def tail(name: str, lines: int = 15) -> str:
    """Last lines of a background process's log, for error messages."""
    path = logs_dir() / f"{name}.log"
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
