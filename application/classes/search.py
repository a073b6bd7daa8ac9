"""Site search: a full-text index of what the public site shows, per locale, in the database.

- **Engines**: SQLite's FTS5 (ranked by bm25 with the title ten times the body) or
  PostgreSQL's `tsvector` (table `search_index`, a GIN index, ranked by `ts_rank_cd`, title
  weight A, body B). PostgreSQL's text search configuration is the language's where it has
  one (`english` for en_US); Czech has none, so it is `simple`. FTS5 chooses its tokenizer per
  table, not per row, and its only stemmer is English (`porter`): English locales go to the
  virtual table `search_index_english` (`porter` around `unicode61`), so that `running` finds
  *runs* on both engines; every other locale to `search_index` (`unicode61` alone), where
  Czech is found as on PostgreSQL's `simple`, by the beginning of the word. Both engines get
  folded text (`search_text.fold`: lower case, no diacritics) — PostgreSQL's `unaccent` is an
  extension that needs a superuser to install, and folding in Python makes the two engines
  (and the highlighting) agree.
- **Documents** come from sources (`SearchSource`): one per kind of item (articles,
  products). A document has the item's title and plain text in one locale, and when it
  becomes visible: a scheduled article is indexed at once but found only from its
  publication time on (filtered when searching, so nothing has to run at that time).
- **Queries** are words (`search_text.parse_query`); each becomes a quoted term, a prefix
  term from two letters on (`prod` finds `product`), all of them required.
- **Vocabulary**: the words of the indexed texts per locale (`SearchWord`), with their
  accents, to correct a query that finds nothing (`correction`). Words of deleted texts stay
  until the next rebuild; a correction is offered only when it finds something. A table of
  our own rather than the engines' lists: FTS5's `fts5vocab` has one list for all locales
  (a Czech word would correct an English query) and only folded tokens (`kava`, not *káva*);
  PostgreSQL's `ts_stat` reads every tsvector of the locale on each call and gives stems
  (`headphon`). One table answers both engines alike, by a range of its primary key.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import String, bindparam, delete, func, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Mapped, Session, mapped_column

from application.classes.model import Model
from application.classes.paging import PageOf
from application.classes.search_text import (
    MAX_TERM,
    PREFIX_FROM,
    WORD,
    Query,
    allowed_typos,
    closest,
    fold,
)
from jetpy import JetpyError

INDEX = "search_index"  # PostgreSQL: every locale; SQLite: the locales it cannot stem
STEMMED_INDEX = "search_index_english"  # SQLite: English locales, stemmed by FTS5's `porter`
# PostgreSQL's text search configurations by language (the others get `simple`)
CONFIGURATIONS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "nl": "dutch", "no": "norwegian", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "tr": "turkish",
}  # fmt: skip
MIN_WORD = 3  # shorter words are not kept in the vocabulary (too many near neighbours)
BATCH = 200  # documents written by one statement
_KIND = re.compile(r"[a-z]{1,32}")  # one token of the index's `key` column


class SearchError(JetpyError):
    """The index cannot answer (not built); the message says how to fix it."""


# the index's schema: the Alembic revision `search_index` makes the same (ensure_index is for
# databases made by `jetpy db create` and the tests, which build tables from the models)
_FTS5_COLUMNS = (
    "title, body, key, kind UNINDEXED, item_id UNINDEXED, locale UNINDEXED, visible_from UNINDEXED"
)
PORTER = "porter unicode61 remove_diacritics 2"  # FTS5's English stemmer around unicode61
SQLITE_INDEX = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX} USING fts5({_FTS5_COLUMNS}, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {STEMMED_INDEX} USING fts5({_FTS5_COLUMNS}, "
    f"tokenize = '{PORTER}', prefix = '2 3')",
)
POSTGRESQL_INDEX = (
    "CREATE TABLE IF NOT EXISTS search_index ("
    "kind VARCHAR(32) NOT NULL, item_id INTEGER NOT NULL, locale VARCHAR(16) NOT NULL, "
    "title TEXT NOT NULL, body TEXT NOT NULL, visible_from TIMESTAMP WITHOUT TIME ZONE, "
    "document TSVECTOR NOT NULL, "
    "CONSTRAINT pk_search_index PRIMARY KEY (kind, item_id, locale))",
    "CREATE INDEX IF NOT EXISTS ix_search_index_document ON search_index USING gin (document)",
)


class SearchWord(Model):
    """A word of the indexed texts of a locale: folded (the key) and as it was written."""

    __tablename__ = "search_words"

    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    folded: Mapped[str] = mapped_column(String(MAX_TERM), primary_key=True)
    word: Mapped[str] = mapped_column(String(MAX_TERM))


@dataclass(frozen=True)
class Document:
    """What the index keeps of one item in one locale."""

    kind: str
    item_id: int
    locale: str
    title: str
    body: str  # plain text
    visible_from: datetime | None = None  # aware; None: visible as long as it is indexed


class SearchSource(Protocol):
    """A kind of searchable item; the search module lists its sources (see README "Search").

    `documents` gives what to index (all items when `ids` is None; an item that must not be
    found has no document, e.g. a draft), `live` what the `browser` module's detail URL is
    built from, for the visible items among `ids` (a stale index entry is dropped there).
    """

    kind: str  # in the index and in the results, e.g. "article"
    entity: str  # the model's name in `data.changed` events, e.g. "Article"
    browser: str  # the module whose `detail` action shows an item, e.g. content.articles.browser

    def documents(self, session: Session, ids: Collection[int] | None) -> Iterable[Document]: ...

    def live(self, session: Session, locale: str, ids: Collection[int]) -> dict[int, Any]: ...


@dataclass(frozen=True)
class Found:
    """One result: which item, its title and plain text (highlighted by the view's caller)."""

    kind: str
    item_id: int
    title: str
    body: str


# the index ---------------------------------------------------------------------------------
def ensure_index(session: Session) -> None:
    """Create the index when the database lacks it (the migration makes the same)."""
    if _dialect(session) == "postgresql":
        for statement in POSTGRESQL_INDEX:
            session.execute(text(statement))
    else:
        for statement in SQLITE_INDEX:
            session.execute(text(statement))


def rebuild(session: Session, sources: Sequence[SearchSource]) -> int:
    """Index every document of `sources` afresh (and the vocabulary); how many there are."""
    ensure_index(session)
    for table in _tables(session):
        session.execute(text(f"DELETE FROM {table}"))
    session.execute(delete(SearchWord))
    count = 0
    for source in sources:
        count += _write(session, source.documents(session, None))
    return count


def reindex(session: Session, source: SearchSource, item_id: int) -> int:
    """Index one item again (after a save): its documents replace those it had."""
    return reindex_items(session, source, [item_id])


def reindex_items(session: Session, source: SearchSource, ids: Collection[int]) -> int:
    """Index items again (a save, or a change of what their documents show of something
    else): their documents replace those they had."""
    ensure_index(session)
    for item_id in ids:
        remove(session, source.kind, item_id)
    return _write(session, source.documents(session, ids)) if ids else 0


def remove(session: Session, kind: str, item_id: int) -> None:
    """Take an item out of the index (after its deletion), in every locale."""
    if _dialect(session) == "postgresql":
        statement = "DELETE FROM search_index WHERE kind = :kind AND item_id = :id"
        session.execute(text(statement), {"kind": kind, "id": item_id})
    else:  # through the indexed `key` column: no scan of the whole table
        for table in _tables(session):
            statement = f"DELETE FROM {table} WHERE {table} MATCH :key"
            session.execute(text(statement), {"key": f'key : ^ "{_key(kind, item_id)}"'})


def _write(session: Session, documents: Iterable[Document]) -> int:
    postgres = _dialect(session) == "postgresql"
    count = 0
    for batch in _batches(documents):
        if postgres:
            rows = [_row(document, postgres) for document in batch]
            session.execute(text(_POSTGRESQL_INSERT), rows)
        else:  # each locale's table (English ones stemmed)
            tables: dict[str, list[dict[str, Any]]] = {}
            for document in batch:
                tables.setdefault(sqlite_table(document.locale), []).append(_row(document, False))
            for table, rows in tables.items():
                session.execute(text(_SQLITE_INSERT.format(table=table)), rows)
        _add_words(session, batch, postgres)
        count += len(batch)
    return count


_SQLITE_INSERT = (
    "INSERT INTO {table} (title, body, key, kind, item_id, locale, visible_from) "
    "VALUES (:title, :body, :key, :kind, :item_id, :locale, :visible_from)"
)
_POSTGRESQL_INSERT = (
    "INSERT INTO search_index (kind, item_id, locale, title, body, visible_from, document) "
    "VALUES (:kind, :item_id, :locale, :title, :body, :visible_from, "
    "setweight(to_tsvector(CAST(:config AS regconfig), :folded_title), 'A') || "
    "setweight(to_tsvector(CAST(:config AS regconfig), :folded_body), 'B')) "
    # two saves of one item at once: the later one's reindex overwrites, never fails
    "ON CONFLICT (kind, item_id, locale) DO UPDATE SET title = excluded.title, "
    "body = excluded.body, visible_from = excluded.visible_from, document = excluded.document"
)


def _row(document: Document, postgres: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": document.kind,
        "item_id": document.item_id,
        "locale": document.locale,
        "title": document.title,
        "body": document.body,
        "visible_from": _stored_time(document.visible_from, postgres),
    }
    if postgres:
        row["config"] = configuration(document.locale)
        row["folded_title"] = fold(document.title)
        row["folded_body"] = fold(document.body)
    else:
        row["key"] = _key(document.kind, document.item_id)
    return row


def _add_words(session: Session, documents: Sequence[Document], postgres: bool) -> None:
    found: dict[tuple[str, str], str] = {}
    for document in documents:
        for word in _vocabulary(f"{document.title} {document.body}"):
            folded = fold(word)
            if len(folded) <= MAX_TERM:  # folding may lengthen a word (ß: ss)
                found.setdefault((document.locale, folded), word)
    if not found:
        return
    insert = (postgresql.insert if postgres else sqlite.insert)(SearchWord)
    rows = [{"locale": key[0], "folded": key[1], "word": word} for key, word in found.items()]
    session.execute(insert.on_conflict_do_nothing(), rows)


def _vocabulary(text_: str) -> Iterator[str]:
    for match in WORD.finditer(text_):
        word = match[0].casefold()
        if MIN_WORD <= len(word) <= MAX_TERM and not any(char.isdigit() for char in word):
            yield word


def _batches(documents: Iterable[Document]) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for document in documents:
        batch.append(document)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


# searching ---------------------------------------------------------------------------------
def search(
    session: Session,
    locale: str,
    query: Query,
    kinds: Collection[str],
    page: int,
    per_page: int,
    *,
    now: datetime | None = None,
) -> PageOf[Found]:
    """Page `page` of what `query` finds in `locale` among `kinds`, the best first."""
    if not query.searchable or not kinds:
        return PageOf([], page, per_page, 0)
    postgres = _dialect(session) == "postgresql"
    values: dict[str, Any] = {
        "locale": locale,
        "now": _stored_time(now or datetime.now(UTC), postgres),
        "kinds": sorted(kinds),
    }
    if postgres:
        values["config"] = configuration(locale)
        values["query"] = " & ".join(
            f"'{term}':*" if len(term) >= PREFIX_FROM else f"'{term}'" for term in query.terms
        )
        source = (
            "FROM search_index, to_tsquery(CAST(:config AS regconfig), :query) AS query "
            "WHERE search_index.document @@ query AND "
        )
        order = "ts_rank_cd(search_index.document, query) DESC, kind, item_id"
    else:
        table = sqlite_table(locale)
        values["match"] = "{title body} : (" + " AND ".join(_fts5_term(t) for t in query.terms)
        values["match"] += ")"
        source = f"FROM {table} WHERE {table} MATCH :match AND "
        order = f"bm25({table}, 10.0, 1.0, 0.0), rowid"
    source += (
        "locale = :locale AND (visible_from IS NULL OR visible_from <= :now) AND kind IN :kinds"
    )
    try:
        total = session.execute(_statement(f"SELECT count(*) {source}"), values).scalar_one()
    except DatabaseError:
        if _index_exists(session, INDEX if postgres else sqlite_table(locale)):
            raise
        raise SearchError(  # e.g. a database made by `jetpy db create`
            "the database has no search index; run `jetpy search rebuild` to build it"
        ) from None
    result = PageOf[Found]([], page, per_page, total)
    if result.out_of_range or not total:
        return result
    statement = f"SELECT kind, item_id, title, body {source} ORDER BY {order} "
    statement += "LIMIT :limit OFFSET :offset"
    values.update(limit=per_page, offset=(page - 1) * per_page)
    rows = session.execute(_statement(statement), values)
    items = [Found(row.kind, int(row.item_id), row.title, row.body) for row in rows]
    return PageOf(items, page, per_page, total)


def highlight_terms(session: Session, locale: str, query: Query) -> tuple[str, ...]:
    """The words that show as found: the query's, and where the engine stems the locale
    their stems too (`running` finds `runs` in English), each as that engine stems it."""
    if _dialect(session) == "postgresql" and configuration(locale) != "simple":
        stems: Sequence[str] = session.scalars(
            text("SELECT lexeme FROM unnest(to_tsvector(CAST(:config AS regconfig), :words))"),
            {"config": configuration(locale), "words": " ".join(query.terms)},
        ).all()
    elif _dialect(session) == "sqlite" and sqlite_table(locale) == STEMMED_INDEX:
        stems = porter_stems(query.terms)
    else:
        return query.terms
    return (*query.terms, *(stem for stem in stems if stem not in query.terms))


@functools.lru_cache(maxsize=1024)
def porter_stems(words: tuple[str, ...]) -> tuple[str, ...]:
    """The stems of `words` as the English index on SQLite makes them (`running`: `run`).

    Asked of FTS5's own `porter` tokenizer, in a database in memory of the stdlib's SQLite
    (the library SQLAlchemy's SQLite driver uses): the highlighted words then agree with what
    the index matched, and no second stemmer has to be kept in step with it.
    """
    connection = _stemmer()
    with connection:  # one transaction (rolled back on an error): the table empty after it
        connection.executemany("INSERT INTO words (word) VALUES (?)", [(w,) for w in words])
        stems = tuple(row[0] for row in connection.execute("SELECT term FROM stems"))
        connection.execute("DELETE FROM words")
    return stems


_stemmers = threading.local()  # a connection is used by the thread that made it


def _stemmer() -> sqlite3.Connection:
    """This thread's database in memory with the porter table (made once: ~1 ms)."""
    connection: sqlite3.Connection | None = getattr(_stemmers, "connection", None)
    if connection is None:
        connection = sqlite3.connect(":memory:")
        connection.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize = '{PORTER}')")
        connection.execute("CREATE VIRTUAL TABLE stems USING fts5vocab(words, row)")
        _stemmers.connection = connection
    return connection


