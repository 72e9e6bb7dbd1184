"""List pages against a model: for many seeded random (caller, view, filters, sort,
page size) combinations, walking every page through the API returns exactly the
orders a plain Python filter over all rows returns, in the same order.

The list query merges per-scope and per-status index walks; this checks the merge
against the rules written out independently here, ties in the sort keys included.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

import httpx

from server.workorders.tables import OrderFlag, WorkOrder
from tests.server.workorders.orders import save_order
from tests.world import World

OPEN = {"new", "assigned", "accepted", "en_route", "on_site", "in_progress", "suspended"}
STATUSES = [*sorted(OPEN), "resolved", "closed", "cancelled"]
CALLERS = [
    "admin",
    "north_manager",
    "south_manager",
    "north_tech",
    "south_tech",
    "north_inspector",
    "requester",
    "other_requester",
]
VIEWS = ["all", "unresolved", "awaiting_response", "starred", "important", "mine"]
SORTS = [
    "-created_at",
    "created_at",
    "-updated_at",
    "updated_at",
    "priority",
    "-priority",
    "number",
    "-number",
]
QUERIES = 40


async def make_world_orders(world: World, rng: random.Random) -> None:
    techs = {
        "north": ["north_tech", "north_tech2", "north_inspector"],
        "south": ["south_tech", "south_tech2", "south_inspector"],
    }
    start = world.clock()
    for number in range(1, 61):
        department = rng.choice(["north", "south", None])
        team = rng.choice(["north", "south"]) if rng.random() < 0.7 else None
        assignee = rng.choice(techs[team]) if team and rng.random() < 0.8 else None
        requester = rng.choice(["requester", "other_requester", None])
        creator = rng.choice([requester, "north_manager", "north_tech", "admin"]) or "admin"
        await save_order(
            id=uuid.uuid4(),
            number=number,
            kind=rng.choice(["customer_request", "service", "project"]),
            title=f"order {number}",
            priority=rng.choice(["P1", "P2", "P3", "P4", "P5"]),
            status=rng.choice(STATUSES),
            department=world.departments[department] if department else None,
            team=world.teams[team] if team else None,
            assignee=world.id(assignee) if assignee else None,
            requester=world.id(requester) if requester else None,
            created_by=world.id(creator),
            # Few distinct times, so sort keys tie and the id must break the ties.
            created_at=start + timedelta(minutes=rng.randint(0, 8)),
            updated_at=start + timedelta(minutes=rng.randint(0, 8)),
            first_response_at=start if rng.random() < 0.4 else None,
        )
    orders = await WorkOrder.select(WorkOrder.id)
    for caller in CALLERS:
        for row in rng.sample(orders, 12):
            await OrderFlag(
                id=uuid.uuid4(),
                user=world.id(caller),
                order=row["id"],
                starred=rng.random() < 0.5,
                important=rng.random() < 0.5,
            ).save()


def visible(row: dict[str, Any], me: dict[str, Any], world: World) -> bool:
    role = me["role"]
    if role == "admin" or row["created_by"] == me["id"]:
        return True
    if role == "manager":
        managed = {world.departments[me["username"].split(".")[0]]}
        return row["department"] is None or row["department"] in managed
    if role in ("technician", "inspector"):
        team = world.teams[me["username"].split(".")[0].split("_")[0]]
        return row["assignee"] == me["id"] or row["team"] == team
    return me["id"] in (row["requester"], row["created_by"])


def expected_ids(
    rows: list[dict[str, Any]],
    flags: dict[tuple[Any, Any], dict[str, bool]],
    caller: str,
    query: dict[str, Any],
    world: World,
) -> list[str]:
    me = world.users[caller]
    chosen = []
    for row in rows:
        if not visible(row, me, world):
            continue
        view = query["view"]
        flag = flags.get((me["id"], row["id"]), {})
        if view == "unresolved" and row["status"] not in OPEN:
            continue
        if view == "awaiting_response" and (
            row["status"] not in OPEN or row["first_response_at"] is not None
        ):
            continue
        if view in ("starred", "important") and not flag.get(view):
            continue
        if view == "mine" and me["id"] not in (
            row["assignee"],
            row["requester"],
            row["created_by"],
        ):
            continue
        if query["status"] and row["status"] not in query["status"]:
            continue
        if query["priority"] and row["priority"] not in query["priority"]:
            continue
        chosen.append(row)
    column = query["sort"].lstrip("-")
    chosen.sort(key=lambda r: (r[column], r["id"]), reverse=query["sort"].startswith("-"))
    return [str(row["id"]) for row in chosen]


async def test_pages_match_the_model(client: httpx.AsyncClient, world: World) -> None:
    rng = random.Random(20261128)
    await make_world_orders(world, rng)
    rows = await WorkOrder.select()
    flags = {(f["user"], f["order"]): f for f in await OrderFlag.select()}
    for _ in range(QUERIES):
        caller = rng.choice(CALLERS)
        query = {
            "view": rng.choice(VIEWS),
            "status": rng.sample(STATUSES, rng.choice([0, 0, 1, 2, 3])),
            "priority": rng.sample(["P1", "P2", "P3", "P4", "P5"], rng.choice([0, 0, 1, 2])),
            "sort": rng.choice(SORTS),
            "limit": rng.choice([1, 3, 7, 50]),
        }
        params: list[tuple[str, Any]] = [
            ("view", query["view"]),
            ("sort", query["sort"]),
            ("limit", query["limit"]),
        ]
        params += [("status", s) for s in query["status"]]
        params += [("priority", p) for p in query["priority"]]
        seen: list[str] = []
        cursor = None
        for _page in range(100):
            answer = await client.get(
                "/api/work-orders",
                params=params + ([("cursor", cursor)] if cursor else []),
                headers=await world.headers(caller),
            )
            assert answer.status_code == 200, answer.text
            page = answer.json()
            assert len(page["items"]) <= query["limit"]
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == expected_ids(rows, flags, caller, query, world), (caller, query)
