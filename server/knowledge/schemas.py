"""Request and response bodies of the knowledge base."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from server.types import AssetType, Language, Name

ArticleBody = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=100_000,
        description="Markdown (CommonMark with tables and ~~strikethrough~~); raw HTML is shown as text",
        examples=["## Symptoms\n\nWater drips from the indoor unit.\n\n## Fix\n\nClear the drain."],
    ),
]
Tag = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=50,
        pattern=r"\S",
        description="stored trimmed and in lower case",
        examples=["hvac"],
    ),
]
Tags = Annotated[list[Tag], Meta(max_length=20)]
AssetTypes = Annotated[
    list[AssetType],
    Meta(max_length=20, description="asset types (an asset's asset_type) the article is about"),
]
ServiceItemIds = Annotated[list[UUID], Meta(max_length=50)]


class ArticleCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Name
    body: ArticleBody
    language: Language
    tags: Tags = msgspec.field(default_factory=list)
    service_item_ids: ServiceItemIds = msgspec.field(default_factory=list)
    asset_types: AssetTypes = msgspec.field(default_factory=list)
    published: Annotated[bool, Meta(description="readable by others than editors")] = False
    public: Annotated[bool, Meta(description="readable by requesters too, once published")] = False


class ArticleUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Fields left out keep their values; a list given replaces the whole list."""

    title: Name | msgspec.UnsetType = msgspec.UNSET
    body: ArticleBody | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET
    service_item_ids: ServiceItemIds | msgspec.UnsetType = msgspec.UNSET
    asset_types: AssetTypes | msgspec.UnsetType = msgspec.UNSET
    published: bool | msgspec.UnsetType = msgspec.UNSET
    public: bool | msgspec.UnsetType = msgspec.UNSET


class Article(msgspec.Struct, kw_only=True):
    id: UUID
    number: Annotated[str, Meta(examples=["KB-000012"])]
    title: str
    body: Annotated[str, Meta(description="Markdown, as written")]
    html: Annotated[str, Meta(description="the body rendered and sanitised, safe to show")]
    tags: list[str]
    service_item_ids: list[UUID]
    asset_types: list[str]
    language: str
    published: bool
    public: bool
    created_by_id: UUID | None
    created_at: datetime
    updated_by_id: UUID | None
    updated_at: datetime
    helped: Annotated[int, Meta(description='"this helped" votes')]
    not_helped: Annotated[int, Meta(description='"this did not help" votes')]
    my_vote: Annotated[bool | None, Meta(description="the caller's vote; null: none")] = None


class ArticleSummary(msgspec.Struct, kw_only=True):
    """An article in a list: its summary instead of its body."""

    id: UUID
    number: str
    title: str
    summary: Annotated[str, Meta(description="the body's first words as plain text")]
    tags: list[str]
    service_item_ids: list[UUID]
    asset_types: list[str]
    language: str
    published: bool
    public: bool
    updated_at: datetime
    helped: int
    not_helped: int
    score: Annotated[
        int,
        Meta(
            description=(
                "relevance: per query term 4 when in the title, 2 in the tags, 1 in the "
                "body; suggestions add 6 for the service item and 4 for the asset type"
            )
        ),
    ]


class ArticlePage(msgspec.Struct):
    items: list[ArticleSummary]
    next_offset: Annotated[
        int | None, Meta(description="offset of the next page; null: this is the last")
    ] = None


class SuggestionPage(msgspec.Struct):
    items: list[ArticleSummary]


class FeedbackCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    helped: Annotated[bool, Meta(description="true: this helped; false: it did not")]


class Feedback(msgspec.Struct, kw_only=True):
    helped: int
    not_helped: int
    my_vote: bool
