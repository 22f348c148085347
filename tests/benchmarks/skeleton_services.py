"""The skeleton: the agency path's hops with no business logic, as two services built from the kit (bench_skeleton).

front: `POST /v1/things` (agency token, a pydantic body) stores the thing and its event in one statement; the kit's
relay publishes the event. worker: the kit's consumer runner reads those events (dispatch's settings) and stores
one row and one event per event in one statement; its relay publishes that. Run as a process:
`TAAS_SKELETON_ROLE=front|worker python -m skeleton_services` with this folder on PYTHONPATH.
"""

import os
import uuid
from pathlib import Path

import asyncpg
from aiohttp import web
from pydantic import BaseModel, ConfigDict
from pydantic_settings import SettingsConfigDict

from taas_contracts.envelope import Envelope
from taas_contracts.topics import DISPATCH_EVENTS, REQUEST_EVENTS, Topic
from taas_kit import outbox
from taas_kit.auth import ApiRole
from taas_kit.consumer import ConsumerRunner
from taas_kit.http.app import background, create_service_app, run_service
from taas_kit.http.keys import POOL
from taas_kit.http.keys import SETTINGS
from taas_kit.http.routing import Api, Call
from taas_kit.settings import ServiceSettings

# As many partitions as the real path's topics.
THINGS = Topic("skeleton.things", "thing id", REQUEST_EVENTS.partitions, description="Things created.")
RESULTS = Topic("skeleton.results", "thing id", DISPATCH_EVENTS.partitions, description="Things handled.")
THING_CREATED = "taas.skeleton.thing.created.v1"
THING_HANDLED = "taas.skeleton.thing.handled.v1"
MIGRATIONS = Path(__file__).parent / "skeleton_migrations"


class FrontSettings(ServiceSettings):
    """The front's settings (env prefix TAAS_SKELETON_FRONT_)."""

    model_config = SettingsConfigDict(env_prefix="TAAS_SKELETON_FRONT_", extra="ignore")
    service_name: str = "skeleton_front"


class WorkerSettings(ServiceSettings):
    """The worker's settings (env prefix TAAS_SKELETON_WORKER_), its pool as large as dispatch's."""

    model_config = SettingsConfigDict(env_prefix="TAAS_SKELETON_WORKER_", extra="ignore")
    service_name: str = "skeleton_worker"
    db_pool_max: int = 20


class ThingCreate(BaseModel):
    """The agency's request body, validated field by field and stored as it is: no rule reads it."""

    model_config = ConfigDict(extra="forbid")
    kind: str
    severity: str
    role: str
    required_skills: list[str]
    max_hourly_rate_cents: int
    expected_hours: int
    description: str


class ThingRead(BaseModel):
    """What the front answers: the new thing's id."""

    id: uuid.UUID


api = Api("taas skeleton front")

# The row and its event in one statement, its own transaction, as requests' changes.insert_submitted does.
_CREATE = f"""WITH thing AS (INSERT INTO things (id, owner, body) VALUES ($1, $2, $3)),
added AS ({outbox.insert_sql(4)})
SELECT pg_notify($9, '')"""


@api.route("POST", "/v1/things", summary="Store a thing and its event", roles={ApiRole.AGENCY}, body=ThingCreate,
           response=ThingRead, status=201, tags=("things",))
async def create_thing(call: Call) -> ThingRead:
    """One statement: the thing and its outbox event; its NOTIFY wakes the relay at commit."""
    settings, thing_id = call.request.app[SETTINGS], uuid.uuid4()
    body = call.body.model_dump(mode="json")
    envelope = Envelope(type=THING_CREATED, source="/bench/skeleton/front", subject=str(thing_id),
                        tenant=call.principal.tenant, correlationid=str(thing_id), data=body)
    await call.request.app[POOL].execute(
        _CREATE, thing_id, call.principal.tenant, body,
        *outbox.arguments([(settings.topic(THINGS), str(thing_id), envelope)]), outbox.channel(settings.db_schema))
    return ThingRead(id=thing_id)


def create_front(settings: FrontSettings) -> web.Application:
    """The front: the kit's service app with the one route."""
    return create_service_app(settings, api, migrations_dir=MIGRATIONS / "front")


# The row under the event's key drops a redelivery by itself (as dispatch's intake does), so the event is added only
# when the row is new.
_HANDLE = f"""WITH result AS (
    INSERT INTO results (thing_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING thing_id),
added AS ({outbox.insert_sql(3, when="EXISTS (SELECT FROM result)")})
SELECT pg_notify($8, '') FROM result"""


def make_handler(settings: WorkerSettings):
    """The runner's handler: one statement per event, in the runner's transaction."""
    topic, channel = settings.topic(RESULTS), outbox.channel(settings.db_schema)

    async def handle(conn: asyncpg.Connection, envelope: Envelope) -> None:
        key = envelope.subject
        out = Envelope(type=THING_HANDLED, source="/bench/skeleton/worker", subject=key, tenant=envelope.tenant,
                       correlationid=key, causationid=envelope.id, data={"thing_id": key})
        await conn.execute(_HANDLE, key, envelope.id, *outbox.arguments([(topic, key, out)]), channel)
    return handle


async def run_consumer(app: web.Application) -> None:
    """One consumer group member with dispatch's settings."""
    s = app[SETTINGS]
    await ConsumerRunner(name=s.service_name, topics=[s.topic(THINGS)], group_id=s.group(),
                         bootstrap_servers=s.kafka_bootstrap_servers, pool=app[POOL], handler=make_handler(s),
                         parallel_partitions=True, commit_interval_ms=500,
                         self_deduplicating={THING_CREATED}).run()


def create_worker(settings: WorkerSettings) -> web.Application:
    """The worker: the kit's service app (pool, relay, readiness) with the consumer as a background task."""
    return create_service_app(settings, Api("taas skeleton worker"), migrations_dir=MIGRATIONS / "worker",
                              contexts=[background("skeleton-consumer", run_consumer)])


ROLES = {"front": (FrontSettings, create_front), "worker": (WorkerSettings, create_worker)}

if __name__ == "__main__":
    make_settings, create_app = ROLES[os.environ["TAAS_SKELETON_ROLE"]]
    run_service(make_settings(), create_app)
