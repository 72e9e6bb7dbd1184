#!/usr/bin/env python3
"""Benchmark knowledge-base search on both engines (a benchmark, not a test).

    .venv/bin/python scripts/bench_knowledge.py
    .venv/bin/python scripts/bench_knowledge.py --articles 20000 \
        --postgres postgresql://postgres@127.0.0.1/postgres

It fills an empty, migrated database (a SQLite file under var/bench/, and a
throwaway PostgreSQL database when ``--postgres`` gives an admin URL) with
``--articles`` generated articles, half English and half Chinese, with the same
ids, texts and times on both engines, then runs each search and suggestion
``--repeat`` times through the service (the SQL the API runs, without HTTP) as a
technician, and prints the hits and the median time. With both engines it also
checks that every search found the same articles in the same order.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from server.accounts.actor import Actor
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
from server.knowledge import search as search_sql
from server.knowledge.services import KnowledgeService, derived_columns
from server.knowledge.tables import KnowledgeArticle
from server.knowledge.terms import query_terms
from server.migrations import migrate
from server.settings import Settings
from server.tables import all_tables

BENCH_DIR = Path(__file__).resolve().parent.parent / "var" / "bench"
# Words by how common they are: the n-th is drawn with weight 1/n (Zipf), so a few
# words are in most articles and most words in a few.
ENGLISH = """the a and of to check then if is not water pressure pump valve leak drain
filter fan motor door lift light alarm sensor switch cable panel pipe noise oil air
cooling heater boiler chiller compressor breaker fuse relay meter tank belt bearing
coil damper gasket generator humidity insulation lamp outlet reset refrigerant
shaft smoke socket thermostat vibration voltage wire capacitor contactor condensate
elevator lubricate isolate tighten stuck r410a""".split()  # noqa: SIM905
CHINESE = """检查 维修 故障 更换 空调 漏水 电梯 水泵 压力 阀门 管道 清洗 保养 巡检 温度
报警 风机 电机 照明 插座 电缆 断路器 跳闸 漏电 噪音 振动 排水 堵塞 机房 屋顶 地下室
湿度 传感器 烟感 消防 喷淋 配电柜 发电机 锅炉 冷却塔 制冷 制热 轴承 皮带 过滤网 灯具
门禁 监控 复位 安装 调试 压缩机 制冷剂 冷凝水 困人 中央空调""".split()  # noqa: SIM905


ZIPF = [1 / rank for rank in range(1, 100)]
SEARCHES = [
    "compressor",
    "water leak",
    "r410a pressure valve",
    "the",
    "xyzzy",
    "空调",
    "中央空调",
    "空调 漏水",
    "冷凝水",
    "",
]
SUGGESTIONS = [
    "The chiller compressor trips the breaker after a few minutes, with a loud noise.",
    "中央空调漏水，冷凝水管堵塞，地下室机房有积水。",
]


def sentence(rng: random.Random, chinese: bool, words: int) -> str:
    vocabulary = CHINESE if chinese else ENGLISH
    picked = rng.choices(vocabulary, weights=ZIPF[: len(vocabulary)], k=words)
    return ("".join(picked) + "。") if chinese else (" ".join(picked).capitalize() + ".")


def articles(count: int, seed: int) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for number in range(1, count + 1):
        chinese = number % 2 == 0
        title = sentence(rng, chinese, rng.randint(2, 5)).rstrip("。.")
        body = "\n\n".join(sentence(rng, chinese, rng.randint(8, 20)) for _ in range(8))
        tags = sorted(set(rng.sample(CHINESE if chinese else ENGLISH[10:], 2)))
        derived = derived_columns(title, body, tags)
        at = start + timedelta(minutes=number)
        rows.append(
            (
                uuid.UUID(int=rng.getrandbits(128), version=4),
                number,
                title,
                body,
                derived["summary"],
                tags,
                [rng.choice(("chiller", "pump", "lift", "boiler"))],
                "zh-CN" if chinese else "en",
                True,
                number % 5 == 0,
                at,
                at,
                derived["title_terms"],
                derived["tag_terms"],
                derived["body_terms"],
            )
        )
    return rows


COLUMNS = (
    "id",
    "number",
    "title",
    "body",
    "summary",
    "tags",
    "asset_types",
    "language",
    "published",
    "public",
    "created_at",
    "updated_at",
    "title_terms",
    "tag_terms",
    "body_terms",
)


async def run_engine(
    name: str, database_url: str, rows: list[tuple[Any, ...]], repeat: int
) -> dict[str, list[str]]:
    engine = create_engine(Settings(database_url=database_url))
    await migrate(engine, quiet=True)
    bind(engine, all_tables())
    await open_pool(engine, 2)
    found: dict[str, list[str]] = {}
    try:
        statement = insert_sql(KnowledgeArticle, COLUMNS)
        started = time.perf_counter()
        for first in range(0, len(rows), 2000):
            async with write_transaction(engine):
                await execute_many(engine, statement, rows[first : first + 2000])
        print(
            f"  {name:10} {len(rows):,} articles written in {time.perf_counter() - started:.1f} s"
        )
        # What autovacuum does soon after a bulk load: PostgreSQL's GIN index keeps new
        # entries in a pending list, scanned in full by every search, until a vacuum.
        await engine.run_ddl("ANALYZE" if name == "sqlite" else "VACUUM ANALYZE")
        actor = Actor(
            user_id=uuid.uuid4(),
            session_id=uuid.uuid4(),
            username="bench",
            display_name="Bench",
            role="technician",
            department_id=None,
            team_id=None,
            language="zh-CN",
        )
        service = KnowledgeService(actor, lambda: datetime.now(UTC))

        async def search(q: str) -> list[str]:
            page = await service.find(
                q=q,
                tag=None,
                service_item_id=None,
                asset_type=None,
                language=None,
                published=None,
                limit=20,
                offset=0,
            )
            return [str(item.id) for item in page.items]

        async def suggest(text: str) -> list[str]:
            items = await service.suggestions(text, "", None, None, 5)
            return [str(item.id) for item in items]

        async def matching(text: str, suggesting: bool) -> int:
            """How many articles the text matches (the search shows 20, suggestions 5)."""
            terms = query_terms(text, suggesting=suggesting)
            if not terms:
                return len(rows)
            where = search_sql.match(name == "sqlite", terms, any_term=suggesting)
            counted = await fetch(
                engine,
                f"SELECT count(*) AS n FROM knowledge_article a WHERE {where.text}",
                where.args,
            )
            return int(counted[0]["n"])

        cases: list[tuple[str, Callable[[str], Awaitable[list[str]]], str, bool]] = [
            (f"search {q!r}", search, q, False) for q in SEARCHES
        ]
        cases += [(f"suggest {t[:20]!r}…", suggest, t, True) for t in SUGGESTIONS]
        for label, call, text, suggesting in cases:
            times = []
            for _ in range(repeat):
                begun = time.perf_counter()
                hits = await call(text)
                times.append((time.perf_counter() - begun) * 1000)
            found[label] = hits
            matches = await matching(text, suggesting)
            print(
                f"  {name:10} {label:36} {matches:7,} match, {len(hits):2} shown  "
                f"p50 {statistics.median(times):7.2f} ms",
                flush=True,
            )
    finally:
        await close_pool(engine)
    return found


async def postgres_database(admin_url: str) -> str:
    name = f"fieldops_bench_kb_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


async def drop_postgres(admin_url: str, url: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await connection.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each search")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to compare")
    args = parser.parse_args()
    rows = articles(args.articles, args.seed)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"knowledge-{args.articles}.sqlite"
    for leftover in BENCH_DIR.glob(f"{path.name}*"):
        leftover.unlink()
    results = {"sqlite": await run_engine("sqlite", f"sqlite:///{path}", rows, args.repeat)}
    if args.postgres:
        url = await postgres_database(args.postgres)
        try:
            results["postgresql"] = await run_engine("postgresql", url, rows, args.repeat)
        finally:
            await drop_postgres(args.postgres, url)
        same = results["sqlite"] == results["postgresql"]
        print(f"  same hits in the same order on both engines: {'yes' if same else 'NO'}")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
