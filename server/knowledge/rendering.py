"""Article bodies: Markdown to safe HTML, and to plain text for search and summaries.

Two layers, so that a gap in one is closed by the other: markdown-it renders
CommonMark (plus tables and strikethrough) with raw HTML turned off, so ``<script>``
in a body comes out as text, and refuses javascript:, vbscript:, file: and most
data: link targets; nh3 (the ammonia sanitiser) then keeps only the tags and
attributes that Markdown produces, links and images on http(s) (links also mailto:
and tel:), and no script, style, event-handler attribute or other URL scheme.
The HTML is made on every read, not stored: a tightened rule applies to every
article at once.
"""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

SUMMARY_LENGTH = 300

TAGS = {
    *("p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "s"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "img"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _image_sources_only_on_the_web(tag: str, attribute: str, value: str) -> str | None:
    # An image loads without a click: mailto: or tel: make no sense there.
    if tag == "img" and attribute == "src" and not value.lower().startswith(("http:", "https:")):
        return None
    return value


# An article is read far more often than written, and a pathological body can take
# a second to render: each body is rendered once per process.
@functools.lru_cache(maxsize=128)
def to_html(markdown: str) -> str:
    """The body as HTML that is safe to put into a page as it is."""
    return nh3.clean(
        _parser().render(markdown),
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        attribute_filter=_image_sources_only_on_the_web,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _texts(tokens: list[Token]) -> list[str]:
    texts: list[str] = []
    for token in tokens:
        if token.children:
            texts.extend(_texts(token.children))
        elif token.type in ("text", "code_inline", "code_block", "fence", "html_inline"):
            texts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            texts.append(" ")
        if token.block and token.nesting == -1:
            texts.append("\n")
    return texts


def to_text(markdown: str) -> str:
    """The words a reader sees, without Markdown marks or link targets."""
    return "".join(_texts(_parser().parse(markdown)))


def summary(text: str) -> str:
    """The first words of a plain text, on one line, at most SUMMARY_LENGTH characters."""
    line = " ".join(text.split())
    if len(line) <= SUMMARY_LENGTH:
        return line
    return line[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"
