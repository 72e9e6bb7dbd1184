"""Reads of articles: who may read which, and one statement per page or article.

Editors (admins and managers) read every article, drafts included; technicians and
inspectors the published ones; requesters the published ones marked public. An
article outside that is not found (404), like one that does not exist.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.database import fetch, is_sqlite, json_column, list_agg
from server.knowledge import schemas
from server.knowledge.rendering import to_html
from server.knowledge.tables import KnowledgeArticle
from server.sql import Sql

COLUMNS = (
    "a.id, a.number, a.title, a.tags, a.asset_types, a.language, a.published, a.public, "
    "a.updated_at"
)


def visible(actor: Actor) -> Sql:
    """The articles (alias ``a``) the caller may read."""
    if actor.can_manage:
        return Sql()
    if actor.is_requester:
        return Sql("a.published = {} AND a.public = {}", True, True)
    return Sql("a.published = {}", True)


def has(sqlite: bool, column: str, value: str) -> Sql:
    """Articles (alias ``a``) whose array ``column`` holds ``value``."""
    if sqlite:
        return Sql(f"EXISTS (SELECT 1 FROM json_each(a.{column}) j WHERE j.value = {{}})", value)
    return Sql(f"{{}} = ANY(a.{column})", value)


def linked_to(service_item_id: UUID) -> Sql:
    return Sql(
        "EXISTS (SELECT 1 FROM knowledge_article_service_item l "
        "WHERE l.article = a.id AND l.service_item = {})",
        service_item_id,
    )


def _related(sqlite: bool) -> str:
    """The service items and vote counts of an article (alias ``a``), as columns."""
    return (
        f"(SELECT {list_agg(sqlite, 'l.service_item')} FROM knowledge_article_service_item l "
        "WHERE l.article = a.id) AS service_item_ids, "
        "(SELECT count(*) FROM knowledge_feedback f WHERE f.article = a.id AND f.helped = {}) "
        "AS helped, "
        "(SELECT count(*) FROM knowledge_feedback f WHERE f.article = a.id AND f.helped = {}) "
        "AS not_helped"
    )


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    """A row's values as the schemas name them."""
    ids = row["service_item_ids"]
    return {
        **row,
        "number": f"KB-{row['number']:06d}",
        "tags": json_column(row["tags"]),
        "asset_types": json_column(row["asset_types"]),
        "service_item_ids": sorted(ids.split(",")) if ids else [],
        "published": bool(row["published"]),
        "public": bool(row["public"]),
    }


async def summaries(
    actor: Actor, where: Sql, score: Sql, limit: int, offset: int = 0
) -> list[schemas.ArticleSummary]:
    """The caller's articles matching ``where``, best ``score`` first, then those in
    the caller's language, then the latest changed."""
    engine = KnowledgeArticle._meta.db
    where = where & visible(actor)
    # The page is chosen first, from the few columns that order it: SQLite would
    # otherwise work out every matching row's service items and votes before sorting.
    rows = await fetch(
        engine,
        f"SELECT {COLUMNS}, a.summary, {_related(is_sqlite(engine))}, p.score FROM ("
        f"SELECT a.id, {score.text} AS score, a.language = {{}} AS preferred, a.updated_at "
        f"FROM knowledge_article a WHERE {where.text or 'TRUE'} "
        "ORDER BY score DESC, preferred DESC, a.updated_at DESC, a.id LIMIT {} OFFSET {}"
        ") p JOIN knowledge_article a ON a.id = p.id "
        "ORDER BY p.score DESC, p.preferred DESC, p.updated_at DESC, p.id",
        [True, False, *score.args, actor.language, *where.args, limit, offset],
    )
    return msgspec.convert(
        [_fields(row) for row in rows], list[schemas.ArticleSummary], strict=False
    )


async def article(actor: Actor, article_id: UUID) -> schemas.Article | None:
    """One article with its HTML and the caller's vote, if the caller may read it."""
    engine = KnowledgeArticle._meta.db
    where = Sql("a.id = {}", article_id) & visible(actor)
    rows = await fetch(
        engine,
        f"SELECT {COLUMNS}, a.body, a.created_by AS created_by_id, a.created_at, "
        f"a.updated_by AS updated_by_id, {_related(is_sqlite(engine))}, "
        '(SELECT f.helped FROM knowledge_feedback f WHERE f.article = a.id AND f."user" = {}) '
        f"AS my_vote FROM knowledge_article a WHERE {where.text}",
        [True, False, actor.user_id, *where.args],
    )
    if not rows:
        return None
    row = _fields(rows[0])
    vote = row["my_vote"]
    row.update(html=to_html(row["body"]), my_vote=None if vote is None else bool(vote))
    return msgspec.convert(row, schemas.Article, strict=False)
