#!/usr/bin/env python3
"""Benchmark Web Push delivery (a benchmark, not a test).

    .venv/bin/python scripts/bench_push.py                 # 10,000 pushes, SQLite
    .venv/bin/python scripts/bench_push.py --postgres postgresql://postgres@127.0.0.1/postgres

On a copy of the demo (``--scale`` orders) it subscribes one device for every demo user
and writes ``--pushes`` pending notifications among them, starts a push service on
127.0.0.1 in another process (it answers 201 to every request), and lets the push
outbox send them all: each payload encrypted for its device (aes128gcm) and signed
(VAPID), each answer recorded. Prints pushes per second and how the deliveries ended.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

from benchlib import BENCH_DIR, each_engine, free_port
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from server.accounts.tables import User
from server.clock import utc_now
from server.database import (
    bind,
    close_pool,
    create_engine,
    execute_many,
    fetch,
    insert_sql,
    open_pool,
    write_transaction,
)
from server.notifications.outbox import Outbox
from server.notifications.tables import Notification, PushDelivery, PushSubscription
from server.notifications.vapid import load_or_create
from server.settings import Settings
from server.tables import all_tables

SERVICE = """
import sys
from aiohttp import web
async def ok(request):
    await request.read()
    return web.Response(status=201)
app = web.Application()
app.router.add_post("/push/{device}", ok)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def send_all(database_url: str, pushes: int, port: int) -> str:
    settings = Settings(
        database_url=database_url,
        var_dir=str(BENCH_DIR / "var"),
        push_endpoints="http://127.0.0.1:*",
    )
    engine = create_engine(settings)
    bind(engine, all_tables())
    await open_pool(engine, 4)
    try:
        users = [row["id"] for row in await User.select(User.id)]
        now = datetime.now(UTC)
        devices = []
        for n, user in enumerate(users):
            point = (
                ec.generate_private_key(ec.SECP256R1())
                .public_key()
                .public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
            )
            devices.append(
                (
                    uuid.uuid4(),
                    user,
                    f"http://127.0.0.1:{port}/push/d{n}",
                    b64url(point),
                    b64url(os.urandom(16)),
                    now,
                )
            )
        notices, deliveries = [], []
        for n in range(pushes):
            notice = uuid.uuid4()
            params = '{"number": "WO-000042", "title": "Leaking pump", "count": 1}'
            notices.append((notice, users[n % len(users)], "urged", params, now))
            deliveries.append((uuid.uuid4(), notice, "pending", now))
        async with write_transaction(engine):
            await execute_many(
                engine,
                insert_sql(
                    PushSubscription, ("id", "user", "endpoint", "p256dh", "auth", "created_at")
                ),
                devices,
            )
            await execute_many(
                engine,
                insert_sql(Notification, ("id", "user", "kind", "params", "created_at")),
                notices,
            )
            await execute_many(
                engine,
                insert_sql(PushDelivery, ("id", "notification", "state", "next_at")),
                deliveries,
            )
        outbox = Outbox(settings, utc_now, load_or_create(settings))
        started = time.perf_counter()
        while await outbox.run_due():
            pass
        seconds = time.perf_counter() - started
        states = {
            row["state"]: int(row["n"])
            for row in await fetch(
                engine, "SELECT state, count(*) AS n FROM push_delivery GROUP BY state", []
            )
        }
        return (
            f"{pushes:,} pushes to {len(users)} devices in {seconds:.1f} s: "
            f"{pushes / seconds:,.0f} pushes/s; deliveries {states}"
        )
    finally:
        await close_pool(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pushes", type=int, default=10_000)
    parser.add_argument("--scale", type=int, default=2_000, help="demo orders")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to compare")
    args = parser.parse_args()
    port = free_port()
    service = subprocess.Popen([sys.executable, "-c", SERVICE, str(port)])
    try:
        time.sleep(1.5)

        def run(name: str, url: str) -> None:
            print(f"  {name:10} {asyncio.run(send_all(url, args.pushes, port))}", flush=True)

        each_engine(args.scale, args.seed, args.postgres, run)
    finally:
        service.terminate()
        service.wait(timeout=10)


if __name__ == "__main__":
    main()
