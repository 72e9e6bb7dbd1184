"""scripts/serve-scaled end to end: two server processes sharing one port and a job
worker, on PostgreSQL with Redis, behave as the embedded mode does. Devices pushing the
same batches through both processes at once have each mutation applied once; due SLA
timers fire once, in the worker; a map open on either process hears of changes made
through the other; SIGTERM lets a request in flight finish and every process exits 0.

Which process answered a request is read from the kernel: the server side of the
request's connection is a socket that one process holds (/proc/net/tcp, /proc/PID/fd).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import msgspec
import pytest

from server.scheduler.tables import Job
from server.settings import Settings
from server.sla.tables import SlaBreach
from server.workorders.tables import Comment, TimelineEvent
from sync.tables import SyncMutation
from tests.server.sla.rules import add_rule
from tests.server.workorders.orders import put_order
from tests.servers import ROOT, _free_port
from tests.sync.device import PROTOCOL, Device
from tests.world import World

REDIS_URL = os.environ.get("FIELDOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
SERVERS = 2
POOL = 3
# Longer than a push takes on a busy machine; the open map stream waits it out.
GRACE = 10
WAIT = 30.0
# The deployment's connections, told apart from the test's own in pg_stat_activity.
APPLICATION = "fieldops_scaled_test"


class Deployment:
    def __init__(self, settings: Settings, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("FIELDOPS_")},
            "FIELDOPS_DATABASE_URL": f"{settings.database_url}?application_name={APPLICATION}",
            "FIELDOPS_REDIS_URL": REDIS_URL,
            "FIELDOPS_SECRET_KEY": settings.secret_key,
            "FIELDOPS_VAR_DIR": settings.var_dir,
            "FIELDOPS_PORT": str(self.port),
            "FIELDOPS_WORKERS": str(SERVERS),
            "FIELDOPS_DB_POOL_SIZE": str(POOL),
            "FIELDOPS_SCHEDULER_POLL_SECONDS": "0.1",
            "FIELDOPS_SHUTDOWN_GRACE_SECONDS": str(GRACE),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.servers: set[int] = set()

    def launch(self) -> subprocess.Popen[bytes]:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                # This test's .venv is the one to serve: no set-up (pip) meanwhile.
                [str(ROOT / "scripts" / "serve-scaled"), "--no-setup"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self.process

    async def start(self) -> None:
        process = self.launch()
        # Set-up and migrations run first; a loaded machine may take a while.
        for _ in range(1200):
            text = self.log.read_text()
            if text.count("Application startup complete") == SERVERS and "running due jobs" in text:
                self.servers = {
                    int(p) for p in re.findall(r"Started server process \[(\d+)\]", text)
                }
                assert len(self.servers) == SERVERS, text
                return
            assert process.poll() is None, text
            await asyncio.sleep(0.1)
        raise AssertionError(f"the deployment did not start in 2 minutes:\n{self.log.read_text()}")

    def lines(self, text: str) -> int:
        return self.log.read_text().count(text)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
async def deployment(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> AsyncIterator[Deployment]:
    running = Deployment(settings, tmp_path / "deployment.log")
    try:
        yield running
    finally:
        running.kill()


def serving_pid(port: int, response: httpx.Response) -> int:
    """The process holding the server side of the connection ``response`` came on."""
    client_port = response.extensions["network_stream"].get_extra_info("client_addr")[1]
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
            if (local, remote) == (port, client_port):
                inodes.add(f"socket:[{fields[9]}]")
    for pid in os.listdir("/proc"):
        with contextlib.suppress(OSError, ValueError):
            fds = Path(f"/proc/{pid}/fd")
            if any(os.readlink(fd) in inodes for fd in fds.iterdir()):
                return int(pid)
    raise AssertionError(f"no process holds the connection from port {client_port}")


def environment(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/environ").read_text().split("\0")


def fresh_client(deployment: Deployment) -> httpx.AsyncClient:
    """One connection, not shared with any other client's requests."""
    return httpx.AsyncClient(
        base_url=deployment.url, timeout=WAIT, limits=httpx.Limits(max_connections=1)
    )


@contextlib.asynccontextmanager
async def client_on(deployment: Deployment, pid: int) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose connection the server process ``pid`` took."""
    for _ in range(200):
        async with fresh_client(deployment) as http:
            if serving_pid(deployment.port, await http.get("/api/health")) == pid:
                yield http
                return
    raise AssertionError(f"200 connections and none reached process {pid}")


async def push(deployment: Deployment, world: World, device: Device) -> tuple[int, Any]:
    """The device's queue pushed on a connection of its own: (serving process, answer)."""
    body = {"protocol": PROTOCOL, "client_id": str(device.client_id), "mutations": device.queue}
    async with fresh_client(deployment) as http:
        answer = await http.post(
            "/api/sync/push", json=body, headers=await world.headers(device.user)
        )
        assert answer.status_code == 200, answer.text
        return serving_pid(deployment.port, answer), answer.json()


