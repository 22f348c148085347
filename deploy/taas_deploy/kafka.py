"""A one-node Apache Kafka in KRaft mode, fetched from Maven Central and run with the machine's Java."""

import asyncio
import base64
import logging
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from taas_deploy import procs
from taas_deploy.errors import InfraError
from taas_deploy.paths import REPO_ROOT, cache_dir, logs_dir, state_dir

KAFKA_VERSION = "4.0.0"
HOST = "127.0.0.1"
PORT = 9092
CONTROLLER_PORT = 9093
POM = REPO_ROOT / "deploy" / "kafka" / "pom.xml"
NAME = "kafka"


def bootstrap() -> str:
    """The address of the default local broker."""
    return f"{HOST}:{PORT}"


def lib_dir() -> Path:
    """Cached folder holding the broker's jars."""
    return cache_dir() / f"kafka-{KAFKA_VERSION}-r2" / "lib"


def ensure_jars(say=print) -> Path:
    """Fetch the pinned broker and its runtime dependencies with Maven, once."""
    lib = lib_dir()
    marker = lib / ".complete"
    if marker.exists():
        return lib
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            raise InfraError(f"{tool} not found: install it (apt-get install -y openjdk-17-jre-headless maven)")
    say(f"  fetching Apache Kafka {KAFKA_VERSION} from Maven Central (first run only) ...")
    lib.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
         f"-DoutputDirectory={lib}", "-DincludeScope=runtime", f"-Dkafka.version={KAFKA_VERSION}"],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
        raise InfraError(f"Maven could not fetch Kafka {KAFKA_VERSION}: {' | '.join(tail)}")
    marker.write_text(KAFKA_VERSION)
    return lib


@dataclass(frozen=True, slots=True)
class Node:
    """One local broker: its process name, ports and state folder (the default one, or a drill's own)."""

    name: str = NAME
    port: int = PORT
    controller_port: int = CONTROLLER_PORT

    @property
    def bootstrap(self) -> str:
        """Its bootstrap address."""
        return f"{HOST}:{self.port}"

    @property
    def home(self) -> Path:
        """Its config, data and logs."""
        return state_dir() / self.name


DEFAULT = Node()


def _write_config(home: Path, node: Node = DEFAULT) -> Path:
    data = home / "data"
    data.mkdir(parents=True, exist_ok=True)
    props = home / "server.properties"
    props.write_text("\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@{HOST}:{node.controller_port}",
        f"listeners=PLAINTEXT://{HOST}:{node.port},CONTROLLER://{HOST}:{node.controller_port}",
        f"advertised.listeners=PLAINTEXT://{HOST}:{node.port}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        f"log.dirs={data}",
        "num.partitions=6",
        "auto.create.topics.enable=false",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=12",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "log.retention.hours=168",
        "log.cleaner.min.compaction.lag.ms=0",
        "",
    ]))
    log4j = home / "log4j2.properties"
    log4j.write_text("\n".join([
        "status = warn",
        "appender.file.type = File",
        "appender.file.name = file",
        f"appender.file.fileName = {logs_dir() / (node.name + '-server.log')}",
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = [%d] %p %m (%c)%n",
        "rootLogger.level = WARN",
        "rootLogger.appenderRef.file.ref = file",
        "logger.kafka.name = kafka",
        "logger.kafka.level = WARN",
        "logger.apache.name = org.apache.kafka",
        "logger.apache.level = WARN",
        "",
    ]))
    return props


def _java(lib: Path, home: Path, main: str, *args: str) -> list[str]:
    heap = os.environ.get("TAAS_KAFKA_HEAP", "-Xms256m -Xmx768m").split()
    return ["java", *heap, "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={home / 'log4j2.properties'}",
            "-cp", f"{lib}/*", main, *args]


def cluster_id(random_bytes: Callable[[], bytes] = lambda: uuid.uuid4().bytes) -> str:
    """A KRaft cluster id: 16 random bytes in URL-safe base64, never starting with "-" (read as an option)."""
    while (cid := base64.urlsafe_b64encode(random_bytes()).decode().rstrip("=")).startswith("-"):
        pass
    return cid


def _format_once(lib: Path, home: Path, props: Path) -> None:
    if (home / "data" / "meta.properties").exists():
        return
    cid = cluster_id()
    result = subprocess.run(
        _java(lib, home, "kafka.tools.StorageTool", "format", "-t", cid, "-c", str(props)),
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise InfraError(f"formatting Kafka storage failed: {(result.stdout + result.stderr).strip()[-300:]}")


async def is_healthy(bootstrap_servers: str, timeout: float = 5.0) -> bool:
    """True if the broker answers a real metadata request."""
    from aiokafka.admin import AIOKafkaAdminClient

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=int(timeout * 1000))
    try:
        await asyncio.wait_for(admin.start(), timeout)
        await asyncio.wait_for(admin.describe_cluster(), timeout)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False
    finally:
        try:
            await admin.close()
        except Exception:  # noqa: BLE001
            pass


def running(node: Node = DEFAULT) -> bool:
    """True if the broker process is alive."""
    return procs.read_pid(node.name) is not None


def up(say=print, timeout: float = 90.0, node: Node = DEFAULT) -> str:
    """Start a local broker if it is not running, wait until it answers metadata; returns bootstrap."""
    if running(node):
        if asyncio.run(is_healthy(node.bootstrap)):
            say(f"  kafka      already running on {node.bootstrap}")
            return node.bootstrap
    else:
        procs.ensure_port_free(HOST, node.port, "Kafka")
        procs.ensure_port_free(HOST, node.controller_port, "the Kafka controller")
    lib = ensure_jars(say)
    props = _write_config(node.home, node)
    _format_once(lib, node.home, props)
    if not running(node):
        say(f"  kafka      starting {KAFKA_VERSION} (KRaft) on {node.bootstrap} ...")
        procs.start(node.name, _java(lib, node.home, "kafka.Kafka", str(props)))
    return _wait_healthy(node, timeout, say)


def _wait_healthy(node: Node, timeout: float, say) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not running(node):
            raise InfraError(f"Kafka exited during start-up; see {logs_dir() / node.name}.log: {procs.tail(node.name, 3)}")
        if asyncio.run(is_healthy(node.bootstrap, timeout=2.0)):
            say(f"  kafka      ready on {node.bootstrap}")
            return node.bootstrap
        time.sleep(0.5)
    raise InfraError(f"Kafka did not answer within {timeout:.0f}s; see {logs_dir() / node.name}.log")


async def start_async(node: Node, timeout: float = 90.0) -> str:
    """Start a broker from async code (fault drills); returns once it answers metadata."""
    lib = ensure_jars(lambda *_: None)
    props = _write_config(node.home, node)
    _format_once(lib, node.home, props)
    if not running(node):
        procs.start(node.name, _java(lib, node.home, "kafka.Kafka", str(props)))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if not running(node):
            raise InfraError(f"Kafka exited during start-up: {procs.tail(node.name, 3)}")
        if await is_healthy(node.bootstrap, timeout=2.0):
            return node.bootstrap
        await asyncio.sleep(0.3)
    raise InfraError(f"Kafka did not answer within {timeout:.0f}s")


def down(say=print, node: Node = DEFAULT) -> None:
    """Stop a local broker cleanly."""
    if procs.stop(node.name, timeout=60):
        say("  kafka      stopped")


async def stop_async(node: Node) -> None:
    """Stop a broker from async code (fault drills)."""
    await asyncio.to_thread(procs.stop, node.name, 60)
