"""Skeleton benchmark: the floor of the architecture on this machine, the agency path's hops without its logic.

Run: ./taas bench skeleton [--quick] (quick: 50/s for 3 s). A front service (POST -> the row and its outbox event in
one statement -> relay) and a worker (the consumer runner -> a row and an outbox event in one statement -> relay)
run as processes built from the kit on fresh schemas and topics; POSTs at steady rates, each result read off its
topic. Measured and printed as `bench_dispatch.py --agency` does (see tests/benchmarks/steady.py), so the two
compare line by line: what the real path costs above these figures is its business logic.
"""

import argparse
import asyncio
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from scaffold import migrated_schema  # noqa: E402
from skeleton_services import MIGRATIONS, RESULTS, THING_CREATED, THING_HANDLED, THINGS  # noqa: E402
from steady import SECRET, SteadyPath, measure, report, start_service  # noqa: E402

from taas_contracts.topics import ALL_TOPICS  # noqa: E402
from taas_kit import auth, kafka  # noqa: E402
from taas_kit.testing import free_port, wait_ready  # noqa: E402


class SkeletonPath(SteadyPath):
    """The front and the worker on fresh schemas and topics, and a reader of results."""

    relayed, outcome, last_part = THING_CREATED, (THING_HANDLED,), "worker"
    legend = "(post: scheduled -> 201; relay: 201 -> thing read; worker: thing read -> result read)"

    async def start(self) -> None:
        """Both schemas, the topics, both services (ready) and an agency token."""
        self.schemas.append(front := await migrated_schema(self.dsn, "skeleton_front", MIGRATIONS / "front"))
        self.schemas.append(worker := await migrated_schema(self.dsn, "skeleton_worker", MIGRATIONS / "worker"))
        await kafka.ensure_topics(self.bootstrap, (*ALL_TOPICS, THINGS, RESULTS), prefix=self.prefix)
        urls = {}
        for role, schema in (("front", front), ("worker", worker)):
            port = free_port()
            urls[role] = f"http://127.0.0.1:{port}"
            self.groups[role] = [self._start(role, schema, port)]
        await self.listen(self.prefix + RESULTS.name, self.prefix + THINGS.name)
        for role, url in urls.items():
            await wait_ready(url, self.groups[role][0])
        self.url = f"{urls['front']}/v1/things"
        self.headers = {"Authorization": f"Bearer {auth.issue(SECRET, 'agency', tenant=f'bench-{self.run}')}"}

    def _start(self, role: str, schema: str, port: int) -> subprocess.Popen:
        path = os.pathsep.join(filter(None, (str(HERE), os.environ.get("PYTHONPATH"))))
        return start_service("skeleton_services", f"TAAS_SKELETON_{role.upper()}_", self.dsn, self.bootstrap, schema,
                             self.prefix, f"bench-{role}-{self.run}", port,
                             env={"TAAS_SKELETON_ROLE": role, "PYTHONPATH": path})


async def main(quick: bool, rates: list[int], seconds: float, repeat: int) -> None:
    dsn, bootstrap = os.environ["DATABASE_URL"], os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    if quick:
        rates, seconds = [50], 3.0
    print(f"skeleton POST -> result read (the path's hops, no business logic): rates {rates}/s for {seconds:g} s, "
          f"median of {repeat} run(s)", flush=True)
    async with SkeletonPath(dsn, bootstrap) as path:
        figures = await measure(path, rates, seconds, repeat, lambda rate: f"POST -> result ({rate}/s, skeleton)")
    report("skeleton", figures)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short form, as in CI: 50/s for 3 s")
    parser.add_argument("--rates", default="50,100,150,200", help="steady rates, requests/s")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each steady run")
    parser.add_argument("--repeat", type=int, default=1, help="runs per rate (the median is printed)")
    args = parser.parse_args()
    import uvloop  # the load generator shares the machine: it should take as little of it as it can

    uvloop.install()
    asyncio.run(main(args.quick, [int(r) for r in args.rates.split(",")], args.seconds, args.repeat))
