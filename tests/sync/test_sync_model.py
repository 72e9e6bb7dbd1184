"""Several devices edit offline and sync in random interleavings, with lost answers,
repeated and partial pushes and interrupted pulls. Once everyone has synced, every
device holds what the server holds, every mutation has exactly one outcome, and
each accepted one was applied exactly once. Runs on both engines."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter as Tally
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID, uuid4

import httpx
import msgspec
import pytest
from asgi_lifespan import LifespanManager
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from server.app import create_app
from server.settings import Settings
from server.workorders.documents import order_doc
from server.workorders.tables import Comment, TimelineEvent, WorkOrder
from sync.tables import SyncMutation
from tests import databases
from tests.clock import FakeClock
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World

USERS = {"phone": "north_tech", "phone2": "north_tech2", "dispatch": "north_manager"}
ACTIONS = ["suspend", "resume", "resolve", "reopen", "cancel", "start_work", "accept"]
ORDERS = 3


class SyncModel(RuleBasedStateMachine):
    database_url: ClassVar[str]
    workdir: ClassVar[Path]

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.tokens = itertools.count()
        # (device, mutation id) -> the outcome first answered, and what it was
        self.answered: dict[tuple[str, int], dict[str, Any]] = {}
        self.made: dict[tuple[str, int], tuple[str, Any]] = {}
        self.run(self._start())

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    async def _start(self) -> None:
        url = self.database_url
        if url.startswith("sqlite"):
            url = databases.sqlite_copy(
                Path(url.removeprefix("sqlite:///")), self.workdir / f"{uuid4().hex}.sqlite"
            )
        else:
            await databases.reset_pg(url)
        clock = FakeClock()
        config = Settings(
            database_url=url,
            secret_key="test-secret-key-that-is-long-enough-0123456789",
            var_dir=str(self.workdir / "var"),
            db_pool_size=4,
        )
        self.app = create_app(config, clock)
        self.lifespan = LifespanManager(self.app)
        await self.lifespan.__aenter__()
        transport = httpx.ASGITransport(app=self.app)
        self.http = httpx.AsyncClient(transport=transport, base_url="http://fieldops.test")
        self.world = await World(config, clock).build()
        self.orders = [
            await put_order(self.world, "in_progress", assignee="north_tech", team="north")
            for _ in range(ORDERS)
        ]
        self.devices = {name: Device(self.http, self.world, user) for name, user in USERS.items()}

    @initialize()
    def first_pull(self) -> None:
        for device in self.devices.values():
            self.run(device.pull())

    def _base(self, device: Device, order_id: UUID) -> int:
        return int(device.orders.get(str(order_id), {}).get("version", 1))

    def _make(self, name: str, device_name: str, what: str, **args: Any) -> None:
        device = self.devices[device_name]
        mutation_id = device.make(name, **args)
        self.made[(device_name, mutation_id)] = (what, args)

    @rule(device=st.sampled_from(list(USERS)), order=st.integers(0, ORDERS - 1))
    def edit(self, device: str, order: int) -> None:
        order_id = self.orders[order]
        base = self._base(self.devices[device], order_id)
        text = f"text {next(self.tokens)}"
        self._make(
            "edit_order",
            device,
            "edit",
            order_id=order_id,
            base_version=base,
            changes={"description": text},
        )

    @rule(device=st.sampled_from(list(USERS)), order=st.integers(0, ORDERS - 1))
    def comment(self, device: str, order: int) -> None:
        comment_id = uuid4()
        self._make(
            "add_comment",
            device,
            "comment",
            order_id=self.orders[order],
            id=comment_id,
            body=f"note {next(self.tokens)}",
        )

    @rule(
        device=st.sampled_from(list(USERS)),
        order=st.integers(0, ORDERS - 1),
        starred=st.booleans(),
    )
    def flag(self, device: str, order: int, starred: bool) -> None:
        self._make("set_flags", device, "flag", order_id=self.orders[order], starred=starred)

    @rule(
        device=st.sampled_from(list(USERS)),
        order=st.integers(0, ORDERS - 1),
        action=st.sampled_from(ACTIONS),
    )
    def transition(self, device: str, order: int, action: str) -> None:
        order_id = self.orders[order]
        self._make(
            "transition_order",
            device,
            "transition",
            order_id=order_id,
            base_version=self._base(self.devices[device], order_id),
            action=action,
            reason="model",
        )

    @rule(
        device=st.sampled_from(list(USERS)), mode=st.sampled_from(["ok", "lost", "twice", "part"])
    )
    def push(self, device: str, mode: str) -> None:
        phone = self.devices[device]
        if not phone.queue:
            return
        if mode == "part":
            response = self.run(phone.push_raw(phone.queue[: max(1, len(phone.queue) // 2)]))
        else:
            response = self.run(phone.push_raw())
        assert response.status_code == 200, response.text
        if mode == "lost":
            return  # applied, but the device never heard: it keeps its queue
        if mode == "twice":
            again = self.run(phone.push_raw())
            assert again.json() == response.json()
        self._learn(device, response.json())

    def _learn(self, device: str, answer: dict[str, Any]) -> None:
        phone = self.devices[device]
        for result in answer["results"]:
            first = self.answered.setdefault((device, result["id"]), result)
            assert first == result, "a retried mutation must get its first outcome again"
        # A mutation leaves the queue with its outcome: one the server applied before
        # an answer was lost is sent again, and its recorded outcome comes back.
        done = {result["id"] for result in answer["results"]}
        phone.queue = [m for m in phone.queue if m["id"] not in done]

    @rule(
        device=st.sampled_from(list(USERS)), limit=st.sampled_from([1, 2, 50]), lost=st.booleans()
    )
    def pull(self, device: str, limit: int, lost: bool) -> None:
        phone = self.devices[device]
        if lost:
            response = self.run(phone.pull_raw(phone.cursor, limit))
            assert response.status_code == 200, response.text
            return  # the answer never arrived: the cursor stays where it was
        self.run(phone.pull(limit=limit))

    def teardown(self) -> None:
        try:
            if hasattr(self, "devices"):
                self.run(self._everyone_syncs_and_agrees())
        finally:
            if hasattr(self, "lifespan"):
                self.run(self.http.aclose())
                self.run(self.lifespan.__aexit__(None, None, None))
            self.loop.close()

    async def _everyone_syncs_and_agrees(self) -> None:
        for name, phone in self.devices.items():
            while phone.queue:
                response = await phone.push_raw()
                assert response.status_code == 200, response.text
                self._learn(name, response.json())
        for phone in self.devices.values():
            await phone.pull()
        await self._each_mutation_has_one_outcome()
        await self._accepted_work_was_applied_once()
        await self._stored_documents_are_current()
        for phone in self.devices.values():
            await self._device_equals_server(phone)

    async def _each_mutation_has_one_outcome(self) -> None:
        for name, phone in self.devices.items():
            rows = await SyncMutation.select(SyncMutation.mutation_id, SyncMutation.outcome).where(
                SyncMutation.client == phone.client_id
            )
            assert sorted(r["mutation_id"] for r in rows) == list(range(1, phone.next_id))
            for row in rows:
                assert self.answered[(name, row["mutation_id"])]["outcome"] == row["outcome"]

    async def _accepted_work_was_applied_once(self) -> None:
        accepted = {k for k, v in self.answered.items() if v["outcome"] != "rejected"}
        comments = {
            args["id"]
            for key, (what, args) in self.made.items()
            if what == "comment" and key in accepted
        }
        stored = [row["id"] for row in await Comment.select(Comment.id)]
        assert sorted(map(str, stored)) == sorted(map(str, comments))
        edits = Tally(
            USERS[key[0]]
            for key, (what, _) in self.made.items()
            if what == "edit" and key in accepted
        )
        events = await TimelineEvent.select(TimelineEvent.actor, TimelineEvent.kind)
        edited = Tally(
            next(n for n, u in self.world.users.items() if u["id"] == e["actor"])
            for e in events
            if e["kind"] == "edited"
        )
        assert edited == edits
        assert sum(1 for e in events if e["kind"] == "comment") == len(comments)

    async def _stored_documents_are_current(self) -> None:
        """Every order's stored document says what its columns say (reads send it)."""
        for row in await WorkOrder.select().output(load_json=True):
            assert msgspec.json.decode(row["doc"]) == msgspec.json.decode(order_doc(row))

    async def _device_equals_server(self, phone: Device) -> None:
        headers = await self.world.headers(phone.user)
        server: dict[str, Any] = {}
        cursor = None
        while True:
            url = "/api/work-orders?limit=200" + (f"&cursor={cursor}" if cursor else "")
            page = (await self.http.get(url, headers=headers)).json()
            server |= {item["id"]: item for item in page["items"]}
            if not (cursor := page["next_cursor"]):
                break
        assert phone.orders == server
        for order_id, order in server.items():
            timeline = (
                await self.http.get(f"/api/work-orders/{order_id}/timeline", headers=headers)
            ).json()["items"]
            local = phone.timeline.get(order_id, {})
            assert sorted(local) == [event["version"] for event in timeline]
            assert sorted(local) == list(range(2, order["version"] + 1))


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_devices_converge_and_nothing_is_lost_or_doubled(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if engine == "sqlite":
        SyncModel.database_url = f"sqlite:///{request.getfixturevalue('sqlite_template')}"
    else:
        SyncModel.database_url = request.getfixturevalue("pg_url")
    SyncModel.workdir = tmp_path
    run_state_machine_as_test(
        SyncModel,
        settings=settings(
            max_examples=20,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
