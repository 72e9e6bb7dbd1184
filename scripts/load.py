#!/usr/bin/env python3
"""Load test: simulated technicians working against a real server (a benchmark, not a test).

    .venv/bin/python scripts/load.py --scale 10000 --technicians 100 --duration 60
    .venv/bin/python scripts/load.py --scale 1000000 --duration 600 \\
        --postgres postgresql://postgres@127.0.0.1:5432/postgres

On a fresh copy of the cached demo (``--scale`` orders; SQLite unless ``--postgres``
names a PostgreSQL admin URL) it adds ``--assets`` assets, ``--technicians`` technician
accounts in teams of ten, and starts ``fieldops serve`` (``--workers`` processes). The
first ``--logins`` technicians log in through the API; the others get their tokens minted
as a login would (a password check costs up to a second on a busy 2-core machine, so 500
logins would take minutes). The admin gives each technician a handful of orders at sites
with assets. Then every technician, after a full sync pull, works at ``--rate`` actions a
minute (Poisson arrivals) until ``--duration`` seconds are up: incremental pulls,
pushes of mixed mutations (one push in five a 100-mutation batch), list views (their
own orders, ``view=mine``; the open orders in their scope, their team's included,
``view=unresolved``), order details, GPS check-ins near the site and scans of the
site's assets.

It prints requests/s, per kind of request its count and p50/p95/p99 latency (over the
whole run, then over the requests started once every phone had its initial pull), errors
(any transport failure or non-2xx answer, the first few shown), every server process's
peak RSS and CPU, the generator's own CPU and event-loop lag (if the generator is
starved, its latencies include the wait), and the machine's load average.
It exits with status 1 if any request failed. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import resource
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec
from benchlib import (
    BENCH_DIR,
    PASSWORD,
    SYNC_PROTOCOL,
    add_assets,
    connected,
    drop_postgres,
    drop_sqlite,
    mutations_for,
    percentile,
    postgres_database,
    running_server,
    sqlite_database,
)

LOCAL = "127.0.0.1"
TEAM_SIZE = 10
ORDERS_EACH = 5
# Weights of what a technician does next; a push is a 100-mutation batch (a day's
# backlog coming online) with LARGE_PUSH_SHARE, else 1-5 mutations.
ACTIONS = {
    "pull": 30,
    "push": 15,
    "list_mine": 15,
    "list_team": 10,
    "detail": 15,
    "check_in": 5,
    "scan": 10,
}
LARGE_PUSH_SHARE = 0.2
KINDS = (
    "login",
    "pull_initial",
    "pull",
    "push_small",
    "push_100",
    "list_mine",
    "list_team",
    "detail",
    "check_in",
    "scan",
)
SHOWN_ERRORS = 5
KEEPALIVE_SECONDS = 2


class PageSummary(msgspec.Struct):
    """What a device needs from a pull page to go on; the rest is skipped unparsed."""

    cursor: str
    more: bool


@dataclass
class Technician:
    username: str
    user_id: uuid.UUID
    team: uuid.UUID
    department: uuid.UUID | None
    token: str = ""
    orders: list[dict[str, Any]] = field(default_factory=list)
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    next_mutation: int = 1
    cursor: str | None = None


@dataclass
class Site:
    latitude: float
    longitude: float
    tags: list[str]


@dataclass
class Tally:
    """(start, latency) in seconds by kind of request, the failures, and when the last
    phone finished its initial pull."""

    samples: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    shown: list[str] = field(default_factory=list)
    pulled: int = 0
    all_pulled_at: float | None = None

    def seconds(self, kind: str, since: float = 0.0) -> list[float]:
        return [latency for began, latency in self.samples[kind] if began >= since]

    async def request(
        self, http: httpx.AsyncClient, kind: str, method: str, url: str, **kwargs: Any
    ) -> httpx.Response | None:
        began = time.perf_counter()
        try:
            answer = await http.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            self.failed(kind, f"{method} {url}: {type(exc).__name__} {exc}")
            return None
        self.samples[kind].append((began, time.perf_counter() - began))
        if not answer.is_success:
            self.failed(kind, f"{method} {url}: {answer.status_code} {answer.text[:300]}")
            return None
        return answer

    def failed(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.shown) < SHOWN_ERRORS:
            self.shown.append(what)


def local_only(url: str) -> None:
    host = urlsplit(url).hostname
    if host != LOCAL:
        raise SystemExit(f"refusing {url!r}: this load generator targets {LOCAL} only")


async def add_technicians(
    database_url: str, count: int, logins: int
) -> tuple[list[Technician], dict[uuid.UUID, Site]]:
    """``count`` technicians in new teams of TEAM_SIZE across the demo's departments,
    written straight into the database with the demo's password hash, all but the
    first ``logins`` with a session and an access token; the sites, with the tags of
    their assets (see add_assets)."""
    from server.accounts.tables import Department, Session, Team, User
    from server.accounts.tokens import issue_access_token, new_refresh_token
    from server.clock import utc_now
    from server.masterdata.tables import Asset
    from server.masterdata.tables import Site as SiteTable
    from server.settings import Settings, with_secret_key

    async with connected(database_url):
        demo = await User.select(User.password_hash).where(User.username == "tech01").first()
        if demo is None:
            raise SystemExit("the database has no demo technician tech01 to copy a hash from")
        departments = [row["id"] for row in await Department.select(Department.id)]
        teams = [
            Team(
                id=uuid.uuid4(),
                name=f"Load crew {n + 1:03d}",
                department=departments[n % len(departments)],
            )
            for n in range(-(-count // TEAM_SIZE))
        ]
        await Team.insert(*teams)
        crew = [
            Technician(
                username=f"load{n + 1:04d}",
                user_id=uuid.uuid4(),
                team=teams[n // TEAM_SIZE].id,
                department=teams[n // TEAM_SIZE].department,
            )
            for n in range(count)
        ]
        for start in range(0, count, 100):
            await User.insert(
                *(
                    User(
                        id=one.user_id,
                        username=one.username,
                        display_name=f"Load technician {one.username[4:]}",
                        role="technician",
                        department=one.department,
                        team=one.team,
                        skills=["electrical"],
                        language="en",
                        password_hash=demo["password_hash"],
                    )
                    for one in crew[start : start + 100]
                )
            )
        # The key the server will read from its var directory (created if missing).
        secret = with_secret_key(Settings(var_dir=str(BENCH_DIR / "var"))).secret_key
        now = utc_now()
        sessions = [
            Session(
                id=uuid.uuid4(),
                user=one.user_id,
                refresh_hash=new_refresh_token()[1],
                created_at=now,
                expires_at=now + timedelta(days=1),
            )
            for one in crew[logins:]
        ]
        for start in range(0, len(sessions), 100):
            await Session.insert(*sessions[start : start + 100])
        for one, session in zip(crew[logins:], sessions, strict=True):
            one.token = issue_access_token(secret, one.user_id, session.id, now, timedelta(days=1))
        tags: dict[uuid.UUID, list[str]] = defaultdict(list)
        for row in await Asset.select(Asset.tag, Asset.site):
            tags[row["site"]].append(row["tag"])
        sites = {
            row["id"]: Site(row["latitude"], row["longitude"], tags[row["id"]])
            for row in await SiteTable.select(SiteTable.id, SiteTable.latitude, SiteTable.longitude)
            if tags[row["id"]]
        }
        return crew, sites


async def in_parallel(jobs: list[Any], width: int) -> None:
    gate = asyncio.Semaphore(width)

    async def one(job: Any) -> None:
        async with gate:
            await job

    await asyncio.gather(*(one(job) for job in jobs))


async def sign_in(
    http: httpx.AsyncClient,
    crew: list[Technician],
    sites: dict[uuid.UUID, Site],
    tally: Tally,
    seed: int,
) -> None:
    """Log the technicians without a token in (a few at a time: the login guard
    counts attempts in flight per address), then have the admin give each
    ORDERS_EACH orders."""

    async def login(one: Technician) -> None:
        answer = await tally.request(
            http,
            "login",
            "POST",
            "/api/auth/login",
            json={"username": one.username, "password": PASSWORD},
        )
        if answer is None:
            raise SystemExit(f"{one.username} could not log in: {tally.shown[-1:]}")
        one.token = answer.json()["access_token"]

    await in_parallel([login(one) for one in crew if not one.token], width=4)
    admin = (
        await http.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
    ).raise_for_status()
    headers = {"Authorization": f"Bearer {admin.json()['access_token']}"}
    rng = random.Random(seed)
    site_ids = sorted(sites)

    async def give(one: Technician, n: int) -> None:
        answer = await http.post(
            "/api/work-orders",
            json={
                "title": f"Load visit {one.username} {n}",
                "site_id": str(rng.choice(site_ids)),
                "team_id": str(one.team),
                "department_id": str(one.department) if one.department else None,
                "assignee_id": str(one.user_id),
            },
            headers=headers,
        )
        if not answer.is_success:
            raise SystemExit(f"cannot make an order: {answer.status_code} {answer.text[:300]}")
        one.orders.append(answer.json())

    await in_parallel([give(one, n) for one in crew for n in range(ORDERS_EACH)], width=8)


class Shift:
    """One technician's session: what a phone running the PWA sends."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        one: Technician,
        sites: dict[uuid.UUID, Site],
        tally: Tally,
        rng: random.Random,
    ) -> None:
        self.http = http
        self.one = one
        self.sites = sites
        self.tally = tally
        self.rng = rng
        self.headers = {"Authorization": f"Bearer {one.token}"}
        # The orders given at set-up: assigned, at a site, open whatever the pushes do.
        self.visits = list(one.orders)

    async def call(self, kind: str, method: str, url: str, **kwargs: Any) -> Any:
        answer = await self.tally.request(
            self.http, kind, method, url, headers=self.headers, **kwargs
        )
        return None if answer is None else answer.content

    async def pull(self, kind: str) -> None:
        body: dict[str, Any] = {"protocol": SYNC_PROTOCOL, "client_id": self.one.client_id}
        if self.one.cursor is not None:
            body["cursor"] = self.one.cursor
        while True:
            content = await self.call(kind, "POST", "/api/sync/pull", json=body)
            if content is None:
                return
            page = msgspec.json.decode(content, type=PageSummary)
            body["cursor"] = self.one.cursor = page.cursor
            if not page.more:
                return

    async def push(self) -> None:
        large = self.rng.random() < LARGE_PUSH_SHARE
        count = 100 if large else self.rng.randint(1, 5)
        mutations = mutations_for(self.rng, self.one.orders, count, self.one.next_mutation)
        self.one.next_mutation += count
        await self.call(
            "push_100" if large else "push_small",
            "POST",
            "/api/sync/push",
            json={
                "protocol": SYNC_PROTOCOL,
                "client_id": self.one.client_id,
                "mutations": mutations,
            },
        )

    async def list_mine(self) -> None:
        content = await self.call("list_mine", "GET", "/api/work-orders?view=mine&limit=50")
        if content is not None:
            # Fresh versions for the next pushes, like a phone's local copy.
            self.one.orders = msgspec.json.decode(content)["items"] or self.one.orders

    async def list_team(self) -> None:
        await self.call("list_team", "GET", "/api/work-orders?view=unresolved&limit=50")

    async def detail(self) -> None:
        order = self.rng.choice(self.one.orders)
        await self.call("detail", "GET", f"/api/work-orders/{order['id']}")

    async def check_in(self) -> None:
        order = self.rng.choice(self.visits)
        site = self.sites[uuid.UUID(order["site_id"])]
        # Within ~30 m of the site, as a phone's fix would be.
        await self.call(
            "check_in",
            "POST",
            f"/api/work-orders/{order['id']}/check-ins",
            json={
                "kind": self.rng.choice(("check_in", "check_out")),
                "latitude": site.latitude + self.rng.gauss(0, 0.0002),
                "longitude": site.longitude + self.rng.gauss(0, 0.0002),
                "accuracy_m": self.rng.uniform(5, 30),
            },
        )

    async def scan(self) -> None:
        order = self.rng.choice(self.visits)
        tag = self.rng.choice(self.sites[uuid.UUID(order["site_id"])].tags)
        await self.call("scan", "GET", f"/api/scan/{tag}")

    async def work(self, rate: float, crew: int) -> None:
        """Start within one mean wait of each other, pull everything, then work."""
        await asyncio.sleep(self.rng.uniform(0, 60 / rate))
        await self.pull("pull_initial")
        self.tally.pulled += 1
        if self.tally.pulled == crew:
            self.tally.all_pulled_at = time.perf_counter()
        actions = {
            "pull": lambda: self.pull("pull"),
            "push": self.push,
            "list_mine": self.list_mine,
            "list_team": self.list_team,
            "detail": self.detail,
            "check_in": self.check_in,
            "scan": self.scan,
        }
        names, weights = list(ACTIONS), list(ACTIONS.values())
        while True:
            await asyncio.sleep(self.rng.expovariate(rate / 60))
            await actions[self.rng.choices(names, weights)[0]]()


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (the server and its workers)."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as children:
            for child in map(int, children.read().split()):
                found += [child, *descendants(child)]
    return found


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        # utime and stime, after the command name in parentheses (which may hold spaces).
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def command_of(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        words = cmdline.read().split(b"\0")
    return " ".join(word.decode() for word in words[1:4] if word)[:60]


@dataclass
class Watch:
    """Peak RSS and CPU seconds of each server process, and the generator's
    event-loop lag."""

    peak: dict[int, float] = field(default_factory=dict)
    cpu: dict[int, tuple[float, float]] = field(default_factory=dict)
    commands: dict[int, str] = field(default_factory=dict)
    lag: list[float] = field(default_factory=list)

    async def run(self, every: float = 0.5) -> None:
        while True:
            for pid in descendants(os.getpid()):
                with contextlib.suppress(OSError):
                    self.peak[pid] = max(self.peak.get(pid, 0.0), rss_mb(pid))
                    used = cpu_seconds(pid)
                    self.cpu[pid] = (self.cpu.get(pid, (used, used))[0], used)
                    self.commands.setdefault(pid, command_of(pid))
            began = time.perf_counter()
            await asyncio.sleep(every)
            self.lag.append(time.perf_counter() - began - every)


async def load(
    port: int, crew: list[Technician], sites: dict[uuid.UUID, Site], args: argparse.Namespace
) -> None:
    tally, watch = Tally(), Watch()
    async with httpx.AsyncClient(
        base_url=f"http://{LOCAL}:{port}",
        timeout=60,
        # One connection per phone. Idle ones are dropped well before uvicorn's 5 s
        # keep-alive timeout closes them, as browsers do: a request sent as the server
        # closes its connection fails without an answer.
        limits=httpx.Limits(
            max_connections=len(crew),
            max_keepalive_connections=len(crew),
            keepalive_expiry=KEEPALIVE_SECONDS,
        ),
    ) as http:
        await sign_in(http, crew, sites, tally, args.seed)
        print(
            f"  {len(crew)} technicians signed in, {len(crew) * ORDERS_EACH:,} orders given; "
            f"working for {args.duration} s at {args.rate}/min each",
            flush=True,
        )
        rng = random.Random(args.seed)
        shifts = [Shift(http, one, sites, tally, random.Random(rng.random())) for one in crew]
        watcher = asyncio.create_task(watch.run())
        load_before = os.getloadavg()
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        began = time.perf_counter()
        # A hard stop: whatever is in flight at the end is dropped, not counted.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(args.duration):
                await asyncio.gather(*(shift.work(args.rate, len(crew)) for shift in shifts))
        wall = time.perf_counter() - began
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        load_after = os.getloadavg()
        watcher.cancel()
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    report(tally, watch, began, wall, cpu, load_before, load_after)
    if tally.errors:
        raise SystemExit(1)


def latency_table(tally: Tally, since: float, errors: bool) -> None:
    """Requests started at ``since`` or later; with ``errors``, the failures of the run."""
    print(
        f"  {'kind':13} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        + (f" {'errors':>7}" if errors else "")
    )
    for kind in KINDS:
        times = tally.seconds(kind, since)
        failed = tally.errors[kind] if errors else 0
        if not times and not failed:
            continue
        p50, p95, p99 = (percentile(times, p) if times else float("nan") for p in (50, 95, 99))
        print(
            f"  {kind:13} {len(times):>7,} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}"
            + (f" {failed:>7,}" if errors else "")
        )


def report(
    tally: Tally,
    watch: Watch,
    began: float,
    wall: float,
    cpu: float,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    worked = [kind for kind in KINDS if kind != "login"]
    requests = sum(len(tally.samples[kind]) + tally.errors[kind] for kind in worked)
    print(f"  {requests:,} requests in {wall:.0f} s = {requests / wall:,.1f} requests/s")
    latency_table(tally, 0.0, errors=True)
    print(f"  errors: {sum(tally.errors.values())}")
    if tally.all_pulled_at is not None:
        # The working day once every phone has its first sync, without the burst of
        # initial pulls the run starts with (errors are counted above, for the whole run).
        settled = tally.all_pulled_at - began
        print(f"  requests that started after the last initial pull ({settled:.0f} s in):")
        latency_table(tally, tally.all_pulled_at, errors=False)
    for shown in tally.shown:
        print(f"    {shown}")
    for pid, peak in sorted(watch.peak.items()):
        first, last = watch.cpu[pid]
        print(
            f"  server process {pid} ({watch.commands[pid]}): peak RSS {peak:.0f} MB, "
            f"CPU {(last - first) / wall * 100:.0f}% of one core"
        )
    lag = percentile(watch.lag, 99) if watch.lag else float("nan")
    print(f"  generator CPU {cpu / wall * 100:.0f}% of one core; event-loop lag p99 {lag:.0f} ms")
    print(
        "  load average (1/5/15 min) at start "
        + " ".join(f"{v:.2f}" for v in load_before)
        + ", at end "
        + " ".join(f"{v:.2f}" for v in load_after),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--technicians", type=int, default=500)
    parser.add_argument(
        "--logins", type=int, default=20, help="technicians logging in through the API"
    )
    parser.add_argument("--duration", type=float, default=300, help="seconds of load")
    parser.add_argument("--rate", type=float, default=3, help="actions per technician a minute")
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="run on PostgreSQL, not SQLite")
    parser.add_argument("--scale", type=int, default=10_000, help="demo orders")
    parser.add_argument("--assets", type=int, default=100_000, help="assets added")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument(
        "--db-pool-size", type=int, help="database connections per server process (server default)"
    )
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if args.postgres:
        local_only(args.postgres)
        url = postgres_database(args.postgres, args.scale, args.seed)
    else:
        url = sqlite_database(args.scale, args.seed, run_name="load")
    name = "postgresql" if args.postgres else "sqlite"
    try:
        began = time.perf_counter()
        asyncio.run(add_assets(url, args.assets, args.seed))
        crew, sites = asyncio.run(add_technicians(url, args.technicians, args.logins))
        print(
            f"  {name}, {args.scale:,} demo orders: {args.assets:,} assets and "
            f"{len(crew)} technicians added in {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        pool = {"FIELDOPS_DB_POOL_SIZE": str(args.db_pool_size)} if args.db_pool_size else {}
        with running_server(f"load-{name}", url, workers=args.workers, env=pool) as (port, _):
            asyncio.run(load(port, crew, sites, args))
    finally:
        if args.postgres:
            drop_postgres(args.postgres, url)
        else:
            drop_sqlite(url)


if __name__ == "__main__":
    main()
