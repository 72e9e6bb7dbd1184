"""HTTP endpoints of the knowledge base."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.dependencies import ActorDep, ClockDep
from server.knowledge import schemas
from server.knowledge.services import KnowledgeService
from server.openapi import SECURITY, errors
from server.types import Language


def provide_knowledge_service(actor: ActorDep, clock: ClockDep) -> KnowledgeService:
    return KnowledgeService(actor, clock)


KnowledgeServiceDep = NamedDependency[KnowledgeService]
DEPENDENCIES = {"service": Provide(provide_knowledge_service, sync_to_thread=False)}

SuggestionLimit = Annotated[int, QueryParameter(ge=1, le=20, description="articles at most")]


class ArticleController(Controller):
    path = "/api/knowledge"
    tags = ["knowledge base"]
    security = SECURITY
    dependencies = DEPENDENCIES

    @get("/articles", operation_id="ListKnowledgeArticles", responses=errors(400, 401))
    async def list_articles(
        self,
        service: KnowledgeServiceDep,
        q: Annotated[
            str | None,
            QueryParameter(
                max_length=200,
                description=(
                    "search words: articles holding every one in the title, tags or body; "
                    "words match as prefixes, Chinese text as any part of two or more "
                    "characters (空调 finds 中央空调漏水)"
                ),
            ),
        ] = None,
        tag: Annotated[str | None, QueryParameter(max_length=50)] = None,
        service_item_id: Annotated[
            UUID | None, QueryParameter(description="articles linked to this service item")
        ] = None,
        asset_type: Annotated[str | None, QueryParameter(max_length=64)] = None,
        language: Annotated[Language | None, QueryParameter()] = None,
        published: Annotated[
            bool | None, QueryParameter(description="editors: drafts (false) or published")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100, description="rows per page")] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000)] = 0,
    ) -> schemas.ArticlePage:
        """Articles the caller may read (editors: all; technicians and inspectors:
        published; requesters: published and public). With ``q``, the most relevant
        first; otherwise the latest changed first; the caller's language before
        others at equal relevance."""
        return await service.find(
            q=q,
            tag=tag,
            service_item_id=service_item_id,
            asset_type=asset_type,
            language=language,
            published=published,
            limit=limit,
            offset=offset,
        )

    @post("/articles", operation_id="CreateKnowledgeArticle", responses=errors(400, 401, 403, 422))
    async def create_article(
        self, data: JSONBody[schemas.ArticleCreate], service: KnowledgeServiceDep
    ) -> schemas.Article:
        """Write an article (admins and managers). Unknown service items: 422
        ``unknown_reference``."""
        return await service.create(data)

    @get(
        "/articles/{article_id:uuid}",
        operation_id="GetKnowledgeArticle",
        responses=errors(400, 401, 404),
    )
    async def get_article(
        self, article_id: FromPath[UUID], service: KnowledgeServiceDep
    ) -> schemas.Article:
        """One article, its Markdown and its sanitised HTML, with the vote counts and
        the caller's vote."""
        return await service.get(article_id)

    @patch(
        "/articles/{article_id:uuid}",
        operation_id="UpdateKnowledgeArticle",
        responses=errors(400, 401, 403, 404, 422),
    )
    async def update_article(
        self,
        article_id: FromPath[UUID],
        data: JSONBody[schemas.ArticleUpdate],
        service: KnowledgeServiceDep,
    ) -> schemas.Article:
        """Change an article (admins and managers); a list given replaces the list."""
        return await service.update(article_id, data)

    @delete(
        "/articles/{article_id:uuid}",
        operation_id="DeleteKnowledgeArticle",
        responses=errors(400, 401, 403, 404),
    )
    async def delete_article(
        self, article_id: FromPath[UUID], service: KnowledgeServiceDep
    ) -> None:
        """Delete an article with its votes (admins and managers)."""
        await service.delete(article_id)

    @post(
        "/articles/{article_id:uuid}/feedback",
        operation_id="RateKnowledgeArticle",
        status_code=200,
        responses=errors(400, 401, 404),
    )
    async def feedback(
        self,
        article_id: FromPath[UUID],
        data: JSONBody[schemas.FeedbackCreate],
        service: KnowledgeServiceDep,
    ) -> schemas.Feedback:
        """Say whether the article helped (anyone who may read it): one vote per
        person and article, a second one replaces the first. Answers the counts."""
        return await service.vote(article_id, data)

    @get("/suggestions", operation_id="SuggestKnowledgeArticles", responses=errors(400, 401, 422))
    async def suggestions(
        self,
        service: KnowledgeServiceDep,
        title: Annotated[str, QueryParameter(max_length=200)] = "",
        description: Annotated[
            str, QueryParameter(max_length=2000, description="its first 2,000 characters")
        ] = "",
        service_item_id: Annotated[UUID | None, QueryParameter()] = None,
        asset_id: Annotated[UUID | None, QueryParameter()] = None,
        limit: SuggestionLimit = 5,
    ) -> schemas.SuggestionPage:
        """Articles for an order being written: those sharing words with its title or
        description (common words left out), linked to its service item, or about
        its asset's type, the best first. Unknown service item or asset: 422
        ``unknown_reference``."""
        return schemas.SuggestionPage(
            items=await service.suggestions(title, description, service_item_id, asset_id, limit)
        )


class OrderArticleController(Controller):
    path = "/api/work-orders/{order_id:uuid}/articles"
    tags = ["knowledge base"]
    security = SECURITY
    dependencies = DEPENDENCIES

    @get("/", operation_id="ListOrderArticles", responses=errors(400, 401, 404))
    async def order_articles(
        self, order_id: FromPath[UUID], service: KnowledgeServiceDep, limit: SuggestionLimit = 5
    ) -> schemas.SuggestionPage:
        """Articles for an order in the caller's scope, from its title, description,
        service item and asset, as for a new order."""
        return schemas.SuggestionPage(items=await service.for_order(order_id, limit))


CONTROLLERS = [ArticleController, OrderArticleController]
