"""The one tokenizer both engines index: Chinese as characters and pairs, other
scripts as words, case, width and accents folded."""

from __future__ import annotations

from server.knowledge.terms import (
    INDEX_TERMS_MAX,
    QUERY_TERMS_MAX,
    Term,
    index_terms,
    query_terms,
)


def test_chinese_runs_become_characters_and_pairs() -> None:
    assert index_terms("中央空调漏水").split() == [
        *("中", "中央", "央", "央空", "空", "空调", "调", "调漏", "漏", "漏水", "水"),
    ]


def test_words_are_folded_and_split_on_anything_but_letters_and_digits() -> None:
    assert index_terms("Café R410A, ＡＢＣ e-mail snake_case 3.5 İstanbul") == (
        "cafe r410a abc e mail snake case 3 5 istanbul"
    )


def test_mixed_text_and_repeats() -> None:
    assert index_terms("A型空调 a型") == "a 型 型空 空 空调 调"


def test_query_pairs_and_prefixes() -> None:
    assert query_terms("空调 Leak 水") == [
        Term("空调", prefix=False),
        Term("leak", prefix=True),
        Term("水", prefix=False),
    ]
    assert query_terms("中央空调") == [Term(p, prefix=False) for p in ("中央", "央空", "空调")]
    assert query_terms("?!  ") == []


def test_suggestions_leave_out_common_words_and_lone_characters() -> None:
    assert query_terms("The lift is stuck on floor 3 的 电梯", suggesting=True) == [
        Term("lift", prefix=True),
        Term("stuck", prefix=True),
        Term("floor", prefix=True),
        Term("电梯", prefix=False),
    ]


def test_queries_are_capped() -> None:
    assert len(query_terms(" ".join(f"w{n}" for n in range(100)))) == QUERY_TERMS_MAX


def test_texts_index_a_bounded_number_of_terms() -> None:
    assert len(index_terms(" ".join(f"w{n}" for n in range(30_000))).split()) == INDEX_TERMS_MAX
