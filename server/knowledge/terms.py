"""Search terms: the one tokenizer both databases index and search with.

Neither SQLite's unicode61 tokenizer nor PostgreSQL's parsers split Chinese text into
words, and the two would fold case, accents and punctuation differently anyway. So
the server makes the terms itself and the indexes take them verbatim (see the
knowledge migrations): the same text gives the same terms on both engines, and so
the same hits.

- Text is NFKC-normalised, case-folded and stripped of accents ("Café" -> "cafe",
  full-width "ＡＢＣ" -> "abc").
- Runs of letters and digits outside the CJK scripts are words ("r410a").
- Runs of CJK characters (Han, kana, Hangul) are indexed as every single character
  and every pair of neighbours: 中央空调漏水 -> 中 中央 央 央空 空 空调 调 调漏 漏
  漏水 水. A query's CJK run asks for its pairs (空调, or 中央 央空 空调 for 中央空调),
  a lone character for itself, so any substring of two or more characters is found.
- A query's words match as prefixes ("compress" finds "compressor").
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0002fa1f"  # CJK extensions B-F, compatibility supplement
)
# A CJK run, or a run of other letters and digits (\w without "_").
_RUNS = re.compile(rf"([{_CJK}]+)|((?:(?![{_CJK}])[^\W_])+)")
# Longer words are cut: PostgreSQL refuses lexemes over 2 KB, and nobody types them.
WORD_MAX = 64
# The terms of one text indexed, at most: a tsvector holds at most 1 MB of lexemes, and
# a body of 100,000 rare ideographs (four UTF-8 bytes each) makes about 970 KB of
# distinct characters and pairs. Capped, any text stays far below; what a text says
# after its first 20,000 distinct terms is not found.
INDEX_TERMS_MAX = 20_000
# The terms a query counts, at most: each costs a comparison per candidate row.
QUERY_TERMS_MAX = 32

# Words too common to say anything about which article helps (suggestions only; a
# search takes the words it is given).
STOPWORDS = frozenset(
    """a an and any are as at be been but by can could did do does for from had has have
    he her his how i if in into is it its me my no not of on or our she so than that the
    their them then there they this to too up us was we were what when where which who
    why will with would you your""".split()  # noqa: SIM905
)


class Term(NamedTuple):
    text: str
    # A word of a query matches words it begins; CJK characters and pairs match whole.
    prefix: bool


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFKC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _runs(text: str) -> list[tuple[str, str]]:
    """(cjk, word) pairs, one of each empty, in the order they appear."""
    return _RUNS.findall(normalise(text))


def index_terms(text: str) -> str:
    """The terms of a text to index, each once, space-separated, the first
    INDEX_TERMS_MAX of them."""
    terms: list[str] = []
    for cjk, word in _runs(text):
        if word:
            terms.append(word[:WORD_MAX])
            continue
        # Each character with the pair it starts: a capped text keeps both up to a point.
        for i, character in enumerate(cjk):
            terms.append(character)
            if i + 1 < len(cjk):
                terms.append(cjk[i : i + 2])
    return " ".join(list(dict.fromkeys(terms))[:INDEX_TERMS_MAX])


def query_terms(text: str, *, suggesting: bool = False) -> list[Term]:
    """The terms of a query, each once, at most QUERY_TERMS_MAX.

    ``suggesting``: terms of an order's text rather than of a search box: common
    words, one-letter words and lone CJK characters (of, 的) are left out.
    """
    terms: list[Term] = []
    for cjk, word in _runs(text):
        if word:
            if suggesting and (len(word) < 2 or word in STOPWORDS):
                continue
            terms.append(Term(word[:WORD_MAX], prefix=True))
        elif len(cjk) == 1:
            if not suggesting:
                terms.append(Term(cjk, prefix=False))
        else:
            terms.extend(Term(cjk[i : i + 2], prefix=False) for i in range(len(cjk) - 1))
    return list(dict.fromkeys(terms))[:QUERY_TERMS_MAX]
