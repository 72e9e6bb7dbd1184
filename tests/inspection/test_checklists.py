"""Checklists: definitions that contradict themselves are refused, and answers are
judged at their boundaries."""

from __future__ import annotations

import httpx
import msgspec
import pytest

from inspection import schemas
from inspection.checklists import check_items, judge
from server.errors import Invalid
from tests.inspection.fixtures import GOOD, PUMP_ITEMS, pump_checklist
from tests.probes import assert_error
from tests.world import World

ITEMS = msgspec.convert(PUMP_ITEMS, list[schemas.ChecklistItem])


@pytest.mark.parametrize(
    ("pressure", "fails"),
    [(2.0, False), (6.0, False), (1.999, True), (6.001, True), (4, False)],
)
def test_limits_themselves_pass(pressure: float, fails: bool) -> None:
    failures = judge(ITEMS, {**GOOD, "pressure": pressure})
    assert [f.key for f in failures] == (["pressure"] if fails else [])
    if fails:
        assert failures[0].severity == "critical"


def test_pass_fail_and_failing_choices() -> None:
    failures = judge(ITEMS, {**GOOD, "running": False, "noise": "grinding"})
    assert [(f.key, f.why) for f in failures] == [
        ("running", "failed"),
        ("noise", "answered grinding"),
    ]
    assert judge(ITEMS, {**GOOD, "noise": "humming"}) == []


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"running": True, "noise": "quiet"}, {"pressure": "required"}),
        ({**GOOD, "running": "yes"}, {"running": "answer true (pass) or false (fail)"}),
        ({**GOOD, "pressure": True}, {"pressure": "answer a number"}),
        ({**GOOD, "pressure": float("nan")}, {"pressure": "answer a finite number"}),
        ({**GOOD, "noise": "squeaky"}, {"noise": "answer one of quiet, humming, grinding"}),
        ({**GOOD, "photo": "not-a-hash"}, {"photo": "answer the file's SHA-256 (lowercase hex)"}),
        ({**GOOD, "colour": "red"}, {"colour": "not an item of the asset's checklist"}),
    ],
)
def test_wrong_answers_are_named(answers: dict, problem: dict) -> None:
    with pytest.raises(Invalid) as raised:
        judge(ITEMS, answers)
    assert raised.value.code == "invalid_answers"
    assert raised.value.details == problem


@pytest.mark.parametrize(
    "item",
    [
        {"key": "a", "label": "A", "kind": "number", "min": 5, "max": 1},
        {"key": "a", "label": "A", "kind": "choice"},
        {"key": "a", "label": "A", "kind": "choice", "choices": ["x"], "failing_choices": ["y"]},
        {"key": "a", "label": "A", "kind": "text", "meter": True},
        {"key": "a", "label": "A", "kind": "pass_fail", "choices": ["x"]},
    ],
)
def test_contradictions_are_refused(item: dict) -> None:
    with pytest.raises(Invalid) as raised:
        check_items(msgspec.convert([item], list[schemas.ChecklistItem]))
    assert raised.value.code == "invalid_checklist"


async def test_checklists_over_the_api(client: httpx.AsyncClient, world: World) -> None:
    await pump_checklist(client, world)
    found = await client.get("/api/checklists/pump", headers=await world.headers("north_tech"))
    assert found.status_code == 200
    assert [item["key"] for item in found.json()["items"]] == [i["key"] for i in PUMP_ITEMS]
    twice = [PUMP_ITEMS[0], PUMP_ITEMS[0]]
    answer = await client.put(
        "/api/checklists/",
        json={"asset_type": "pump", "name": "x", "items": twice},
        headers=await world.headers("north_manager"),
    )
    assert_error(answer, 422, "invalid_checklist")
    answer = await client.put(
        "/api/checklists/",
        json={"asset_type": "pump", "name": "x", "items": PUMP_ITEMS},
        headers=await world.headers("north_tech"),
    )
    assert_error(answer, 403, "forbidden")
    missing = await client.get("/api/checklists/lift", headers=await world.headers("north_tech"))
    assert_error(missing, 404, "not_found")
