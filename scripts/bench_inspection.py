#!/usr/bin/env python3
"""Benchmark scanning and label printing (a benchmark, not a test).

    .venv/bin/python scripts/bench_inspection.py
    .venv/bin/python scripts/bench_inspection.py --postgres postgresql://postgres@127.0.0.1/postgres

On the demo city (``--scale`` demo orders) it adds ``--assets`` assets across the demo's
sites (1,000 of them of one asset type), then, on a real server process, one request
at a time:

- ``GET /api/scan/{code}`` ``--requests`` times for random assets, the code typed
  lower-case with spaces around it, as a manager (every asset visible) and as a
  technician (scope checked: assets at the sites of their orders);
- ``GET /api/labels/sheet.pdf`` for the 1,000 assets of one type (42 A4 pages), a few
  times.

It prints p50/p99 latency in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from urllib.parse import quote

import httpx
from benchlib import SHEET_TYPE, add_assets, each_engine, login, running_server


def timed(http: httpx.Client, paths: list[str], token: str) -> tuple[float, float]:
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    for path in paths:
        started = time.perf_counter()
        answer = http.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: {answer.status_code} {answer.text[:200]}")
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.99) - 1)]


def run_engine(name: str, database_url: str, args: argparse.Namespace) -> None:
    tags = [tag for tag, _ in asyncio.run(add_assets(database_url, args.assets, args.seed))]
    rng = random.Random(args.seed)
    with running_server(name, database_url) as (_, http):
        manager, technician = login(http, "manager1"), login(http, "tech01")
        # The technician may scan the assets at the sites of their orders.
        mine = http.get(
            "/api/work-orders?view=mine&limit=200",
            headers={"Authorization": f"Bearer {technician}"},
        ).json()["items"]
        sites = {order["site_id"] for order in mine if order.get("site_id")}
        scannable = [
            asset["tag"]
            for site in sites
            for asset in http.get(
                f"/api/assets?site_id={site}&limit=200",
                headers={"Authorization": f"Bearer {manager}"},
            ).json()["items"]
        ]

        def scans(pool: list[str]) -> list[str]:
            return [
                f"/api/scan/{quote(' ' + rng.choice(pool).lower() + ' ')}"
                for _ in range(args.requests)
            ]

        timed(http, scans(tags)[:5], manager)
        for who, token, pool in (("manager", manager, tags), ("technician", technician, scannable)):
            p50, p99 = timed(http, scans(pool), token)
            print(
                f"  {name:10} scan among {args.assets:,} assets as a {who:10} "
                f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms",
                flush=True,
            )
        sheet = [f"/api/labels/sheet.pdf?asset_type={SHEET_TYPE}"] * args.sheets
        p50, p99 = timed(http, sheet, manager)
        print(
            f"  {name:10} label sheet of 1,000 labels (42 pages)      "
            f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=2_000, help="demo orders")
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="scans per caller")
    parser.add_argument("--sheets", type=int, default=5, help="sheets to print")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to compare")
    args = parser.parse_args()
    each_engine(args.scale, args.seed, args.postgres, lambda name, url: run_engine(name, url, args))


if __name__ == "__main__":
    main()
