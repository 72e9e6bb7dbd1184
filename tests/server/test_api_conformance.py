"""Every operation in the live OpenAPI document, fuzzed by schemathesis as each role.

Each role gets a fresh database and World, so what one role deletes or changes cannot
hide another role's answers. Checks: no undocumented 5xx, every status documented, every
body and content type as declared.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.world import World

# Positive examples per operation and role, and half as many negative ones; without
# credentials every answer is the same 401, so one of each.
EXAMPLES = int(os.environ.get("FIELDOPS_SCHEMATHESIS_EXAMPLES", "2"))
BASE_URL = "http://fieldops.test"
# One World user per role; None sends no credentials.
ROLES = {
    "admin": "admin",
    "manager": "north_manager",
    "technician": "north_tech",
    "inspector": "north_inspector",
    "requester": "requester",
    "anonymous": None,
}
# PostgreSQL refuses other values than SQLite (text too long, NUL bytes, integer range), not
# other roles: there the two broadest roles keep the module within CI's time budget.
POSTGRES_ROLES = ["admin", "technician"]
# These may end the caller's own session: they run last in a pass, in this order, so they
# cannot turn the operations after them into 401s.
SESSION_ENDING = ["ChangeMyPassword", "Logout"]
# Left out of the authenticated passes, each with why; the anonymous pass still sends them.
EXCLUDED = {
    # An endless server-sent event stream: the in-process transport waits for the end
    # of the body, which never comes while the caller's login is valid.
    "MapEvents",
}
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]

Send = Callable[[Case], httpx.Response]


async def known_ids(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    """Real objects for path parameters, so examples reach handlers and not only 404s.

    ``user_id`` names a user who is none of the callers: a pass that deactivates or
    demotes them leaves its own credentials working."""
    admin = await world.headers("admin")
    asset = await client.post(
        "/api/assets",
        json={
            "tag": "PUMP-001",
            "name": "Booster pump",
            "asset_type": "pump",
            "site_id": str(world.sites["central"]),
        },
        headers=admin,
    )
    assert asset.status_code == 201, asset.text
    order = await client.post(
        "/api/work-orders",
        json={"title": "Chiller down", "department_id": str(world.departments["north"])},
        headers=await world.headers("north_manager"),
    )
    assert order.status_code == 201, order.text
    groups = await client.get("/api/customer-groups", headers=admin)
    assert groups.status_code == 200, groups.text
    return {
        "user_id": str(world.id("south_tech2")),
        "department_id": str(world.departments["north"]),
        "team_id": str(world.teams["north"]),
        "site_id": str(world.sites["central"]),
        "customer_id": str(world.customers["acme"]),
        "group_id": groups.json()["items"][0]["id"],
        "skill_code": "hvac",
        "asset_id": asset.json()["id"],
        "tag": asset.json()["tag"],
        "code": asset.json()["tag"],
        "order_id": order.json()["id"],
    }


def pass_order(operation: APIOperation) -> tuple[int, bool, str]:
    """Deletions after everything else, session-ending operations at the very end."""
    name = operation.definition.raw.get("operationId")
    ending = SESSION_ENDING.index(name) + 1 if name in SESSION_ENDING else 0
    return (ending, operation.method.upper() == "DELETE", operation.label)


def exercise(
    operation: APIOperation,
    mode: GenerationMode,
    examples: int,
    path_parameters: dict[str, str],
    send: Send,
    failures: dict[str, str],
) -> int:
    """Send up to ``examples`` cases of one mode; return how many were sent."""
    sent = 0

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode, path_parameters=path_parameters))
    def run(case: Case) -> None:
        nonlocal sent
        sent += 1
        response = send(case)
        problem = server_error(operation, response)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            found = "; ".join(f"{failure.title}: {failure.message}" for failure in group.exceptions)
            problem = problem or found
        if problem:
            key = f"{operation.label} [{mode.value}] -> {response.status_code}"
            failures.setdefault(key, f"{problem}\n{case.as_curl_command(base_url=BASE_URL)}")

    run()
    return sent


def server_error(operation: APIOperation, response: httpx.Response) -> str | None:
    # A documented 503 is a dependency being off (the geocoder); anything else is our bug.
    if response.status_code < 500:
        return None
    if response.status_code == 503 and "503" in operation.definition.raw["responses"]:
        return None
    return f"server error {response.status_code}: {response.text[:500]}"


def run_pass(
    schema: schemathesis.BaseSchema,
    ids: dict[str, str],
    send: Send,
    authenticated: bool,
) -> tuple[set[str], dict[str, str]]:
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=pass_order,
    )
    exercised: set[str] = set()
    failures: dict[str, str] = {}
    for operation in operations:
        if authenticated and operation.definition.raw.get("operationId") in EXCLUDED:
            continue
        names = {parameter.name for parameter in operation.path_parameters}
        real = {name: value for name, value in ids.items() if name in names}
        positive = EXAMPLES if authenticated else 1
        sent = exercise(operation, GenerationMode.POSITIVE, positive, real, send, failures)
        # Negative data needs something to break: a parameter or a body.
        if operation.path_parameters or operation.query or operation.body:
            negative = max(1, positive // 2)
            sent += exercise(operation, GenerationMode.NEGATIVE, negative, {}, send, failures)
        if sent:
            exercised.add(operation.label)
    return exercised, failures


# Every role on SQLite; on PostgreSQL, for the time budget, only POSTGRES_ROLES (the
# parameter overrides the conftest's engine fixture, so nothing is skipped).
@pytest.mark.parametrize(
    ("engine_name", "role"),
    [("sqlite", role) for role in ROLES] + [("postgres", role) for role in POSTGRES_ROLES],
)
async def test_every_operation_conforms(
    client: httpx.AsyncClient, world: World, role: str, engine_name: str
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    documented = {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }
    schema = schemathesis.openapi.from_dict(document)
    ids = await known_ids(client, world)
    user = ROLES[role]
    auth = await world.headers(user) if user else {}
    loop = asyncio.get_running_loop()

    def send(case: Case) -> httpx.Response:
        # Serialised as schemathesis would put it on the wire, then sent through the app
        # in this test's event loop, where its database pool lives.
        prepared = requests.Request(**case.as_transport_kwargs(base_url=BASE_URL)).prepare()
        headers = {k: v for k, v in prepared.headers.items() if k.lower() != "authorization"}
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        request = client.request(
            str(prepared.method),
            str(prepared.url),
            headers={**headers, **auth},
            content=body,
        )
        return asyncio.run_coroutine_threadsafe(request, loop).result()

    exercised, failures = await asyncio.to_thread(run_pass, schema, ids, send, bool(user))
    assert not failures, "\n\n".join(f"{key}\n{text}" for key, text in sorted(failures.items()))
    if user:
        documented -= {
            f"{method.upper()} {path}"
            for path, item in document["paths"].items()
            for method, operation in item.items()
            if operation["operationId"] in EXCLUDED
        }
    assert exercised == documented
