"""Test helpers shared by every test level (no fakes here: the tests use the real Kafka and PostgreSQL)."""

import asyncio
import contextlib
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import IO, Any

import aiohttp

from taas_kit.children import die_with_parent


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 20.0, interval: float = 0.05,
                     what: str = "condition") -> Any:
    """Await `check()` until it returns something truthy (returned), or raise AssertionError at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"{what} not met within {timeout}s (last: {result!r})")
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def running(work: Coroutine[Any, Any, Any]) -> AsyncIterator[asyncio.Task]:
    """Run `work` (a relay's or a consumer runner's `run()`) as a task for the block; cancelled and awaited after."""
    task = asyncio.create_task(work)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn_service(module: str, env: dict[str, str], *, python_args: tuple[str, ...] = (),
                  stdout: int | IO | None = subprocess.DEVNULL, stderr: int | IO | None = None) -> subprocess.Popen:
    """`python -m module` as a child that dies with this process (a killed test run leaves nothing running)."""
    return subprocess.Popen([sys.executable, *python_args, "-m", module], env=env, stdout=stdout, stderr=stderr,
                            preexec_fn=die_with_parent())


async def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll `url`/readyz until it answers 200; RuntimeError if the process exits or the deadline passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession() as http:
        while loop.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{url}: the process exited during start-up (code {proc.returncode})")
            try:
                async with http.get(url + "/readyz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} not ready within {timeout:.0f} s")
