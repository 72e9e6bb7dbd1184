"""Checklists: what an inspection of an asset type checks, and how answers are judged.

A failure is a pass/fail item answered false, a number outside [min, max] (the
limits themselves pass), or a choice listed among the item's failing choices. A
required item must be answered; a photo or signature is the SHA-256 of the file
uploaded to the blob store (PUT /api/blobs/{sha256}).
"""

from __future__ import annotations

import math
import re
from typing import Any

import msgspec

from inspection import schemas
from inspection.tables import Checklist
from server.accounts.actor import Actor
from server.clock import Clock
from server.database import json_column, write_transaction
from server.errors import Forbidden, Invalid, NotFound
from server.ids import new_id
from server.workorders.changes import next_sync_seq

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_items(items: list[schemas.ChecklistItem]) -> None:
    """Invalid (``invalid_checklist``) when the items contradict themselves."""
    problems: dict[str, str] = {}
    keys = [item.key for item in items]
    for key in {k for k in keys if keys.count(k) > 1}:
        problems[key] = "the key is used twice"
    for item in items:
        if item.kind == "number":
            if item.min is not None and item.max is not None and item.min > item.max:
                problems[item.key] = "min is above max"
        elif item.meter or item.min is not None or item.max is not None or item.unit:
            problems[item.key] = "unit, limits and meter belong to number items"
        if item.kind == "choice":
            if not item.choices:
                problems[item.key] = "a choice item needs its choices"
            elif not set(item.failing_choices) <= set(item.choices):
                problems[item.key] = "failing choices must be among the choices"
        elif item.choices or item.failing_choices:
            problems[item.key] = "choices belong to choice items"
    if problems:
        raise Invalid("the checklist contradicts itself", problems, code="invalid_checklist")


def judge(
    items: list[schemas.ChecklistItem], answers: dict[str, schemas.Answer]
) -> list[schemas.Failure]:
    """The failures of a complete, well-typed set of answers; Invalid
    (``invalid_answers``) naming each wrong or missing answer otherwise."""
    problems: dict[str, str] = {}
    known = {item.key for item in items}
    for key in answers.keys() - known:
        problems[key] = "not an item of the asset's checklist"
    failures = []
    for item in items:
        if item.key not in answers:
            if item.required:
                problems[item.key] = "required"
            continue
        answer = answers[item.key]
        problem, why = _check(item, answer)
        if problem:
            problems[item.key] = problem
        elif why:
            failures.append(
                schemas.Failure(
                    key=item.key, label=item.label, severity=item.severity, answer=answer, why=why
                )
            )
    if problems:
        raise Invalid("some answers do not fit the checklist", problems, code="invalid_answers")
    return failures


def _check(item: schemas.ChecklistItem, answer: Any) -> tuple[str, str]:
    """(what is wrong with the answer, why it fails the item); empty when neither."""
    if item.kind == "pass_fail":
        if not isinstance(answer, bool):
            return "answer true (pass) or false (fail)", ""
        return "", "" if answer else "failed"
    if item.kind == "number":
        if isinstance(answer, bool) or not isinstance(answer, float | int):
            return "answer a number", ""
        if not math.isfinite(answer):
            return "answer a finite number", ""
        if item.min is not None and answer < item.min:
            return "", f"{answer:g}{item.unit} is below {item.min:g}{item.unit}"
        if item.max is not None and answer > item.max:
            return "", f"{answer:g}{item.unit} is above {item.max:g}{item.unit}"
        return "", ""
    if not isinstance(answer, str):
        return "answer text", ""
    if item.kind == "choice":
        if answer not in item.choices:
            return f"answer one of {', '.join(item.choices)}", ""
        return "", f"answered {answer}" if answer in item.failing_choices else ""
    if item.kind in ("photo", "signature"):
        if not SHA256.match(answer):
            return "answer the file's SHA-256 (lowercase hex)", ""
        return "", ""
    if len(answer) > 2000:
        return "at most 2,000 characters", ""
    return "", ""


def to_checklist(row: dict[str, Any]) -> schemas.Checklist:
    return msgspec.convert(
        {**row, "items": json_column(row["items"])}, schemas.Checklist, strict=False
    )


async def of_type(asset_type: str) -> schemas.Checklist | None:
    row = await Checklist.select().where(Checklist.asset_type == asset_type).first()
    return to_checklist(row) if row else None


class ChecklistService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def checklists(self) -> list[schemas.Checklist]:
        rows = await Checklist.select().order_by(Checklist.asset_type)
        return [to_checklist(row) for row in rows]

    async def get(self, asset_type: str) -> schemas.Checklist:
        found = await of_type(asset_type)
        if found is None:
            raise NotFound("no checklist for this asset type", {"asset_type": asset_type})
        return found

    async def put(self, data: schemas.ChecklistCreate) -> schemas.Checklist:
        """Create or replace the asset type's checklist (admins and managers); results
        already recorded keep the answers they had."""
        if not self.actor.can_manage:
            raise Forbidden("only admins and managers define checklists")
        check_items(data.items)
        items = msgspec.json.encode(data.items).decode()
        async with write_transaction(Checklist._meta.db):
            seq = await next_sync_seq()
            await Checklist.insert(
                Checklist(
                    id=new_id(),
                    asset_type=data.asset_type,
                    name=data.name,
                    items=items,
                    updated_at=self.clock(),
                    sync_seq=seq,
                )
            ).on_conflict(
                target=Checklist.asset_type,
                action="DO UPDATE",
                values=[Checklist.name, Checklist.items, Checklist.updated_at, Checklist.sync_seq],
            )
        return await self.get(data.asset_type)
