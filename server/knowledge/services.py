"""Knowledge-base articles: writing them, finding them, suggesting them for orders
and counting whether they helped.

Admins and managers write articles (any article: the knowledge base is shared by
every department); who reads which is in server/knowledge/queries.py. Each write
stores the article's search terms in the same row, so the full-text index (kept
by triggers on SQLite, a generated column on PostgreSQL) changes in the same
transaction.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import fetch, for_update, is_sqlite, write_transaction
from server.errors import Forbidden, NotFound
from server.ids import new_id
from server.knowledge import queries, schemas, search
from server.knowledge.rendering import summary, to_text
from server.knowledge.tables import (
    KnowledgeArticle,
    KnowledgeArticleServiceItem,
    KnowledgeFeedback,
)
from server.knowledge.terms import index_terms, query_terms
from server.masterdata.tables import Asset, ServiceItem
from server.references import require_reference, unknown_reference
from server.sql import Sql, any_of
from server.workorders.scope import in_scope
from server.workorders.tables import Counter

# What a suggestion's links add to its score (see schemas.ArticleSummary.score).
SERVICE_ITEM_WEIGHT = 6
ASSET_TYPE_WEIGHT = 4


def _tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tag.strip().lower() for tag in tags))


def derived_columns(title: str, body: str, tags: list[str]) -> dict[str, Any]:
    """The columns made from the text: the summary and the search terms."""
    text = to_text(body)
    return {
        "summary": summary(text),
        "title_terms": index_terms(title),
        "tag_terms": index_terms(" ".join(tags)),
        "body_terms": index_terms(text),
    }


def _not_found(article_id: UUID) -> NotFound:
    return NotFound("no such article", {"id": str(article_id)})


class KnowledgeService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    def _require_editor(self) -> None:
        if not self.actor.can_manage:
            raise Forbidden("only admins and managers write articles")

    async def _check_service_items(self, ids: list[UUID]) -> None:
        if not ids:
            return
        found = {
            row["id"]
            for row in await ServiceItem.select(ServiceItem.id).where(ServiceItem.id.is_in(ids))
        }
        for key in ids:
            if key not in found:
                raise unknown_reference("service_item_ids", key, "service item")

    async def _link(self, article_id: UUID, service_item_ids: list[UUID]) -> None:
        if service_item_ids:
            await KnowledgeArticleServiceItem.insert(
                *(
                    KnowledgeArticleServiceItem(
                        id=new_id(), article=article_id, service_item=service_item_id
                    )
                    for service_item_id in service_item_ids
                )
            )

    # Writing

    async def create(self, data: schemas.ArticleCreate) -> schemas.Article:
        """Write a new article, numbered in sequence (KB-000001, ...)."""
        self._require_editor()
        tags = _tags(data.tags)
        service_item_ids = list(dict.fromkeys(data.service_item_ids))
        article_id = new_id()
        now = self.clock()
        async with write_transaction(KnowledgeArticle._meta.db):
            await self._check_service_items(service_item_ids)
            counted = (
                await Counter.update({Counter.value: Counter.value + 1})
                .where(Counter.name == "knowledge_article")
                .returning(Counter.value)
            )
            row = KnowledgeArticle(
                id=article_id,
                number=counted[0]["value"],
                title=data.title,
                body=data.body,
                tags=tags,
                asset_types=list(dict.fromkeys(data.asset_types)),
                language=data.language,
                published=data.published,
                public=data.public,
                created_by=self.actor.user_id,
                created_at=now,
                updated_by=self.actor.user_id,
                updated_at=now,
                **derived_columns(data.title, data.body, tags),
            )
            await KnowledgeArticle.insert(row)
            await self._link(article_id, service_item_ids)
        return await self.get(article_id)

    async def update(self, article_id: UUID, data: schemas.ArticleUpdate) -> schemas.Article:
        """Change an article; a list given replaces the whole list."""
        self._require_editor()
        changes: dict[str, Any] = {
            field: value
            for field in ("title", "body", "language", "published", "public")
            if (value := getattr(data, field)) is not msgspec.UNSET
        }
        if data.asset_types is not msgspec.UNSET:
            changes["asset_types"] = list(dict.fromkeys(data.asset_types))
        if data.tags is not msgspec.UNSET:
            changes["tags"] = _tags(data.tags)
        relinked = data.service_item_ids
        async with write_transaction(KnowledgeArticle._meta.db):
            current = await for_update(
                KnowledgeArticle.select(
                    KnowledgeArticle.title, KnowledgeArticle.body, KnowledgeArticle.tags
                ).where(KnowledgeArticle.id == article_id)
            ).first()
            if current is None:
                raise _not_found(article_id)
            if relinked is not msgspec.UNSET:
                relinked = list(dict.fromkeys(relinked))
                await self._check_service_items(relinked)
            if {"title", "body", "tags"} & changes.keys():
                merged = {**current, **changes}
                changes.update(derived_columns(merged["title"], merged["body"], merged["tags"]))
            await KnowledgeArticle.update(
                **changes, updated_by=self.actor.user_id, updated_at=self.clock()
            ).where(KnowledgeArticle.id == article_id)
            if relinked is not msgspec.UNSET:
                await KnowledgeArticleServiceItem.delete().where(
                    KnowledgeArticleServiceItem.article == article_id
                )
                await self._link(article_id, relinked)
        return await self.get(article_id)

    async def delete(self, article_id: UUID) -> None:
        """Delete an article with its links and votes."""
        self._require_editor()
        async with write_transaction(KnowledgeArticle._meta.db):
            rows = (
                await KnowledgeArticle.delete()
                .where(KnowledgeArticle.id == article_id)
                .returning(KnowledgeArticle.id)
            )
        if not rows:
            raise _not_found(article_id)

    # Reading

    async def get(self, article_id: UUID) -> schemas.Article:
        found = await queries.article(self.actor, article_id)
        if found is None:
            raise _not_found(article_id)
        return found

    async def find(
        self,
        *,
        q: str | None,
        tag: str | None,
        service_item_id: UUID | None,
        asset_type: str | None,
        language: str | None,
        published: bool | None,
        limit: int,
        offset: int,
    ) -> schemas.ArticlePage:
        """Articles the caller may read: with ``q``, those holding every term of it,
        the most relevant first; otherwise the latest changed first."""
        sqlite = is_sqlite(KnowledgeArticle._meta.db)
        terms = query_terms(q or "")
        where = search.match(sqlite, terms) if terms else Sql()
        if tag is not None:
            where &= queries.has(sqlite, "tags", tag.strip().lower())
        if asset_type is not None:
            where &= queries.has(sqlite, "asset_types", asset_type)
        if service_item_id is not None:
            where &= queries.linked_to(service_item_id)
        if language is not None:
            where &= Sql("a.language = {}", language)
        if published is not None:
            where &= Sql("a.published = {}", published)
        # One row past the page says whether there is a next one.
        items = await queries.summaries(
            self.actor, where, search.score(sqlite, terms), limit + 1, offset
        )
        more = len(items) > limit
        return schemas.ArticlePage(
            items=items[:limit], next_offset=offset + limit if more else None
        )

    # Suggesting

    async def _suggest(
        self, text: str, service_item_id: UUID | None, asset_type: str | None, limit: int
    ) -> list[schemas.ArticleSummary]:
        """Articles sharing words with the text, or linked to the service item or the
        asset type, the best first."""
        sqlite = is_sqlite(KnowledgeArticle._meta.db)
        terms = query_terms(text, suggesting=True)
        links: list[tuple[Sql, int]] = []
        if service_item_id is not None:
            links.append((queries.linked_to(service_item_id), SERVICE_ITEM_WEIGHT))
        if asset_type is not None:
            links.append((queries.has(sqlite, "asset_types", asset_type), ASSET_TYPE_WEIGHT))
        reasons = [search.match(sqlite, terms, any_term=True)] if terms else []
        score = search.score(sqlite, terms)
        for link, weight in links:
            reasons.append(link)
            score = Sql(
                f"{score.text} + CASE WHEN {link.text} THEN {weight} ELSE 0 END",
                *score.args,
                *link.args,
            )
        if not reasons:
            return []
        return await queries.summaries(self.actor, any_of(reasons), score, limit)

    async def suggestions(
        self,
        title: str,
        description: str,
        service_item_id: UUID | None,
        asset_id: UUID | None,
        limit: int,
    ) -> list[schemas.ArticleSummary]:
        """Articles for an order being written."""
        await require_reference(ServiceItem, service_item_id, "service_item_id", "service item")
        asset_type = None
        if asset_id is not None:
            asset = await Asset.select(Asset.asset_type).where(Asset.id == asset_id).first()
            if asset is None:
                raise unknown_reference("asset_id", asset_id)
            asset_type = asset["asset_type"]
        return await self._suggest(f"{title}\n{description}", service_item_id, asset_type, limit)

    async def for_order(self, order_id: UUID, limit: int) -> list[schemas.ArticleSummary]:
        """Articles for an order in the caller's scope, from its title, description,
        service item and asset."""
        where = Sql("t.id = {}", order_id) & in_scope(self.actor, "t")
        rows = await fetch(
            KnowledgeArticle._meta.db,
            "SELECT t.title, t.description, t.service_item, s.asset_type FROM work_order t "
            f"LEFT JOIN asset s ON s.id = t.asset WHERE {where.text}",
            where.args,
        )
        if not rows:
            raise NotFound("no such work order", {"id": str(order_id)})
        order = rows[0]
        service_item = order["service_item"]
        return await self._suggest(
            f"{order['title']}\n{order['description']}",
            None if service_item is None else UUID(str(service_item)),
            order["asset_type"],
            limit,
        )

    # Feedback

    async def vote(self, article_id: UUID, data: schemas.FeedbackCreate) -> schemas.Feedback:
        """Record whether the article helped the caller; a second vote replaces the first."""
        engine = KnowledgeArticle._meta.db
        where = Sql("a.id = {}", article_id) & queries.visible(self.actor)
        async with write_transaction(engine):
            if not await fetch(
                engine, f"SELECT a.id FROM knowledge_article a WHERE {where.text}", where.args
            ):
                raise _not_found(article_id)
            await KnowledgeFeedback.insert(
                KnowledgeFeedback(
                    id=new_id(),
                    article=article_id,
                    user=self.actor.user_id,
                    helped=data.helped,
                    at=self.clock(),
                )
            ).on_conflict(
                target=(KnowledgeFeedback.article, KnowledgeFeedback.user),
                action="DO UPDATE",
                values=[KnowledgeFeedback.helped, KnowledgeFeedback.at],
            )
            counts = await fetch(
                engine,
                "SELECT coalesce(sum(CASE WHEN f.helped = {} THEN 1 ELSE 0 END), 0) AS helped, "
                "coalesce(sum(CASE WHEN f.helped = {} THEN 1 ELSE 0 END), 0) AS not_helped "
                "FROM knowledge_feedback f WHERE f.article = {}",
                [True, False, article_id],
            )
        return schemas.Feedback(
            helped=int(counts[0]["helped"]),
            not_helped=int(counts[0]["not_helped"]),
            my_vote=data.helped,
        )
