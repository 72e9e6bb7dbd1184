"""A test device: a queue of offline mutations, a local copy of what it pulled."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import httpx

from tests.world import World

PROTOCOL = 1


class Device:
    def __init__(self, client: httpx.AsyncClient, world: World, user: str) -> None:
        self.client = client
        self.world = world
        self.user = user
        self.client_id = uuid4()
        self.next_id = 1
        self.queue: list[dict[str, Any]] = []
        self.orders: dict[str, dict[str, Any]] = {}
        self.timeline: dict[str, dict[int, dict[str, Any]]] = {}
        self.cursor: str | None = None
        self.results: dict[int, dict[str, Any]] = {}

    def make(self, name: str, device_time: datetime | None = None, **args: Any) -> int:
        mutation = {"id": self.next_id, "name": name, "args": _plain(args)}
        if device_time is not None:
            mutation["device_time"] = device_time.isoformat()
        self.queue.append(mutation)
        self.next_id += 1
        return int(mutation["id"])

    async def push_raw(self, mutations: list[dict[str, Any]] | None = None) -> httpx.Response:
        body = {
            "protocol": PROTOCOL,
            "client_id": str(self.client_id),
            "mutations": self.queue if mutations is None else mutations,
        }
        return await self.client.post(
            "/api/sync/push", json=body, headers=await self.world.headers(self.user)
        )

    async def push(self) -> dict[str, Any]:
        """Push the queue; what the server answered leaves it."""
        response = await self.push_raw()
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        for result in answer["results"]:
            self.results[result["id"]] = result
        self.queue = [m for m in self.queue if m["id"] not in self.results]
        return answer

    async def pull_raw(self, cursor: str | None, limit: int = 500) -> httpx.Response:
        body: dict[str, Any] = {"protocol": PROTOCOL, "client_id": str(self.client_id)}
        if cursor is not None:
            body["cursor"] = cursor
        body["limit"] = limit
        return await self.client.post(
            "/api/sync/pull", json=body, headers=await self.world.headers(self.user)
        )

    async def pull(self, limit: int = 500) -> list[dict[str, Any]]:
        """Pull until nothing more follows; returns the pages."""
        pages = []
        while True:
            response = await self.pull_raw(self.cursor, limit)
            assert response.status_code == 200, response.text
            page = response.json()
            pages.append(page)
            for order in page["orders"]:
                self.orders[order["id"]] = order
            for event in page["timeline"]:
                self.timeline.setdefault(event["order_id"], {})[event["version"]] = event
            for tombstone in page["tombstones"]:
                self.orders.pop(tombstone["order_id"], None)
                self.timeline.pop(tombstone["order_id"], None)
            self.cursor = page["cursor"]
            if not page["more"]:
                return pages


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
