"""The text side of the site search (application/classes/search_text.py): folding, query
words, highlighted snippets and the edit distance of typo corrections."""

from __future__ import annotations

import pytest

from application.classes.search_text import (
    MAX_QUERY,
    MAX_TERMS,
    closest,
    distance,
    fold,
    highlight,
    parse_query,
    snippet,
)


def test_fold_drops_case_and_accents() -> None:
    assert fold("Příliš ŽLUŤOUČKÝ kůň") == "prilis zlutoucky kun"
    assert fold("Straße Café") == "strasse cafe"


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        ("", ()),
        (
            '"head*phones" NEAR(a b) -x title:y',
            ("head", "phones", "near", "a", "b", "x", "title", "y"),
        ),
        ("Káva  KAVA kava", ("kava",)),  # once
        ("a\x00b\x1fc", ("abc",)),  # control characters are dropped, not separators
        ("snake_case", ("snake", "case")),
        ("'; DROP TABLE x; --", ("drop", "table", "x")),
    ],
)
def test_a_query_is_its_folded_words(typed: str, terms: tuple[str, ...]) -> None:
    assert parse_query(typed).terms == terms


def test_long_queries_are_refused_and_many_words_cut() -> None:
    long = parse_query("x" * (MAX_QUERY + 1))
    assert long.problem == "too_long" and not long.searchable and len(long.text) == MAX_QUERY
    many = parse_query(" ".join(f"w{n}" for n in range(20)))
    assert len(many.terms) == MAX_TERMS and many.searchable
    assert parse_query("   ").text == "" and not parse_query("   ").searchable


def test_highlight_escapes_and_marks_found_words_only() -> None:
    marked = highlight('<b>Bold</b> & "Boldness" bolt', ["bold"])
    assert str(marked) == (
        "&lt;b&gt;<mark>Bold</mark>&lt;/b&gt; &amp; &#34;<mark>Boldness</mark>&#34; bolt"
    )
    assert str(highlight("a b ab", ["a"])) == "<mark>a</mark> b ab"  # one letter: whole words


def test_snippet_shows_the_window_with_most_matches() -> None:
    words = [f"w{n}" for n in range(100)]
    words[60] = words[62] = words[64] = "target"
    words[5] = "target"
    text = " ".join(words)
    cut = str(snippet(text, ["target"], length=10))
    assert cut.startswith("… w57 w58 w59 <mark>target</mark> w61 <mark>target</mark>")
    assert cut.endswith(" …")
    assert cut.count("<mark>") == 3
    assert str(snippet("short text", ["zzz"])) == "short text"
    assert str(snippet("", ["zzz"])) == ""


def test_distance_counts_edits_and_swaps() -> None:
    assert distance("product", "product", 2) == 0
    assert distance("prodcut", "product", 2) == 1  # two letters swapped
    assert distance("prduct", "product", 2) == 1
    assert distance("produkt", "product", 2) == 1
    assert distance("abc", "xyzuvw", 2) == 3  # over the limit: limit + 1


def test_closest_keeps_known_and_short_words() -> None:
    words = ["product", "products", "protect", "modules"]
    assert closest("prodcut", words) == "product"
    assert closest("product", words) is None  # known
    assert closest("prd", words) is None  # too short to correct
    assert closest("zzzzzzz", words) is None
