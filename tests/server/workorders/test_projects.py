"""Project orders: planned dates, dependencies between tasks without circles, and the
Gantt data with progress rolled up."""

from __future__ import annotations

from typing import Any

import httpx

from server.workorders.tables import OrderDependency
from tests.probes import assert_error
from tests.world import World


async def order(client: httpx.AsyncClient, world: World, **fields: Any) -> dict[str, Any]:
    answer = await client.post(
        "/api/work-orders/",
        json={"department_id": str(world.departments["north"]), **fields},
        headers=await world.headers("north_manager"),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def project_with_tasks(
    client: httpx.AsyncClient, world: World
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    project = await order(client, world, kind="project", title="Refit the plant room")
    days = [
        ("2026-11-03", "2026-11-05"),
        ("2026-11-05", "2026-11-06"),
        ("2026-11-06", "2026-11-10"),
    ]
    tasks = [
        await order(
            client,
            world,
            kind="project",
            title=f"Step {n}",
            parent_id=project["id"],
            planned_start_at=f"{start}T00:00:00Z",
            planned_end_at=f"{end}T00:00:00Z",
            assignee_id=str(world.id("north_tech")),
        )
        for n, (start, end) in enumerate(days, start=1)
    ]
    return project, tasks


async def put_dependencies(
    client: httpx.AsyncClient,
    world: World,
    task: dict[str, Any],
    *others: dict[str, Any],
    caller: str = "north_manager",
) -> httpx.Response:
    return await client.put(
        f"/api/work-orders/{task['id']}/dependencies",
        json={"depends_on": [o["id"] for o in others]},
        headers=await world.headers(caller),
    )


async def test_the_gantt_rolls_progress_up_by_planned_length(
    client: httpx.AsyncClient, world: World
) -> None:
    project, (first, second, third) = await project_with_tasks(client, world)
    assert (await put_dependencies(client, world, second, first)).status_code == 200
    answer = await put_dependencies(client, world, third, second, first)
    assert answer.status_code == 200, answer.text
    headers = await world.headers("north_tech")
    for action in ("accept", "start_travel", "arrive", "start_work", "resolve"):
        moved = await client.post(
            f"/api/work-orders/{first['id']}/transitions", json={"action": action}, headers=headers
        )
        assert moved.status_code == 200, moved.text
    chart = (
        await client.get(
            f"/api/work-orders/{project['id']}/gantt", headers=await world.headers("north_manager")
        )
    ).json()
    tasks = {t["title"]: t for t in chart["tasks"]}
    assert [t["title"] for t in chart["tasks"]] == ["Step 1", "Step 2", "Step 3"]
    assert (tasks["Step 1"]["progress"], tasks["Step 2"]["progress"]) == (100, 0)
    assert tasks["Step 3"]["dependencies"] == sorted([first["id"], second["id"]])
    assert tasks["Step 2"]["planned"] is True
    # Two days done of seven planned: 29%.
    assert chart["project"]["progress"] == round(100 * 2 / 7)
    assert (chart["project"]["start"], chart["project"]["end"]) == (
        "2026-11-03T00:00:00Z",
        "2026-11-10T00:00:00Z",
    )


async def test_circles_and_strangers_are_refused(client: httpx.AsyncClient, world: World) -> None:
    project, (first, second, third) = await project_with_tasks(client, world)
    _, (stranger, *_rest) = await project_with_tasks(client, world)
    assert (await put_dependencies(client, world, second, first)).status_code == 200
    assert (await put_dependencies(client, world, third, second)).status_code == 200
    assert_error(await put_dependencies(client, world, first, third), 422, "dependency_cycle")
    assert_error(await put_dependencies(client, world, first, first), 422, "dependency_cycle")
    assert_error(await put_dependencies(client, world, first, stranger), 422, "unknown_reference")
    assert_error(await put_dependencies(client, world, project, first), 422, "not_a_task")
    assert_error(
        await put_dependencies(client, world, first, second, caller="north_tech"), 403, "forbidden"
    )
    assert await OrderDependency.count() == 2
    # Replacing the set, and clearing it.
    assert (await put_dependencies(client, world, third, first)).status_code == 200
    assert (await put_dependencies(client, world, second)).status_code == 200
    assert await OrderDependency.count() == 1
    timeline = await client.get(
        f"/api/work-orders/{third['id']}/timeline", headers=await world.headers("admin")
    )
    kinds = [e["kind"] for e in timeline.json()["items"]]
    assert kinds.count("dependencies") == 2


async def test_planned_dates_must_be_in_order(client: httpx.AsyncClient, world: World) -> None:
    answer = await client.post(
        "/api/work-orders/",
        json={
            "title": "Backwards",
            "planned_start_at": "2026-11-05T00:00:00Z",
            "planned_end_at": "2026-11-04T00:00:00Z",
        },
        headers=await world.headers("north_manager"),
    )
    assert_error(answer, 422, "invalid_plan_dates")
    made = await order(client, world, title="Forwards", planned_start_at="2026-11-05T00:00:00Z")
    edit = await client.patch(
        f"/api/work-orders/{made['id']}",
        json={"planned_end_at": "2026-11-01T00:00:00Z"},
        headers=await world.headers("north_manager"),
    )
    assert_error(edit, 422, "invalid_plan_dates")


async def test_a_gantt_of_a_project_out_of_scope_is_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    project, _ = await project_with_tasks(client, world)
    answer = await client.get(
        f"/api/work-orders/{project['id']}/gantt", headers=await world.headers("south_manager")
    )
    assert_error(answer, 404, "not_found")
