#!/usr/bin/env python3
"""Benchmark the job scheduler on PostgreSQL (a benchmark, not a test).

    .venv/bin/python scripts/bench_scheduler.py
    .venv/bin/python scripts/bench_scheduler.py --timers 20000 --postgres postgresql://postgres@127.0.0.1/postgres

For one and then two ``fieldops worker`` processes, on a fresh database each: writes
``--timers`` open orders, each with an SLA breach timer already due, starts the
workers and waits until every timer has run. Each timer does the real work of a
breach (timeline event, breach record, notification, the order's new version and
document). Prints timers per second and checks that each ran exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from benchlib import ROOT, base_env, drop_postgres, fieldops


async def fill(url: str, timers: int) -> None:
    """Orders whose resolution was due an hour ago, one breach timer each, a global
    SLA rule without alarms, and a manager to tell."""
    connection = await asyncpg.connect(url)
    try:
        department, manager = uuid.uuid4(), uuid.uuid4()
        await connection.execute(
            "INSERT INTO department (id, name) VALUES ($1, 'bench')", department
        )
        await connection.execute(
            "INSERT INTO app_user (id, username, display_name, role, department, skills, "
            "language, password_hash, active, created_at) VALUES "
            "($1, 'bench.manager', 'Bench Manager', 'manager', $2, '{}', 'en', '!', true, now())",
            manager,
            department,
        )
        await connection.execute(
            "INSERT INTO managed_department (id, manager, department) VALUES ($1, $2, $3)",
            uuid.uuid4(),
            manager,
            department,
        )
        await connection.execute(
            "INSERT INTO sla_rule (id, customer_group, service_item, pair, response_minutes, "
            "resolution_minutes, pause_when_suspended, warn_at_percent, alarm_every_minutes, "
            "suspend_after_alarms) VALUES ($1, NULL, NULL, '*/*', '[0,0,0,0,0]', "
            "'[60,60,60,60,60]', true, 75, 0, 5)",
            uuid.uuid4(),
        )
        created = datetime.now(UTC) - timedelta(hours=2)
        due = created + timedelta(hours=1)
        orders, jobs = [], []
        for number in range(1, timers + 1):
            order_id = uuid.uuid4()
            orders.append(
                (
                    order_id,
                    number,
                    "customer_request",
                    f"Bench {number}",
                    "",
                    "P3",
                    "new",
                    department,
                    "{}",
                    created,
                    created,
                    1,
                    0,
                    False,
                    "",
                    due,
                    0,
                    0,
                    "",
                    0,
                    "",
                )
            )
            payload = {
                "order_id": str(order_id),
                "clock": "resolution",
                "event": "breach",
                "due_at": due.isoformat(),
                "alarm": 0,
            }
            jobs.append(
                (
                    uuid.uuid4(),
                    "sla.timer",
                    f"bench/{order_id}",
                    json.dumps(payload),
                    due,
                    "pending",
                    0,
                    "",
                    created,
                )
            )
        await connection.copy_records_to_table(
            "work_order",
            records=orders,
            columns=[
                "id",
                "number",
                "kind",
                "title",
                "description",
                "priority",
                "status",
                "department",
                "custom_fields",
                "created_at",
                "updated_at",
                "version",
                "sync_seq",
                "needs_review",
                "status_reason",
                "resolution_due_at",
                "sla_paused_seconds",
                "alarm_count",
                "resumes_to",
                "urge_count",
                "doc",
            ],
        )
        await connection.copy_records_to_table(
            "job",
            records=jobs,
            columns=[
                "id",
                "kind",
                "key",
                "payload",
                "due_at",
                "state",
                "attempts",
                "last_error",
                "created_at",
            ],
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def count(url: str, query: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval(query))
    finally:
        await connection.close()


def run(admin_url: str, timers: int, workers: int) -> None:
    name = f"fieldops_bench_scheduler_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        env = {
            **base_env(url),
            "FIELDOPS_SECRET_KEY": "bench-" + "k" * 40,
            "FIELDOPS_SCHEDULER_POLL_SECONDS": "0.05",
        }
        fieldops(env, "migrate")
        asyncio.run(fill(url, timers))
        pending = "SELECT count(*) FROM job WHERE state = 'pending' AND kind = 'sla.timer'"
        began = time.perf_counter()
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "server.cli", "worker"],
                cwd=ROOT,
                env=env,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            while asyncio.run(count(url, pending)):
                time.sleep(0.05)
            seconds = time.perf_counter() - began
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(timeout=60)
        done = asyncio.run(
            count(
                url,
                "SELECT count(*) FROM job WHERE kind = 'sla.timer' AND state = 'done' AND attempts = 1",
            )
        )
        events = asyncio.run(
            count(url, "SELECT count(*) FROM timeline_event WHERE kind = 'sla_breach'")
        )
        twice = asyncio.run(
            count(
                url,
                'SELECT count(*) FROM (SELECT "order" FROM sla_breach GROUP BY "order" HAVING count(*) > 1) t',
            )
        )
        print(
            f"  {workers} worker(s): {timers:,} timers in {seconds:.1f} s = {timers / seconds:,.0f} timers/s"
            f" (start-up included); ran once: {done:,}, breach events: {events:,}, orders breached twice: {twice}",
            flush=True,
        )
        if not done == events == timers or twice:
            raise SystemExit("a timer was missed or ran twice")
    finally:
        drop_postgres(admin_url, url)


async def _admin(admin_url: str, statement: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres", metavar="ADMIN_URL"
    )
    parser.add_argument("--timers", type=int, default=100_000)
    args = parser.parse_args()
    for workers in (1, 2):
        run(args.postgres, args.timers, workers)


if __name__ == "__main__":
    main()
