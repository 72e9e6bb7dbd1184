#!/usr/bin/env python3
"""Benchmark the work-order API on a real server process (a benchmark, not a test).

    .venv/bin/python scripts/bench_api.py                       # SQLite, 100,000 orders
    .venv/bin/python scripts/bench_api.py --postgres postgresql://postgres@127.0.0.1/postgres

It fills a database with the demo loader at ``--scale`` orders (SQLite files are
cached under var/bench/, PostgreSQL ones as template databases, both keyed by
scale, seed and the demo/migration sources, so reruns start in seconds), starts
``fieldops serve`` on a free 127.0.0.1 port against a fresh copy, and drives it
from a separate load process: ``--connections`` keep-alive HTTP/1.1 connections,
each sending its next request as soon as the answer arrives, for ``--duration``
seconds per scenario after ``--warmup`` seconds. It prints requests per second
and p50/p99 latency for each scenario (and engine, side by side).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx
from benchlib import (
    BENCH_DIR,
    drop_postgres,
    login,
    postgres_database,
    running_server,
    sqlite_database,
)

SCENARIOS = ("technician list", "manager filtered list", "order detail", "create order")


# --- the load process ----------------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readline()).strip(), 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    return status


async def _load(spec: dict[str, Any]) -> dict[str, Any]:
    requests = [r.encode("latin-1") for r in spec["requests"]]
    expected = spec["expected"]
    start = time.perf_counter()
    measure_from = start + spec["warmup"]
    stop = measure_from + spec["duration"]
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(10**12))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
        try:
            while (sent := time.perf_counter()) < stop:
                writer.write(requests[next(counter) % len(requests)])
                status = await _read_response(reader)
                done = time.perf_counter()
                if sent >= measure_from:
                    latencies.append(done - sent)
                    if status != expected:
                        errors.append(str(status))
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(spec["connections"])))
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / spec["duration"],
        "p50": percentile(0.50),
        "p99": percentile(0.99),
        "errors": len(errors),
        "error_sample": sorted(set(errors))[:3],
    }


def load_worker() -> None:
    """Entry of the separate load process: a JSON spec on stdin, JSON results on stdout."""
    spec = json.load(sys.stdin)
    try:
        import uvloop

        result = uvloop.run(_load(spec))
    except ImportError:
        result = asyncio.run(_load(spec))
    json.dump(result, sys.stdout)


# --- one engine ----------------------------------------------------------------------


def request(method: str, path: str, token: str, body: dict[str, Any] | None = None) -> str:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {token}"]
    payload = json.dumps(body) if body is not None else ""
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload.encode())}"]
    return "\r\n".join(lines) + "\r\n\r\n" + payload


def scenarios(http: httpx.Client) -> dict[str, tuple[list[str], int]]:
    technician, manager = login(http, "tech01"), login(http, "manager1")
    ids: list[str] = []
    sites: set[str] = set()
    cursor = None
    while len(ids) < 1000:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = http.get(
            "/api/work-orders", params=params, headers={"Authorization": f"Bearer {manager}"}
        ).json()
        ids += [item["id"] for item in page["items"]]
        sites |= {item["site_id"] for item in page["items"] if item["site_id"]}
        if not (cursor := page["next_cursor"]):
            break
    filtered = "/api/work-orders?status=new&status=assigned&priority=P1&priority=P2&limit=50"
    creations = [
        request(
            "POST",
            "/api/work-orders",
            manager,
            {
                "kind": "customer_request",
                "title": f"Benchmark order {n}",
                "priority": "P3",
                "site_id": site,
            },
        )
        for n, site in enumerate(sorted(sites)[:20])
    ]
    return {
        "technician list": (
            [request("GET", "/api/work-orders?view=mine&limit=50", technician)],
            200,
        ),
        "manager filtered list": ([request("GET", filtered, manager)], 200),
        "order detail": ([request("GET", f"/api/work-orders/{i}", manager) for i in ids], 200),
        "create order": (creations, 201),
    }


def run_engine(name: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with running_server(name, database_url, args.workers) as (port, http):
        plan = scenarios(http)
        for scenario in SCENARIOS:
            requests, expected = plan[scenario]
            spec = {
                "host": "127.0.0.1",
                "port": port,
                "requests": requests,
                "expected": expected,
                "connections": args.connections,
                "duration": args.duration,
                "warmup": args.warmup,
            }
            worker = subprocess.run(
                [sys.executable, __file__, "--load-worker"],
                input=json.dumps(spec),
                capture_output=True,
                text=True,
                check=True,
            )
            results[scenario] = json.loads(worker.stdout)
            r = results[scenario]
            print(
                f"  {name:10} {scenario:22} {r['rps']:8.0f} req/s  p50 {r['p50']:7.1f} ms  "
                f"p99 {r['p99']:7.1f} ms  errors {r['errors']}",
                flush=True,
            )
    return results


def main() -> None:
    if sys.argv[1:] == ["--load-worker"]:
        load_worker()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100_000, help="demo orders")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--postgres",
        metavar="ADMIN_URL",
        help="also run on PostgreSQL (a throwaway database is created)",
    )
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print(
        f"{args.scale:,} orders, {args.connections} connections, {args.duration:g} s per "
        f"scenario, {args.workers} worker(s), {os.cpu_count()} CPUs",
        flush=True,
    )

    results = {"sqlite": run_engine("sqlite", sqlite_database(args.scale, args.seed), args)}
    for old in BENCH_DIR.glob("run.sqlite*"):
        old.unlink()
    if args.postgres:
        url = postgres_database(args.postgres, args.scale, args.seed)
        try:
            results["postgresql"] = run_engine("postgresql", url, args)
        finally:
            drop_postgres(args.postgres, url)

    engines = list(results)
    print(
        "\n"
        + f"{'scenario':24}"
        + "".join(f"{e + ' req/s':>18}{'p50 ms':>9}{'p99 ms':>9}" for e in engines)
    )
    for scenario in SCENARIOS:
        cells = "".join(
            f"{results[e][scenario]['rps']:18.0f}{results[e][scenario]['p50']:9.1f}"
            f"{results[e][scenario]['p99']:9.1f}"
            for e in engines
        )
        print(f"{scenario:24}{cells}")
    if any(results[e][s]["errors"] for e in engines for s in SCENARIOS):
        print("\nsome requests failed; see the errors column and var/bench/server-*.log")


if __name__ == "__main__":
    main()
