from piccolo.columns import (
    UUID,
    Array,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import User
from server.masterdata.tables import ServiceItem


class KnowledgeArticle(Table):
    """A knowledge-base article, its body in Markdown.

    The ``*_terms`` columns hold the search terms of the title, the tags and the body
    (server/knowledge/terms.py), written with the article; the full-text indexes
    are built from them (SQLite: the FTS5 table ``knowledge_article_fts``, rowid
    ``number``; PostgreSQL: the generated tsvector columns ``search_vector``,
    ``title_vector``, ``tag_vector`` and ``body_vector``, which piccolo does not
    know). See the migrations and docs/knowledge.md.
    """

    id = UUID(primary_key=True)
    # KB-000001 for people; the full-text row id on SQLite, so it never changes.
    number = Integer(unique=True)
    title = Varchar(length=200)
    body = Text()
    # The body's first words as plain text, for lists.
    summary = Varchar(length=300, default="")
    tags = Array(Varchar(length=50))
    # Assets are typed by a free label (Asset.asset_type), not an entity.
    asset_types = Array(Varchar(length=64))
    language = Varchar(length=8)
    published = Boolean(default=False)
    # Shown to requesters (customers) too; otherwise to staff only.
    public = Boolean(default=False)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    updated_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamptz()
    title_terms = Text(default="")
    tag_terms = Text(default="")
    body_terms = Text(default="")


class KnowledgeArticleServiceItem(Table):
    """An article applies to orders of this service item; (article, service_item) is
    unique. Deleting the service item drops the link, not the article."""

    id = UUID(primary_key=True)
    article = ForeignKey(KnowledgeArticle, null=False, on_delete=OnDelete.cascade)
    service_item = ForeignKey(ServiceItem, null=False, index=True, on_delete=OnDelete.cascade)


class KnowledgeFeedback(Table):
    """A user's "this helped" vote on an article; (article, user) is unique, a second
    vote changes the first."""

    id = UUID(primary_key=True)
    article = ForeignKey(KnowledgeArticle, null=False, on_delete=OnDelete.cascade)
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    helped = Boolean()
    at = Timestamptz()
