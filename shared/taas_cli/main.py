"""The `taas` command: run the local system, migrate, manage keys, run tests and benchmarks."""

import argparse
import os
import subprocess
import sys

from taas_deploy.errors import InfraError
from taas_deploy.paths import REPO_ROOT


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="taas", description="Dispatch system for shared public-sector IT talent.")
    sub = p.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start Kafka, PostgreSQL and every service in the background")
    up.add_argument("--demo", action="store_true", help="load demo agencies, providers and requests")
    up.add_argument("--infra-only", action="store_true", help="start only Kafka and PostgreSQL (and topics, migrations)")
    sub.add_parser("down", help="stop everything taas up started")
    sub.add_parser("status", help="what runs and whether it is healthy")
    sub.add_parser("migrate", help="apply pending SQL migrations of every service")
    keys = sub.add_parser("keys", help="API tokens")
    ksub = keys.add_subparsers(dest="keys_command", required=True)
    issue = ksub.add_parser("issue", help="print a new token")
    issue.add_argument("--role", required=True, choices=["agency", "provider", "ops", "billing"])
    issue.add_argument("--tenant", help="agency or provider id (required for agency and provider)")
    issue.add_argument("--ttl", type=int, default=30 * 86400, help="lifetime in seconds (default 30 days)")
    revoke = ksub.add_parser("revoke", help="revoke a token (the token itself, checked first, or its bare id, "
                                            "recorded unchecked: there is no registry of issued tokens)")
    revoke.add_argument("token")
    log = sub.add_parser("log", help="print the dispatch log (every decision and its reasons)")
    log.add_argument("-f", "--follow", action="store_true", help="keep printing new records")
    log.add_argument("-n", "--last", type=int, default=20, metavar="N",
                     help="print the last N records overall, oldest first (default 20)")
    log.add_argument("--request", help="only this request id")
    sub.add_parser("dlq", help="list dead-lettered messages with their reasons")
    test = sub.add_parser("test", help="run the test suite against real Kafka and PostgreSQL")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments")
    bench = sub.add_parser("bench", help="run a benchmark and print its figures")
    bench.add_argument("name", help="which benchmark: floor, requests, availability, dispatch, billing, skeleton")
    bench.add_argument("--quick", action="store_true", help="short form (as in CI)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `taas` command."""
    argv = sys.argv[1:] if argv is None else argv
    # Taken out of the environment so that nothing started from here (services, pytest) inherits a stale start.
    started_raw = os.environ.pop("TAAS_STARTED_AT", None)
    if argv[:1] == ["test"]:  # everything after `test` goes to pytest untouched (argparse would eat `-q`, `-k`)
        try:
            return _test(argv[1:])
        except InfraError as exc:
            print(f"taas: {exc}", file=sys.stderr)
            return 1
    args = _parser().parse_args(argv)
    args.started_raw = started_raw
    try:
        return _run(args)
    except InfraError as exc:
        print(f"taas: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    from taas_cli import infra, stack

    if args.command == "up":
        stack.up(services=not args.infra_only, demo=args.demo,
                 started=stack.started_at(getattr(args, "started_raw", None)))
        return 0
    if args.command == "down":
        stack.down()
        return 0
    if args.command == "status":
        return 0 if stack.status() else 1
    if args.command == "migrate":
        from taas_cli.migrate import migrate_all

        migrate_all(infra.current())
        return 0
    if args.command == "keys":
        from taas_cli import keys

        if args.keys_command == "issue":
            if args.role in ("agency", "provider") and not args.tenant:
                print(f"taas: --tenant is required for role {args.role}", file=sys.stderr)
                return 2
            print(keys.issue(args.role, args.tenant, args.ttl))
            return 0
        try:
            print(keys.revoke(args.token, infra.current().bootstrap), file=sys.stderr)
        except keys.RevokeError as exc:
            print(f"taas: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command in ("log", "dlq"):
        from taas_cli import ops

        bootstrap, prefix = infra.current().bootstrap, os.environ.get("TAAS_TOPIC_PREFIX", "")
        if args.command == "log":
            ops.run(ops.tail_dispatch_log(bootstrap, prefix, args.follow, args.last, args.request))
            return 0
        found = ops.run(ops.list_dead_letters(bootstrap, prefix))
        print(f"{found} dead letter(s)", file=sys.stderr)
        return 0
    if args.command == "test":
        return _test(args.pytest_args)
    if args.command == "bench":
        return _bench(args.name, args.quick)
    return 2


def _infra_env(started: list[str] | None = None) -> dict[str, str]:
    """Kafka and PostgreSQL for tests and benchmarks (started if need be); names what it started into `started`."""
    import asyncio

    from taas_cli import infra, stack
    from taas_deploy import kafka, postgres
    from taas_kit.kafka import ensure_topics

    was_up = {"Kafka": bool(os.environ.get("KAFKA_BOOTSTRAP_SERVERS"))
              or asyncio.run(kafka.is_healthy(kafka.bootstrap(), timeout=2)),
              "PostgreSQL": bool(os.environ.get("DATABASE_URL")) or stack._pg_ok(postgres.admin_url())}  # noqa: SLF001
    found = infra.ensure()
    if started is not None:
        started.extend(name for name, up in was_up.items() if not up)
    asyncio.run(ensure_topics(found.bootstrap))
    return {"KAFKA_BOOTSTRAP_SERVERS": found.bootstrap, "DATABASE_URL": found.admin_dsn}


def left_running_note(started: list[str]) -> str | None:
    """What `taas test` says at the end about the Kafka and PostgreSQL it started (None when it started neither)."""
    if not started:
        return None
    what = " and ".join(started)
    return (f"taas test: {what} {'were' if len(started) > 1 else 'was'} started for this run and "
            f"{'are' if len(started) > 1 else 'is'} left running (the next run reuses "
            f"{'them' if len(started) > 1 else 'it'}); stop with ./taas down")


def _test(pytest_args: list[str]) -> int:
    started: list[str] = []
    env = {**os.environ, **_infra_env(started)}
    code = subprocess.call([sys.executable, "-m", "pytest", *pytest_args], cwd=REPO_ROOT, env=env)
    note = left_running_note(started)
    if note:
        print(note, file=sys.stderr)
    return code


def _bench(name: str, quick: bool) -> int:
    script = REPO_ROOT / "tests" / "benchmarks" / f"bench_{name}.py"
    if not script.exists():
        known = sorted(p.stem.removeprefix("bench_") for p in script.parent.glob("bench_*.py"))
        print(f"taas: no benchmark {name!r}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    env = {**os.environ, **_infra_env()}
    cmd = [sys.executable, str(script)] + (["--quick"] if quick else [])
    return subprocess.call(cmd, cwd=REPO_ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
