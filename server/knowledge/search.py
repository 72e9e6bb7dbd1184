"""Full-text conditions and relevance scores over the article search terms.

Both come from the full-text indexes (SQLite: the FTS5 table, with a column filter
per place for scores; PostgreSQL: the GIN-indexed tsvector of all places, and one
tsvector per place for scores), which hold the same
terms on both engines, so hits and their order agree. Terms hold letters and
digits only (server/knowledge/terms.py): they need no quoting beyond the quotes
each query language wants.
"""

from __future__ import annotations

from server.knowledge.terms import Term
from server.sql import Sql

# Where a term may be found (the ``<place>_terms`` columns) and what it counts there.
WEIGHTS = (("title", 4), ("tag", 2), ("body", 1))
FTS5_MATCH = (
    "a.number IN (SELECT rowid FROM knowledge_article_fts WHERE knowledge_article_fts MATCH {})"
)


def _fts5(term: Term) -> str:
    return f'"{term.text}"' + ("*" if term.prefix else "")


def _tsquery(term: Term) -> str:
    return f"'{term.text}'" + (":*" if term.prefix else "")


def match(sqlite: bool, terms: list[Term], *, any_term: bool = False) -> Sql:
    """Articles (alias ``a``) with every term, or any with ``any_term``, in their title,
    tags or body."""
    if sqlite:
        return Sql(FTS5_MATCH, (" OR " if any_term else " AND ").join(map(_fts5, terms)))
    query = (" | " if any_term else " & ").join(map(_tsquery, terms))
    return Sql("a.search_vector @@ CAST({} AS tsquery)", query)


def _found_in(sqlite: bool, place: str, term: Term) -> Sql:
    if sqlite:
        # Not correlated: SQLite runs it once per statement and probes its result.
        return Sql(FTS5_MATCH, f"{place}_terms : {_fts5(term)}")
    return Sql(f"a.{place}_vector @@ CAST({{}} AS tsquery)", _tsquery(term))


def score(sqlite: bool, terms: list[Term]) -> Sql:
    """The relevance of an article (alias ``a``) to the terms: per term, the weights of
    the places it is found in (found twice in one place, it counts once)."""
    found = [
        (_found_in(sqlite, place, term), weight) for term in terms for place, weight in WEIGHTS
    ]
    return Sql(
        " + ".join(f"CASE WHEN {where.text} THEN {weight} ELSE 0 END" for where, weight in found)
        or "0",
        *(arg for where, _ in found for arg in where.args),
    )
