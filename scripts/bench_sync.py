#!/usr/bin/env python3
"""Benchmark offline sync on a real server process (a benchmark, not a test).

    .venv/bin/python scripts/bench_sync.py                   # SQLite, 10,000 and 1,000,000 orders
    .venv/bin/python scripts/bench_sync.py --scales 10000    # the small size only
    .venv/bin/python scripts/bench_sync.py --postgres postgresql://postgres@127.0.0.1/postgres

For each demo size (databases cached like scripts/bench_api.py's) it starts
``fieldops serve`` and measures:

- a technician's full initial pull, and the full pull of every order (admin);
- incremental pulls: a dispatcher changes one of the technician's orders, the
  technician pulls from its cursor (p50/p99 of the pull alone);
- pushes: ``--devices`` devices (on the demo technicians' accounts) each push
  ``--mutations`` mixed mutations (comments, flags, edits, status changes, new
  orders) in batches of ``--batch``, all devices at once; mutations per second and
  push latency p50/p99.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from typing import Any

import httpx
import msgspec
from benchlib import (
    SYNC_PROTOCOL,
    drop_postgres,
    login,
    mutations_for,
    percentile,
    postgres_database,
    running_server,
    sqlite_database,
)


class PageSummary(msgspec.Struct):
    """What a device needs from a page to go on; the rest is skipped unparsed (a PWA
    parses it in its own JavaScript engine, not in this load generator)."""

    orders: list[msgspec.Raw]
    cursor: str
    more: bool


def full_pull(http: httpx.Client, token: str) -> tuple[float, int, int, str]:
    """Seconds, orders and pages of a pull from nothing; the final cursor."""
    body: dict[str, Any] = {
        "protocol": SYNC_PROTOCOL,
        "client_id": str(uuid.uuid4()),
        "limit": 1000,
    }
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    orders = pages = 0
    start = time.perf_counter()
    while True:
        page = http.post("/api/sync/pull", json=body, headers=headers)
        page.raise_for_status()
        answer = msgspec.json.decode(page.content, type=PageSummary)
        orders += len(answer.orders)
        pages += 1
        body["cursor"] = answer.cursor
        if not answer.more:
            return time.perf_counter() - start, orders, pages, answer.cursor


def incremental_pulls(
    http: httpx.Client, technician: str, manager: str, cursor: str, rounds: int
) -> list[float]:
    headers = {"Authorization": f"Bearer {technician}"}
    mine = http.get("/api/work-orders?view=mine&limit=20", headers=headers).json()["items"]
    body = {"protocol": SYNC_PROTOCOL, "client_id": str(uuid.uuid4()), "cursor": cursor}
    timings = []
    for n in range(rounds):
        order = mine[n % len(mine)]
        http.post(
            f"/api/work-orders/{order['id']}/comments",
            json={"body": f"dispatcher note {n}"},
            headers={"Authorization": f"Bearer {manager}"},
        ).raise_for_status()
        start = time.perf_counter()
        page = http.post("/api/sync/pull", json=body, headers=headers)
        timings.append(time.perf_counter() - start)
        page.raise_for_status()
        answer = page.json()
        assert [o["id"] for o in answer["orders"]] == [order["id"]], answer["orders"]
        body["cursor"] = answer["cursor"]
    return timings


async def push_load(
    port: int, tokens: dict[str, str], args: argparse.Namespace
) -> tuple[float, list[float], int]:
    """Wall seconds, push latencies, mutations applied or answered."""
    rng = random.Random(7)
    users = sorted(tokens)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        timeout=120,
        limits=httpx.Limits(max_connections=args.devices),
    ) as http:
        plans = []
        for device in range(args.devices):
            token = tokens[users[device % len(users)]]
            headers = {"Authorization": f"Bearer {token}"}
            mine = (await http.get("/api/work-orders?view=mine&limit=50", headers=headers)).json()[
                "items"
            ]
            plans.append((headers, mutations_for(rng, mine, args.mutations)))
        latencies: list[float] = []
        answered = 0

        async def device(headers: dict[str, str], mutations: list[Any]) -> None:
            nonlocal answered
            client_id = str(uuid.uuid4())
            for start in range(0, len(mutations), args.batch):
                batch = mutations[start : start + args.batch]
                began = time.perf_counter()
                answer = await http.post(
                    "/api/sync/push",
                    json={"protocol": SYNC_PROTOCOL, "client_id": client_id, "mutations": batch},
                    headers=headers,
                )
                latencies.append(time.perf_counter() - began)
                answer.raise_for_status()
                answered += len(answer.json()["results"])

        began = time.perf_counter()
        await asyncio.gather(*(device(headers, mutations) for headers, mutations in plans))
        return time.perf_counter() - began, latencies, answered


def run(name: str, url: str, scale: int, args: argparse.Namespace) -> None:
    with running_server(name, url) as (port, http):
        admin, technician, manager = (
            login(http, "admin"),
            login(http, "tech01"),
            login(http, "manager1"),
        )
        seconds, orders, pages, cursor = full_pull(http, technician)
        print(
            f"  {name:10} {scale:>9,}  technician's full pull: {orders:,} orders in {pages} pages, {seconds * 1000:.0f} ms",
            flush=True,
        )
        seconds, orders, pages, _ = full_pull(http, admin)
        print(
            f"  {name:10} {scale:>9,}  full pull of every order: {orders:,} orders in {pages} pages, {seconds * 1000:.0f} ms ({orders / seconds:,.0f} orders/s)",
            flush=True,
        )
        timings = incremental_pulls(http, technician, manager, cursor, args.rounds)
        print(
            f"  {name:10} {scale:>9,}  incremental pull: p50 {percentile(timings, 50):.1f} ms  p99 {percentile(timings, 99):.1f} ms  ({len(timings)} pulls, one changed order each)",
            flush=True,
        )
        if scale == min(args.scales):
            tokens = {f"tech{n:02d}": login(http, f"tech{n:02d}") for n in range(1, 21)}
            wall, latencies, answered = asyncio.run(push_load(port, tokens, args))
            print(
                f"  {name:10} {scale:>9,}  push: {answered:,} mutations from {args.devices} devices in {wall:.2f} s = {answered / wall:,.0f} mutations/s; push p50 {percentile(latencies, 50):.0f} ms  p99 {percentile(latencies, 99):.0f} ms",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="10000,1000000", help="demo sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="also run on PostgreSQL")
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--mutations", type=int, default=100, help="per device")
    parser.add_argument("--batch", type=int, default=100, help="mutations per push")
    parser.add_argument("--rounds", type=int, default=100, help="incremental pulls")
    args = parser.parse_args()
    args.scales = sorted(int(s) for s in args.scales.split(","))
    for scale in args.scales:
        run("sqlite", sqlite_database(scale, args.seed), scale, args)
        if args.postgres:
            url = postgres_database(args.postgres, scale, args.seed)
            try:
                run("postgresql", url, scale, args)
            finally:
                drop_postgres(args.postgres, url)


if __name__ == "__main__":
    main()
