"""What the benchmarks share: demo databases cached by scale, and a real server
process on a free port."""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
PASSWORD = "fieldops-demo"
SYNC_PROTOCOL = 1
# The asset type of the first 1,000 assets add_assets makes (one label sheet's worth).
SHEET_TYPE = "bench_sheet"


def cache_key(scale: int, seed: int) -> str:
    digest = hashlib.sha256(f"{scale}:{seed}".encode())
    sources = sorted(ROOT.glob("server/demo/*.py")) + sorted(
        ROOT.glob("**/piccolo_migrations/*.py")
    )
    for path in sources:
        digest.update(path.name.encode() + path.read_bytes())
    return f"{scale}_{digest.hexdigest()[:10]}"


def fieldops(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env, check=True)


def base_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDOPS_")}
    return {
        **env,
        "FIELDOPS_DATABASE_URL": database_url,
        "FIELDOPS_VAR_DIR": str(BENCH_DIR / "var"),
        "FIELDOPS_ACCESS_TOKEN_MINUTES": "600",
        # A cached demo's timers fall due while it waits on disk: a server's scheduler
        # would work them off during the measurements. bench_scheduler runs its own.
        "FIELDOPS_RUN_SCHEDULER": "false",
    }


def sqlite_database(scale: int, seed: int, run_name: str = "run") -> str:
    """A fresh copy of the cached demo, ``<run_name>.sqlite`` (scripts running at the
    same time pass different names)."""
    cached = BENCH_DIR / f"demo_{cache_key(scale, seed)}.sqlite"
    if not cached.exists():
        print(f"filling {cached.name} with {scale:,} demo orders (cached for reruns)")
        partial = cached.with_suffix(".partial")
        for leftover in BENCH_DIR.glob(partial.name + "*"):
            leftover.unlink()
        env = base_env(f"sqlite:///{partial}")
        fieldops(env, "migrate")
        fieldops(env, "demo", "--scale", str(scale), "--seed", str(seed))
        # Fold the WAL into the file so the cached copy stands alone (the server's
        # engine turns WAL back on when it opens the run copy).
        connection = sqlite3.connect(partial)
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.close()
        partial.rename(cached)
        for stale in BENCH_DIR.glob(f"demo_{scale}_*.sqlite"):
            if stale != cached:
                stale.unlink()
    run = BENCH_DIR / f"{run_name}.sqlite"
    for old in BENCH_DIR.glob(f"{run_name}.sqlite*"):
        old.unlink()
    shutil.copyfile(cached, run)
    return f"sqlite:///{run}"


async def _pg(admin_url: str, *statements: str) -> bool:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        for statement in statements:
            if statement.startswith("SELECT"):
                return bool(await connection.fetchval(statement))
            await connection.execute(statement)
    finally:
        await connection.close()
    return True


async def _drop_stale_templates(admin_url: str, scale: int, keep: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        # LIKE's "_" matches any character: unescaped, the 10,000 pattern took the
        # 1,000,000 template for a stale one of its own and dropped it.
        for row in await connection.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2",
            rf"fieldops\_bench\_{scale}\_%",
            keep,
        ):
            await connection.execute(f'DROP DATABASE "{row["datname"]}" WITH (FORCE)')
    finally:
        await connection.close()


