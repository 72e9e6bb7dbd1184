#!/usr/bin/env python3
"""Benchmark integrations: API keys, idempotent creation, webhook deliveries (a
benchmark, not a test).

    .venv/bin/python scripts/bench_integrations.py                 # SQLite
    .venv/bin/python scripts/bench_integrations.py --postgres postgresql://postgres@127.0.0.1/postgres

On a fresh, migrated database with one admin it measures, in this process, without
HTTP: resolving the caller of a request from an access token and from an API key;
creating ``--orders`` orders with no webhook subscriptions and again with
``--subscriptions`` of them (each order then writes that many deliveries in its
transaction); creating orders with an Idempotency-Key and answering repeats of them;
and the webhook outbox posting every delivery, signed, to a receiver on 127.0.0.1 in
another process that answers 200.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg
from benchlib import BENCH_DIR, free_port

from server.accounts.actors import active_actors
from server.accounts.services import AuthService
from server.accounts.tables import Department, Session, User
from server.accounts.tokens import issue_access_token, new_refresh_token
from server.clock import utc_now
from server.database import bind, close_pool, create_engine, fetch, open_pool
from server.integrations import schemas
from server.integrations.api_keys import ApiKeyService, resolve_api_key
from server.integrations.idempotency import create_order_once
from server.integrations.outbox import WebhookOutbox
from server.integrations.webhooks import WebhookService
from server.migrations import migrate
from server.settings import Settings
from server.tables import all_tables
from server.workorders.schemas import WorkOrderCreate
from server.workorders.services import WorkOrderService

RECEIVER = """
import sys
from aiohttp import web
async def ok(request):
    await request.read()
    return web.Response(status=200)
app = web.Application()
app.router.add_post("/hooks", ok)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""
SECRET = "bench-secret-key-that-is-long-enough-0123456789"


async def timed(count: int, step: Callable[[int], Awaitable[object]]) -> float:
    """Microseconds per call of ``step(n)`` for n in range(count)."""
    started = time.perf_counter()
    for n in range(count):
        await step(n)
    return (time.perf_counter() - started) / count * 1e6


async def measure(database_url: str, args: argparse.Namespace, port: int) -> list[str]:
    settings = Settings(
        database_url=database_url,
        secret_key=SECRET,
        var_dir=str(BENCH_DIR / "var"),
        webhook_urls="http://127.0.0.1:*",
    )
    engine = create_engine(settings)
    bind(engine, all_tables())
    await migrate(engine, quiet=True)
    await open_pool(engine, 4)
    try:
        department = Department(id=uuid.uuid4(), name="bench")
        await department.save()
        admin = User(
            id=uuid.uuid4(),
            username="admin",
            display_name="Admin",
            role="admin",
            skills=[],
            password_hash="-",
        )
        await admin.save()
        (actor,) = await active_actors(User.id == admin.id)
        now = utc_now()
        session = Session(
            id=uuid.uuid4(),
            user=admin.id,
            refresh_hash=new_refresh_token()[1],
            created_at=now,
            expires_at=now + timedelta(days=1),
        )
        await session.save()
        token = issue_access_token(SECRET, admin.id, session.id, now, timedelta(hours=1))
        made = await ApiKeyService(actor, utc_now).create(
            schemas.ApiKeyCreate(name="bench", user_id=admin.id, scopes=["orders:write"])
        )
        auth = AuthService(settings, utc_now)
        lines = [
            f"caller from an access token  {await timed(2_000, lambda n: auth.resolve(token)):7.0f} µs",
            f"caller from an API key       "
            f"{await timed(2_000, lambda n: resolve_api_key(made.key, utc_now)):7.0f} µs",
        ]
        orders = WorkOrderService(actor, utc_now)

        def body(n: int) -> WorkOrderCreate:
            return WorkOrderCreate(title=f"Bench order {n}", department_id=department.id)

        await timed(50, lambda n: orders.create(body(n)))  # warm-up
        plain = await timed(args.orders, lambda n: orders.create(body(n)))
        lines.append(f"create, no subscriptions     {plain / 1000:7.2f} ms/order")
        webhooks = WebhookService(actor, utc_now, settings)
        for n in range(args.subscriptions):
            await webhooks.create(
                schemas.WebhookCreate(
                    name=f"receiver {n}",
                    url=f"http://127.0.0.1:{port}/hooks",
                    events=["order.created", "order.status_changed"],
                )
            )
        hooked = await timed(args.orders, lambda n: orders.create(body(n)))
        lines.append(
            f"create, {args.subscriptions} subscriptions     {hooked / 1000:7.2f} ms/order "
            f"({args.subscriptions} deliveries each)"
        )
        outbox = WebhookOutbox(settings, utc_now)
        pending = args.orders * args.subscriptions
        started = time.perf_counter()
        while await outbox.run_due():
            pass
        seconds = time.perf_counter() - started
        states = {
            row["state"]: int(row["n"])
            for row in await fetch(
                engine, "SELECT state, count(*) AS n FROM webhook_delivery GROUP BY state", []
            )
        }
        lines.append(
            f"outbox: {pending:,} deliveries in {seconds:.1f} s, "
            f"{pending / seconds:,.0f}/s; {states}"
        )
        for subscription in await webhooks.subscriptions():
            await webhooks.delete(subscription.id)
        once = await timed(args.orders, lambda n: create_order_once(orders, f"key-{n}", body(n)))
        repeat = await timed(args.orders, lambda n: create_order_once(orders, f"key-{n}", body(n)))
        lines.append(f"create with Idempotency-Key  {once / 1000:7.2f} ms/order")
        lines.append(f"repeat answered from the key {repeat / 1000:7.2f} ms/request")
        return lines
    finally:
        await close_pool(engine)


async def pg_database(admin_url: str, name: str, create: bool) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--subscriptions", type=int, default=10)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to compare")
    args = parser.parse_args()
    port = free_port()
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port)])
    try:
        time.sleep(1.5)
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path = BENCH_DIR / "integrations.sqlite"
        for old in BENCH_DIR.glob("integrations.sqlite*"):
            old.unlink()
        print("sqlite")
        for line in asyncio.run(measure(f"sqlite:///{path}", args, port)):
            print(f"  {line}", flush=True)
        if args.postgres:
            name = "fieldops_bench_integrations"
            asyncio.run(pg_database(args.postgres, name, create=True))
            try:
                print("postgresql")
                url = args.postgres.rsplit("/", 1)[0] + "/" + name
                for line in asyncio.run(measure(url, args, port)):
                    print(f"  {line}", flush=True)
            finally:
                asyncio.run(pg_database(args.postgres, name, create=False))
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)


if __name__ == "__main__":
    main()
