"""SQL fragments that carry their arguments, for the few hand-written hot queries.

Placeholders are piccolo's ``{}``; piccolo turns them into ``?`` or ``$n``.
"""

from __future__ import annotations

from typing import Any


class Sql:
    """A condition or statement with ``{}`` placeholders and its arguments, in order."""

    def __init__(self, text: str = "", *args: Any, indexed: str | None = None) -> None:
        self.text = text
        self.args = list(args)
        # The column whose (column, status, created_at, id) index serves this term alone.
        self.indexed = indexed

    def __and__(self, other: Sql) -> Sql:
        if not self.text:
            return other
        if not other.text:
            return self
        return Sql(f"({self.text}) AND ({other.text})", *self.args, *other.args)


def any_of(terms: list[Sql]) -> Sql:
    return Sql(
        "(" + " OR ".join(f"({t.text})" for t in terms) + ")",
        *(arg for t in terms for arg in t.args),
    )


def one_of(column: str, values: list[Any]) -> Sql:
    return Sql(f"{column} IN ({', '.join('{}' for _ in values)})", *values)