def postgres_database(admin_url: str, scale: int, seed: int) -> str:
    base = admin_url.rsplit("/", 1)[0]
    template = f"fieldops_bench_{cache_key(scale, seed)}"
    if not asyncio.run(_pg(admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{template}'")):
        print(f"filling database {template} with {scale:,} demo orders (kept as a template)")
        partial = template + "_partial"
        asyncio.run(
            _pg(admin_url, f'DROP DATABASE IF EXISTS "{partial}"', f'CREATE DATABASE "{partial}"')
        )
        env = base_env(f"{base}/{partial}")
        fieldops(env, "migrate")
        fieldops(env, "demo", "--scale", str(scale), "--seed", str(seed))
        asyncio.run(_pg(admin_url, f'ALTER DATABASE "{partial}" RENAME TO "{template}"'))
        asyncio.run(_drop_stale_templates(admin_url, scale, keep=template))
    run = f"fieldops_bench_run_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg(admin_url, f'CREATE DATABASE "{run}" TEMPLATE "{template}"'))
    return f"{base}/{run}"


def drop_postgres(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    asyncio.run(_pg(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def drop_sqlite(url: str) -> None:
    path = Path(url.removeprefix("sqlite:///"))
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()


@asynccontextmanager
async def connected(database_url: str) -> AsyncIterator[Any]:
    """The tables bound to the database, for writing set-up rows straight into it;
    the engine."""
    from server.database import bind, close_pool, create_engine, open_pool
    from server.settings import Settings
    from server.tables import all_tables

    engine = create_engine(Settings(database_url=database_url))
    bind(engine, all_tables())
    await open_pool(engine, 2)
    try:
        yield engine
    finally:
        await close_pool(engine)


async def add_assets(database_url: str, assets: int, seed: int) -> list[tuple[str, uuid.UUID]]:
    """Add ``assets`` assets across the demo's sites (the first 1,000 of SHEET_TYPE);
    each one's tag and site."""
    from piccolo.querystring import QueryString

    from server.database import execute_many, insert_sql, write_transaction
    from server.masterdata.tables import Asset, Site

    async with connected(database_url) as engine:
        rng = random.Random(seed)
        sites = [row["id"] for row in await Site.select(Site.id)]
        rows = [
            (
                uuid.uuid4(),
                f"BENCH-{n:06d}",
                f"Bench asset {n}",
                SHEET_TYPE if n < 1000 else rng.choice(("pump", "lift", "chiller", "fan")),
                rng.choice(sites),
            )
            for n in range(assets)
        ]
        statement = insert_sql(Asset, ("id", "tag", "name", "asset_type", "site"))
        for start in range(0, len(rows), 5000):
            async with write_transaction(engine):
                await execute_many(engine, statement, rows[start : start + 5000])
        await engine.run_querystring(QueryString("ANALYZE"))
        return [(row[1], row[4]) for row in rows]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(
    name: str, database_url: str, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[tuple[int, httpx.Client]]:
    """``fieldops serve`` on a free port, answering health checks, with ``env``'s
    settings added; its port and a client for set-up requests."""
    port = free_port()
    log = open(BENCH_DIR / f"server-{name}.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env={**base_env(database_url), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if http.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{name}: the server did not start; see {log.name}")
                time.sleep(0.2)
            yield port, http
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile of seconds, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def mutations_for(
    rng: random.Random, orders: list[dict[str, Any]], count: int, first: int = 1
) -> list[dict[str, Any]]:
    """``count`` mixed sync mutations on ``orders`` (comments, flags, edits, status
    changes, new orders), numbered from ``first`` (a device's ids go on rising)."""
    made: list[dict[str, Any]] = []
    for n in range(first, first + count):
        order = rng.choice(orders)
        roll = rng.random()
        if roll < 0.4:
            name, args = (
                "add_comment",
                {"order_id": order["id"], "id": str(uuid.uuid4()), "body": "noted"},
            )
        elif roll < 0.6:
            name, args = "set_flags", {"order_id": order["id"], "starred": rng.random() < 0.5}
        elif roll < 0.8:
            name, args = (
                "edit_order",
                {
                    "order_id": order["id"],
                    "base_version": order["version"],
                    "changes": {"description": f"checked {n}"},
                },
            )
        elif roll < 0.9:
            name, args = (
                "transition_order",
                {"order_id": order["id"], "base_version": order["version"], "action": "accept"},
            )
        else:
            name, args = "create_order", {"id": str(uuid.uuid4()), "title": f"Found on site {n}"}
        made.append({"id": n, "name": name, "args": args, "device_time": "2026-11-28T08:00:00Z"})
    return made


def login(http: httpx.Client, username: str) -> str:
    answer = http.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def each_engine(
    scale: int, seed: int, postgres: str | None, run: Callable[[str, str], None]
) -> None:
    """``run(name, database_url)`` on a fresh copy of the demo on SQLite, then on
    PostgreSQL when its admin URL is given (the copy dropped afterwards)."""
    run("sqlite", sqlite_database(scale, seed))
    if postgres:
        url = postgres_database(postgres, scale, seed)
        try:
            run("postgresql", url)
        finally:
            drop_postgres(postgres, url)
