#!/usr/bin/env python3
"""Benchmark using parts, logging costs and the stock guard (a benchmark, not a test).

    .venv/bin/python scripts/bench_costs.py
    .venv/bin/python scripts/bench_costs.py --postgres postgresql://postgres@127.0.0.1/postgres

On the demo city (``--scale`` orders) it gives tech01 a van with a part in stock, then
on a real server process:

- ``POST /api/work-orders/{id}/parts`` (one unit), one request at a time, and
  ``GET /api/work-orders/{id}/costs``: p50/p99 in milliseconds;
- sync pushes of ``--batch`` ``use_part`` mutations each, one after another:
  mutations per second;
- ``--racers`` requests at once for the last ``--units`` units of another part:
  how many succeeded (exactly ``--units``) and the stock left (0).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from typing import Any

import httpx
from benchlib import each_engine, login, running_server

OPEN = {"assigned", "accepted", "en_route", "on_site", "in_progress", "suspended"}


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)]


def made(answer: httpx.Response) -> dict[str, Any]:
    if answer.status_code not in (200, 201):
        raise SystemExit(f"{answer.request.url}: {answer.status_code} {answer.text[:300]}")
    return dict(answer.json())


def setup(http: httpx.Client, admin: str, tech: str, units: int) -> tuple[str, str, str, str]:
    """A part in tech01's van (plenty), another with only ``units``, and one of their
    open orders."""
    as_admin = {"Authorization": f"Bearer {admin}"}
    me = made(http.get("/api/users/me", headers={"Authorization": f"Bearer {tech}"}))
    suffix = uuid.uuid4().hex[:6]
    plenty = made(
        http.post(
            "/api/parts",
            json={"code": f"BENCH-{suffix}", "name": "Bench filter", "unit_cost": "12.34"},
            headers=as_admin,
        )
    )["id"]
    scarce = made(
        http.post(
            "/api/parts",
            json={"code": f"SCARCE-{suffix}", "name": "Bench seal", "unit_cost": "0.99"},
            headers=as_admin,
        )
    )["id"]
    van = made(
        http.post(
            "/api/stores",
            json={"name": f"Bench van {suffix}", "kind": "van", "owner_id": me["id"]},
            headers=as_admin,
        )
    )["id"]
    for part, quantity in ((plenty, 1_000_000), (scarce, units)):
        made(
            http.post(
                "/api/stock-movements",
                json={"kind": "receive", "part_id": part, "store_id": van, "quantity": quantity},
                headers=as_admin,
            )
        )
    orders = made(
        http.get(
            "/api/work-orders?view=mine&limit=200", headers={"Authorization": f"Bearer {tech}"}
        )
    )["items"]
    order = next(o["id"] for o in orders if o["status"] in OPEN and o["assignee_id"] == me["id"])
    return plenty, scarce, van, order


async def race(port: int, tech: str, order: str, part: str, van: str, racers: int) -> int:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
        answers = await asyncio.gather(
            *[
                http.post(
                    f"/api/work-orders/{order}/parts",
                    json={"part_id": part, "store_id": van, "quantity": 1},
                    headers={"Authorization": f"Bearer {tech}"},
                )
                for _ in range(racers)
            ]
        )
    if any(a.status_code not in (201, 409) for a in answers):
        raise SystemExit(f"unexpected answers: {[a.status_code for a in answers]}")
    return sum(a.status_code == 201 for a in answers)


def run_engine(name: str, database_url: str, args: argparse.Namespace) -> None:
    with running_server(name, database_url) as (port, http):
        admin, tech = login(http, "admin"), login(http, "tech01")
        plenty, scarce, van, order = setup(http, admin, tech, args.units)
        headers = {"Authorization": f"Bearer {tech}"}
        body = {"part_id": plenty, "store_id": van, "quantity": 1}
        uses, reads = [], []
        for _ in range(args.requests):
            started = time.perf_counter()
            made(http.post(f"/api/work-orders/{order}/parts", json=body, headers=headers))
            uses.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            made(http.get(f"/api/work-orders/{order}/costs", headers=headers))
            reads.append((time.perf_counter() - started) * 1000)
        for what, times in (("use a part (POST)", uses), ("cost summary (GET)", reads)):
            p50, p99 = percentiles(times)
            print(f"  {name:10} {what:22} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms", flush=True)
        client_id, next_id, started = str(uuid.uuid4()), 1, time.perf_counter()
        for _ in range(args.pushes):
            mutations = []
            for _ in range(args.batch):
                args_ = {**body, "order_id": order, "id": str(uuid.uuid4())}
                mutations.append({"id": next_id, "name": "use_part", "args": args_})
                next_id += 1
            answer = made(
                http.post(
                    "/api/sync/push",
                    json={"protocol": 1, "client_id": client_id, "mutations": mutations},
                    headers=headers,
                )
            )
            if any(r["outcome"] != "applied" for r in answer["results"]):
                raise SystemExit(f"a use_part was not applied: {answer['results'][:3]}")
        rate = args.pushes * args.batch / (time.perf_counter() - started)
        print(
            f"  {name:10} sync push of {args.batch} use_part  {rate:8.0f} mutations/s",
            flush=True,
        )
        won = asyncio.run(race(port, tech, order, scarce, van, args.racers))
        stock = made(http.get(f"/api/stores/{van}/stock", headers=headers))["items"]
        left = next(s["quantity"] for s in stock if s["part_id"] == scarce)
        print(
            f"  {name:10} {args.racers} requests at once for the last {args.units}: "
            f"{won} succeeded, {left} left",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=2_000, help="demo orders")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--pushes", type=int, default=10)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--racers", type=int, default=50)
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to compare")
    args = parser.parse_args()
    each_engine(args.scale, args.seed, args.postgres, lambda name, url: run_engine(name, url, args))


if __name__ == "__main__":
    main()
