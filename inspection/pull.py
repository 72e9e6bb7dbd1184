"""What a phone keeps of inspections, beside its orders (sync/pull_catalogue.py):
every checklist, the caller's rounds and their recent runs, and the assets (with
their sites and recent results) of those rounds, so a label scanned in a basement
resolves offline.

Like the rest of the catalogue, each page brings the rows changed in (after, upto]
(everything up to ``upto`` on a snapshot's first page). A round that is new to the
caller brings its checkpoints' assets whatever their age.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from inspection.checklists import to_checklist
from inspection.results import to_result
from inspection.rounds import read_rounds, to_round
from inspection.runs import read_runs, to_run
from inspection.scope import round_terms
from inspection.tables import Checklist
from server.accounts.actor import Actor
from server.database import fetch, is_sqlite, json_column, one_of_ids
from server.sql import Sql

RUNS_KEPT = timedelta(days=7)
RESULTS_KEPT = timedelta(days=30)


def _window(alias: str, after: int | None, upto: int) -> Sql:
    low = -1 if after is None else after
    return Sql(f"{alias}.sync_seq > {{}} AND {alias}.sync_seq <= {{}}", low, upto)


async def inspection_catalogue(
    actor: Actor, after: int | None, upto: int, now: datetime
) -> dict[str, Any]:
    engine = Checklist._meta.db
    mine = round_terms(actor)
    # Independent reads at once, over the plain readers.
    checklists, rounds, changed, runs = await asyncio.gather(
        fetch(
            engine,
            f"SELECT * FROM checklist c WHERE {_window('c', after, upto).text}",
            _window("c", after, upto).args,
        ),
        read_rounds(Sql("r.active = {}", True) & mine),
        read_rounds(mine & _window("r", after, upto)),
        read_runs(
            round_terms(actor, "rr")
            & _window("rr", after, upto)
            & Sql("rr.due_at >= {}", now - RUNS_KEPT)
        ),
    )
    checkpoints = {UUID(str(a)) for row in rounds for a in json_column(row["checkpoints"])}
    fresh = {UUID(str(a)) for row in changed for a in json_column(row["checkpoints"])}
    assets: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    if checkpoints:
        sqlite = is_sqlite(engine)
        condition, bound = one_of_ids(sqlite, "a.id", sorted(checkpoints))
        named = Sql(condition, bound)
        if after is not None:
            again, again_bound = one_of_ids(sqlite, "a.id", sorted(fresh) or [UUID(int=0)])
            named = named & Sql(
                f"(({_window('a', after, upto).text}) OR {again})",
                *_window("a", after, upto).args,
                again_bound,
            )
        condition, bound = one_of_ids(sqlite, "r.asset", sorted(checkpoints))
        recent = Sql(condition, bound) & _window("r", after, upto)
        assets, results = await asyncio.gather(
            fetch(engine, f"SELECT a.id FROM asset a WHERE {named.text}", named.args),
            fetch(
                engine,
                f"SELECT r.* FROM inspection_result r WHERE {recent.text} AND r.at >= {{}}",
                [*recent.args, now - RESULTS_KEPT],
            ),
        )
    return {
        "checklists": [to_checklist(row) for row in checklists],
        "rounds": [to_round(row) for row in changed],
        "round_runs": [to_run(row, now) for row in runs],
        "inspection_results": [to_result(row) for row in results],
        "asset_ids": [UUID(str(row["id"])) for row in assets],
    }
