"""SLA rules and business calendars through the API: the validation users expect."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.server.sla.rules import RESOLUTION, RESPONSE, add_rule, retail_group, targets
from tests.world import World

# (response minutes, resolution minutes, status, code)
TARGETS = [
    (RESPONSE, RESOLUTION, 201, None),
    ((0, 0, 0, 0, 0), RESOLUTION, 201, None),  # no response targets, resolution only
    ((0, 0, 0, 0, 0), (0, 0, 0, 0, 0), 422, "invalid_targets"),  # all zero
    ((15, 30, 20, 120, 240), RESOLUTION, 422, "invalid_targets"),  # P3 tighter than P2
    (RESPONSE, (120, 240, 480, 1440, 60), 422, "invalid_targets"),  # P5 tighter than P4
    (
        (15, 30, 60, 120, 240),
        (10, 240, 480, 1440, 2880),
        422,
        "invalid_targets",
    ),  # resolve before respond
    ((15, 15, 15, 15, 15), (60, 60, 60, 60, 60), 201, None),  # equal is non-decreasing
    ((-1, 30, 60, 120, 240), RESOLUTION, 400, "validation_error"),
    ((15, 30, 60, 120, 600_000), RESOLUTION, 400, "validation_error"),  # over a year
]


@pytest.mark.parametrize(("response", "resolution", "status", "code"), TARGETS)
async def test_targets_are_validated(
    client: httpx.AsyncClient,
    world: World,
    response: tuple[int, ...],
    resolution: tuple[int, ...],
    status: int,
    code: str | None,
) -> None:
    answer = await client.post(
        "/api/sla/rules",
        json={"response_minutes": targets(response), "resolution_minutes": targets(resolution)},
        headers=await world.headers("admin"),
    )
    assert answer.status_code == status, answer.text
    if code is not None:
        assert answer.json()["code"] == code
        assert (await client.get("/api/sla/rules", headers=await world.headers("admin"))).json()[
            "items"
        ] == []


async def test_one_rule_per_pair(client: httpx.AsyncClient, world: World) -> None:
    group = str(await retail_group(world))
    await add_rule(client, world)
    await add_rule(client, world, customer_group_id=group)
    for fields in ({}, {"customer_group_id": group}):
        answer = await client.post(
            "/api/sla/rules",
            json={
                "response_minutes": targets(RESPONSE),
                "resolution_minutes": targets(RESOLUTION),
                **fields,
            },
            headers=await world.headers("admin"),
        )
        assert answer.status_code == 409, answer.text
        assert answer.json()["code"] == "rule_exists"
    assert (
        len(
            (await client.get("/api/sla/rules", headers=await world.headers("admin"))).json()[
                "items"
            ]
        )
        == 2
    )


async def test_a_rule_names_existing_groups_and_items(
    client: httpx.AsyncClient, world: World
) -> None:
    answer = await client.post(
        "/api/sla/rules",
        json={
            "customer_group_id": "00000000-0000-4000-8000-000000000001",
            "response_minutes": targets(RESPONSE),
            "resolution_minutes": targets(RESOLUTION),
        },
        headers=await world.headers("admin"),
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "unknown_reference"


async def test_updates_keep_the_targets_consistent(client: httpx.AsyncClient, world: World) -> None:
    rule = await add_rule(client, world)
    headers = await world.headers("admin")
    bad = await client.patch(
        f"/api/sla/rules/{rule['id']}",
        json={"response_minutes": targets((15, 30, 600, 120, 240))},
        headers=headers,
    )
    assert bad.status_code == 422
    good = await client.patch(
        f"/api/sla/rules/{rule['id']}",
        json={"warn_at_percent": 80, "alarm_every_minutes": 15},
        headers=headers,
    )
    assert good.status_code == 200, good.text
    assert (good.json()["warn_at_percent"], good.json()["alarm_every_minutes"]) == (80, 15)
    assert good.json()["response_minutes"] == targets(RESPONSE)
    assert (await client.delete(f"/api/sla/rules/{rule['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"/api/sla/rules/{rule['id']}", headers=headers)).status_code == 404


@pytest.mark.parametrize(
    ("caller", "read", "write"),
    [
        ("admin", 200, 201),
        ("north_manager", 200, 403),
        ("north_tech", 403, 403),
        ("requester", 403, 403),
    ],
)
async def test_admins_keep_rules_and_managers_read_them(
    client: httpx.AsyncClient, world: World, caller: str, read: int, write: int
) -> None:
    headers = await world.headers(caller)
    assert (await client.get("/api/sla/rules", headers=headers)).status_code == read
    answer = await client.post(
        "/api/sla/rules",
        json={"response_minutes": targets(RESPONSE), "resolution_minutes": targets(RESOLUTION)},
        headers=headers,
    )
    assert answer.status_code == write


OFFICE = [["09:00", "12:00"], ["13:00", "18:00"]]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"week": [OFFICE] * 5 + [[], []], "holidays": ["2026-10-01"]}, 200),
        ({"week": [[["22:00", "24:00"]], [["00:00", "06:00"]], [], [], [], [], []]}, 200),
        ({"timezone": "Mars/Olympus", "week": [OFFICE] * 7}, 422),
        ({"week": [[["12:00", "09:00"]]] + [[]] * 6}, 422),  # ends before it starts
        ({"week": [[["09:00", "12:00"], ["11:00", "13:00"]]] + [[]] * 6}, 422),  # overlap
        ({"week": [[]] * 7}, 422),  # never open
        ({"week": [[["24:00", "24:00"]]] + [[]] * 6}, 422),
        ({"week": [OFFICE] * 6}, 400),  # six days
        ({"week": [[["9:00", "12:00"]]] + [[]] * 6}, 400),  # not HH:MM
        # The pattern's $ matches before a final newline; accepted before, it could not
        # be read back as a time when a clock was worked out.
        ({"week": [[["09:00", "12:00\n"]]] + [[]] * 6}, 400),
    ],
)
async def test_calendars_are_validated(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], status: int
) -> None:
    group = await retail_group(world)
    headers = await world.headers("admin")
    answer = await client.put(f"/api/sla/calendars/{group}", json=body, headers=headers)
    assert answer.status_code == status, answer.text
    stored = await client.get(f"/api/sla/calendars/{group}", headers=headers)
    if status == 200:
        assert stored.json()["week"] == body["week"]
        assert stored.json()["holidays"] == body.get("holidays", [])
    else:
        assert stored.status_code == 404
