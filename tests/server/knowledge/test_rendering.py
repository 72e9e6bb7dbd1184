"""Article bodies render to HTML with no way to run script: raw HTML is text, and
only Markdown's own tags, http(s)/mailto/tel links and http(s) images survive."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from server.knowledge.rendering import summary, to_html, to_text

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<style>body{display:none}</style>",
    "<iframe src=//evil.example></iframe>",
    "<svg onload=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    '[x](https://ok.example "a onmouseover=alert(1)")',
    '[x](https://ok.example/" onmouseover="alert(1))',
    "<div onclick=alert(1)>x</div>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<!-- <script>alert(1)</script> -->",
    "| a |\n|:-:|\n| <img src=x onerror=alert(1)> |",
]


class Elements(HTMLParser):
    """The tags and attributes a browser would see in the HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


@pytest.mark.parametrize("body", HOSTILE)
def test_nothing_runs(body: str) -> None:
    html = to_html(body)
    for tag, attributes in Elements(html).elements:
        assert tag in {"p", "a", "img", "code", "pre", "table", "thead", "tbody", "tr", "th", "td"}
        assert set(attributes) <= {"href", "src", "alt", "title", "rel"}, html
        for name in ("href", "src"):
            if name in attributes:
                assert (attributes[name] or "").startswith("https://ok.example"), html


def test_raw_html_is_shown_as_text() -> None:
    assert to_html("<b>bold</b> <script>alert(1)</script>") == (
        "<p>&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )


def test_markdown_renders() -> None:
    html = to_html(
        "# Fix\n\n1. **Stop** the unit\n2. Clear the ~~filter~~ drain\n\n"
        "[manual](https://example.com/m.pdf) ![diagram](https://example.com/d.png)\n\n"
        "| step | time |\n|--:|---|\n| 1 | 5 min |\n\n```\nreset\n```"
    )
    assert "<h1>Fix</h1>" in html
    assert "<ol>\n<li><strong>Stop</strong> the unit</li>" in html
    assert "<s>filter</s>" in html
    assert (
        '<a href="https://example.com/m.pdf" rel="noopener noreferrer nofollow">manual</a>' in html
    )
    assert '<img src="https://example.com/d.png" alt="diagram">' in html
    # Alignment came as a style attribute: dropped with every other style.
    assert "<th>step</th>" in html
    assert "<pre><code>reset\n</code></pre>" in html


def test_plain_text_and_summary() -> None:
    text = to_text("# 中央空调\n\nCheck the **drain** [pipe](https://x.example/p).\n\n- one\n- two")
    assert text.split() == ["中央空调", "Check", "the", "drain", "pipe.", "one", "two"]
    assert summary("word " * 100).endswith("word…")
    assert len(summary("word " * 100)) <= 300
    assert summary("  short\n text ") == "short text"