async def deployment_connections(settings: Settings) -> int:
    connection = await asyncpg.connect(settings.database_url)
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", APPLICATION
            )
        )
    finally:
        await connection.close()


async def sync_is_exactly_once(
    deployment: Deployment, client: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    """Three devices each push one batch of comments four times at once, in rounds, until
    both processes have served copies of it: every comment is stored once."""
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    users = ("north_tech", "north_manager", "north_tech")
    devices = [Device(client, world, user) for user in users]
    for device in devices:
        await world.headers(device.user)  # one session each, before the pushes race
        for n in range(20):
            device.make("add_comment", order_id=order, id=uuid4(), body=f"offline {n}")
    served: set[int] = set()
    most = 0
    for _ in range(20):
        answers = await asyncio.gather(
            *(push(deployment, world, device) for device in devices for _ in range(4))
        )
        most = max(most, await deployment_connections(settings))
        for pid, answer in answers:
            served.add(pid)
            assert [r["outcome"] for r in answer["results"]] == ["applied"] * 20, answer
        if served == deployment.servers:
            break
    assert served == deployment.servers
    for device in devices:
        rows = await SyncMutation.select(SyncMutation.mutation_id).where(
            SyncMutation.client == device.client_id
        )
        assert sorted(r["mutation_id"] for r in rows) == list(range(1, 21))
    assert await Comment.count() == 60
    assert await TimelineEvent.count().where(TimelineEvent.kind == "comment") == 60
    # FIELDOPS_DB_POOL_SIZE bounds every process: two servers and the worker.
    assert 0 < most <= (SERVERS + 1) * POOL


async def timers_fire_once_in_the_worker(
    deployment: Deployment, client: httpx.AsyncClient, world: World
) -> None:
    """Orders made through both processes start SLA timers; made due now, each fires once."""
    await add_rule(client, world, alarm_every_minutes=0)
    orders = 6
    for n in range(orders):
        async with fresh_client(deployment) as http:
            made = await http.post(
                "/api/work-orders/",
                json={"title": f"Timed {n}", "department_id": str(world.departments["north"])},
                headers=await world.headers("north_manager"),
            )
            assert made.status_code == 201, made.text
    # Each order's two clocks start with a warning timer, which schedules the breach.
    assert await Job.count().where(Job.kind == "sla.timer") == orders * 2
    for _ in range(600):
        if not await Job.count().where(Job.kind == "sla.timer", Job.state == "pending"):
            break
        # Their time comes: the pending timers move earlier together (in their order)
        # until the last is due now.
        await Job.raw(
            "UPDATE job SET due_at = due_at + ({} - (SELECT max(due_at) FROM job "
            "WHERE kind = 'sla.timer' AND state = 'pending')) "
            "WHERE kind = 'sla.timer' AND state = 'pending'",
            datetime.now(UTC),
        )
        await asyncio.sleep(0.1)
    done = await Job.select(Job.state, Job.attempts).where(Job.kind == "sla.timer")
    assert [(j["state"], j["attempts"]) for j in done] == [("done", 1)] * orders * 4
    for kind in ("sla_warning", "sla_breach"):
        assert await TimelineEvent.count().where(TimelineEvent.kind == kind) == orders * 2
    assert await SlaBreach.count() == orders * 2
    # The servers were started without the scheduler: the worker fired them all.
    for pid in deployment.servers:
        assert "FIELDOPS_RUN_SCHEDULER=false" in environment(pid)


async def map_events(
    deployment: Deployment, headers: dict[str, str], stack: contextlib.AsyncExitStack
) -> tuple[int, AsyncIterator[str]]:
    """A live map stream on a connection of its own, open until ``stack`` closes."""
    http = await stack.enter_async_context(fresh_client(deployment))
    feed = await stack.enter_async_context(http.stream("GET", "/api/map/events", headers=headers))
    assert feed.status_code == 200
    lines = feed.aiter_lines()
    assert await asyncio.wait_for(anext(lines), WAIT) == ": subscribed"
    return serving_pid(deployment.port, feed), lines


async def order_status(lines: AsyncIterator[str], order: UUID) -> str:
    async def first() -> str:
        kind = ""
        async for line in lines:
            if line.startswith("event:"):
                kind = line.removeprefix("event:").strip()
            elif line.startswith("data:") and kind == "order":
                data = msgspec.json.decode(line.removeprefix("data:"))
                if data["id"] == str(order):
                    return str(data["properties"]["status"])
        raise AssertionError("the stream ended")

    return await asyncio.wait_for(first(), WAIT)


async def maps_hear_the_other_process(
    deployment: Deployment, world: World, stack: contextlib.AsyncExitStack
) -> list[AsyncIterator[str]]:
    """A manager's map open on each process hears of an order accepted through the other.
    Returns the streams, to keep them open (a collected one closes its connection)."""
    headers = await world.headers("north_manager")
    feeds: dict[int, AsyncIterator[str]] = {}
    for _ in range(200):
        pid, lines = await map_events(deployment, headers, stack)
        feeds.setdefault(pid, lines)
        if feeds.keys() == deployment.servers:
            break
    assert feeds.keys() == deployment.servers
    for listener, lines in feeds.items():
        (other,) = deployment.servers - {listener}
        order = await put_order(
            world, "assigned", assignee="north_tech", site=world.sites["central"]
        )
        async with client_on(deployment, other) as http:
            moved = await http.post(
                f"/api/work-orders/{order}/transitions",
                json={"action": "accept"},
                headers=await world.headers("north_tech"),
            )
            assert moved.status_code == 200, moved.text
            assert serving_pid(deployment.port, moved) == other
        assert await order_status(lines, order) == "accepted"
    return list(feeds.values())


async def sigterm_lets_a_push_finish(
    deployment: Deployment, client: httpx.AsyncClient, world: World
) -> None:
    """A push whose body is still on its way when SIGTERM arrives is applied and answered
    200; the open map streams are cut after the grace period; then every process exits,
    and the script with status 0."""
    assert deployment.process is not None
    device = Device(client, world, "north_tech")
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    for n in range(10):
        device.make("add_comment", order_id=order, id=uuid4(), body=f"late {n}")
    body = msgspec.json.encode(
        {"protocol": PROTOCOL, "client_id": str(device.client_id), "mutations": device.queue}
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", deployment.port)
    token = (await world.headers("north_tech"))["Authorization"]
    writer.write(
        (
            f"POST /api/sync/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Expect: 100-continue\r\n\r\n"
        ).encode()
    )
    # "100 Continue" comes once the handler reads the body: the request is in flight.
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    assert interim.startswith(b"HTTP/1.1 100 "), interim
    deployment.process.send_signal(signal.SIGTERM)
    for _ in range(int(WAIT * 10)):
        if deployment.lines('"Shutting down"') == SERVERS:
            break
        await asyncio.sleep(0.1)
    assert deployment.lines('"Shutting down"') == SERVERS, deployment.log.read_text()
    writer.write(body)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    assert head.startswith(b"HTTP/1.1 200 "), head
    length = re.search(rb"(?i)content-length: *(\d+)", head)
    assert length is not None, head
    answer = msgspec.json.decode(await reader.readexactly(int(length[1])))
    assert [r["outcome"] for r in answer["results"]] == ["applied"] * 10
    writer.close()
    await writer.wait_closed()
    code = await asyncio.to_thread(deployment.process.wait, WAIT + GRACE)
    assert code == 0, deployment.log.read_text()
    assert deployment.lines("running task(s), timeout graceful shutdown exceeded") == SERVERS
    assert await Comment.count().where(Comment.order == order) == 10


@pytest.mark.parametrize("engine_name", ["postgres"], indirect=True)
async def test_a_scaled_deployment_behaves_as_one_process(
    deployment: Deployment, client: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    world.clock.now = datetime.now(UTC)  # the deployment checks tokens on real time
    await deployment.start()
    async with contextlib.AsyncExitStack() as maps:
        await sync_is_exactly_once(deployment, client, world, settings)
        await timers_fire_once_in_the_worker(deployment, client, world)
        # Held here, the map streams stay open through the shutdown.
        feeds = await maps_hear_the_other_process(deployment, world, maps)
        await sigterm_lets_a_push_finish(deployment, client, world)
        assert len(feeds) == SERVERS


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({}, "set FIELDOPS_DATABASE_URL"),
        ({"FIELDOPS_DATABASE_URL": "sqlite:///var/x.sqlite"}, "must be a postgresql:// URL"),
        ({"FIELDOPS_DATABASE_URL": "postgresql://db/fieldops"}, "set FIELDOPS_REDIS_URL"),
    ],
)
def test_the_script_refuses_what_cannot_scale(env: dict[str, str], refusal: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FIELDOPS_")}
    ran = subprocess.run(
        [str(ROOT / "scripts" / "serve-scaled")],
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 2
    assert refusal in ran.stderr
