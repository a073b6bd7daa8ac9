"""The text side of site search, the same for every database: folding, query terms,
highlighted snippets and the edit distance that corrects typos.

- **Folding**: lower case without diacritics (`Káva` → `kava`), so that a visitor who types
  without accents finds Czech words; the index and the queries are folded alike.
- **Terms**: a query is cut into words (letters and digits); everything else (quotes, `*`,
  `:`, `-`, `NEAR(`, control characters) only separates words. The engines never see the
  visitor's text, only these words, which the index modules quote themselves.
- **Snippets** are built here from the stored plain text: escaped text, with `<mark>` around
  the words that match — never markup from the database.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

MAX_QUERY = 200  # characters of a query; a longer one is refused with a message
MAX_TERMS = 8  # words of a query that are searched; the rest are ignored
MAX_TERM = 40  # characters of a word; longer words are cut (no word of the index is longer)
PREFIX_FROM = 2  # a term of this many characters or more also finds longer words
SNIPPET_WORDS = 28  # words in a snippet

WORD = re.compile(r"[^\W_]+")  # letters and digits; the rest separates words


def fold(text: str) -> str:
    """`text` in lower case without diacritics: what the index and the queries compare."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.lru_cache(maxsize=8192)
def _folded_word(word: str) -> str:
    """`fold` of one word of a text being highlighted: texts repeat their words."""
    return fold(word)


@dataclass(frozen=True)
class Query:
    """What a visitor asked for: the text as typed (cleaned) and the words to search."""

    text: str
    terms: tuple[str, ...]
    problem: str = ""  # why nothing can be searched (too long …); empty when fine

    @property
    def searchable(self) -> bool:
        return bool(self.terms) and not self.problem


def parse_query(raw: str | None) -> Query:
    """The query of `raw` (the `q` parameter): control characters dropped, words folded."""
    text = "".join(c for c in (raw or "") if c.isprintable() or c == " ")
    text = " ".join(text.split())
    if len(text) > MAX_QUERY:
        return Query(text[:MAX_QUERY], (), "too_long")
    terms: list[str] = []
    for word in WORD.findall(fold(text)):
        word = word[:MAX_TERM]
        if word not in terms:
            terms.append(word)
    return Query(text, tuple(terms[:MAX_TERMS]))


def matches(word: str, terms: Iterable[str]) -> bool:
    """Whether the folded `word` is found by one of `terms` (a prefix of it, or itself)."""
    return any(word.startswith(t) if len(t) >= PREFIX_FROM else word == t for t in terms)


# snippets ---------------------------------------------------------------------------------
def highlight(text: str, terms: Sequence[str]) -> Markup:
    """All of `text`, escaped, with the words `terms` find in `<mark>`."""
    return _marked(text, list(WORD.finditer(text)), terms, 0, len(text))


def snippet(text: str, terms: Sequence[str], length: int = SNIPPET_WORDS) -> Markup:
    """About `length` words of `text` around most of its matching words, highlighted.

    The window holding the most matches wins (the first of equals); it starts a few words
    before its first match. `…` marks text left out at either end.
    """
    found = list(WORD.finditer(text))
    if not found:
        return Markup("")
    hits = [i for i, word in enumerate(found) if matches(_folded_word(word[0]), terms)]
    start = 0
    if hits:
        best = max(range(len(hits)), key=lambda h: _hits_in(hits, h, length))
        start = max(0, min(hits[best] - 3, len(found) - length))
    end = min(len(found), start + length)
    begin = 0 if start == 0 else found[start].start()
    finish = len(text) if end == len(found) else found[end - 1].end()
    body = _marked(text, found[start:end], terms, begin, finish)
    before = Markup("… ") if begin > 0 else Markup("")
    after = Markup(" …") if finish < len(text) else Markup("")
    return before + body + after


def _hits_in(hits: list[int], first: int, length: int) -> int:
    limit = hits[first] + length
    return sum(1 for hit in hits[first:] if hit < limit)


def _marked(
    text: str, found: list[re.Match[str]], terms: Sequence[str], begin: int, end: int
) -> Markup:
    parts: list[str] = []
    position = begin
    for word in found:
        if matches(_folded_word(word[0]), terms):
            parts.append(str(escape(text[position : word.start()])))
            parts.append(f"<mark>{escape(word[0])}</mark>")
            position = word.end()
    parts.append(str(escape(text[position:end])))
    return Markup("".join(parts))


# typos ------------------------------------------------------------------------------------
def allowed_typos(term: str) -> int:
    """How many edits a correction of `term` may make: none below 4 letters, 1 up to 6."""
    if len(term) < 4:
        return 0
    return 1 if len(term) <= 6 else 2


def distance(a: str, b: str, limit: int) -> int:
    """The edit distance of `a` and `b` (insert, delete, replace, swap two neighbours);
    `limit + 1` as soon as it is known to be larger than `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            cost = 0 if char == other else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


def closest(term: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `term` within its allowed typos (ties: the shorter, then
    alphabetical), or None."""
    limit = allowed_typos(term)
    if limit == 0:
        return None
    best: tuple[int, int, str] | None = None
    for candidate in candidates:
        if candidate == term:
            return None  # the word is known: nothing to correct
        found = distance(term, candidate, limit)
        if found <= limit:
            rank = (found, abs(len(candidate) - len(term)), candidate)
            if best is None or rank < best:
                best = rank
    return best[2] if best else None