def correction(session: Session, locale: str, query: Query) -> str | None:
    """The query with each unknown word replaced by the nearest word of the locale's texts
    (as written there), or None when no word was corrected."""
    corrected: list[str] = []
    changed = False
    for term in query.terms:
        if allowed_typos(term) == 0:
            corrected.append(term)
            continue
        spread = allowed_typos(term)
        # same first letter: a typo there is rare, and the look-up stays an index range
        rows = session.execute(
            select(SearchWord.folded, SearchWord.word).where(
                SearchWord.locale == locale,
                SearchWord.folded >= term[0],
                SearchWord.folded < chr(ord(term[0]) + 1),
                func.length(SearchWord.folded).between(len(term) - spread, len(term) + spread),
            )
        ).all()
        written = dict(rows)
        best = closest(term, written)
        if best is None:
            corrected.append(term)
        else:
            corrected.append(written[best])
            changed = True
    return " ".join(corrected) if changed else None


def configuration(locale: str) -> str:
    """PostgreSQL's text search configuration for `locale` (`en_US`: english)."""
    return CONFIGURATIONS.get(locale.partition("_")[0].lower(), "simple")


def sqlite_table(locale: str) -> str:
    """SQLite's FTS5 table for `locale`: the stemmed one for English, the other for the rest
    (FTS5 has no stemmer for other languages)."""
    return STEMMED_INDEX if configuration(locale) == "english" else INDEX


# helpers -------------------------------------------------------------------------------------
def _fts5_term(term: str) -> str:
    # a term is letters and digits only (search_text.parse_query): quoting makes it a string
    return f'"{term}"*' if len(term) >= PREFIX_FROM else f'"{term}"'


def _key(kind: str, item_id: int) -> str:
    if not _KIND.fullmatch(kind):
        raise ValueError(f"search kind {kind!r} must be lower-case letters only, e.g. `article`")
    return f"{kind} {int(item_id)}"


def _statement(sql: str) -> Any:
    return text(sql).bindparams(bindparam("kinds", expanding=True))


def _stored_time(when: datetime | None, postgres: bool) -> Any:
    if when is None:
        return None
    naive = when.astimezone(UTC).replace(tzinfo=None)
    return naive if postgres else naive.isoformat(sep=" ", timespec="microseconds")


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _tables(session: Session) -> tuple[str, ...]:
    return (INDEX,) if _dialect(session) == "postgresql" else (INDEX, STEMMED_INDEX)


def _index_exists(session: Session, table: str) -> bool:
    return table in inspect(session.get_bind()).get_table_names()
