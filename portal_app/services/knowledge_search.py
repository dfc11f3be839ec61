"""Searching the knowledge base (the help centre's search box and the
suggestions on the new-request form), over the index `knowledge.index_article`
keeps.

`search`: ranked full text over the title (weighted higher) and
the text of the body. On SQLite the FTS5 table, ranked by `bm25`; on
PostgreSQL the `tsvector`s (English configuration), matched with
`to_tsquery` and ranked by `ts_rank`.
The query is cut into words (letters and digits only, so nothing of it is
query syntax), common English words are dropped, and every word must match.

Typo tolerance: every word of every article is kept in `KnowledgeWord`. A
query word that matches no article the person may read is replaced by the
vocabulary words (that do match one they may read)
nearest to it (same first letter, Damerau–Levenshtein distance at most 2,
or 1 for words of up to 4 letters; for a query word of 5 letters or more,
also a longer word whose start is that close: "downlaod" finds
"downloading"), ORed: "invocie" searches for "invoice". If all words together still find nothing, any word
may match (ranked, so articles with more of them come first). A search that
finds nothing is recorded (`KnowledgeSearch`) for the staff report.

Highlighting is data, never HTML: a hit's title and excerpt are lists of
`(text, marked)` segments the page shows as text, marked ones in <mark>."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal_column
from sqlmodel import Session, select

from portal_app.models import Article, ArticleCategory, KnowledgeSearch, KnowledgeWord
from portal_app.services.knowledge import (
    EXCERPT, FTS, QUERY_MAX, SEARCH_PAGE, STOP_WORDS, VECTORS, WORD, dialect, published, words_of,
)
from portal_app.services.paging import CAP, Page, count
from portal_app.services.principal import Principal


@dataclass(frozen=True)
class Hit:
    id: int
    slug: str
    title: str
    category: str
    title_parts: list[tuple[str, bool]]
    excerpt_parts: list[tuple[str, bool]]


@dataclass(frozen=True)
class SearchResult:
    query: str
    terms: list[str]  # the words searched for, after corrections
    corrected: str  # "invoice" when "invocie" was searched for; "" when nothing was replaced
    page: Page  # rows are `Hit`s

    @property
    def hits(self) -> list[Hit]:
        return self.page.rows


def query_words(query: object) -> list[str]:
    """The words of a query that are searched for (at most 8)."""
    if not isinstance(query, str):
        return []
    words = [w for w in words_of(query[:QUERY_MAX]) if len(w) <= 40]
    kept = [w for w in words if w not in STOP_WORDS] or words
    out: list[str] = []
    for w in kept:
        if w not in out:
            out.append(w)
    return out[:8]


def distance(a: str, b: str) -> int:
    """Damerau–Levenshtein (optimal string alignment) distance."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def nearest_words(session: Session, word: str, *, limit: int = 2, principal: Principal | None = None,
                  checked: bool = False) -> list[str]:
    """Vocabulary words close to `word` (see the module's docstring). With
    `checked`, only words that match an article `principal` may read (so a
    correction never names a word of a draft or of someone else's article)."""
    if len(word) < 3 or word.isdigit():
        return []
    most = 1 if len(word) <= 4 else 2
    candidates = session.exec(select(KnowledgeWord.word).where(
        KnowledgeWord.first == word[0], KnowledgeWord.length.between(len(word) - most, len(word) + 8))).all()
    scored = []
    for w in candidates:
        if w == word:
            continue
        # A whole word within the distance; or, for a longer word, its start
        # ("downlaod" is one step from "downloading"'s first eight letters).
        d = distance(word, w) if len(w) <= len(word) + most else most + 1
        if d > most and len(w) > len(word) and len(word) >= 5:
            d = distance(word, w[:len(word)]) + 0.5
        if d <= most + 0.5:
            scored.append((d, len(w), w))
    ranked = [w for _, _, w in sorted(scored)]
    if not checked:
        return ranked[:limit]
    return [w for w in ranked[:limit * 3] if _matches_any(session, principal, w)][:limit]


def _matching(session: Session, stmt, groups: list[list[str]], *, any_word: bool):  # noqa: ANN001, ANN202
    """`stmt` (a select from `articles`) narrowed to the articles matching
    these word groups (each group's words are alternatives; the groups all
    match, or any with `any_word`), and the rank to order by (smaller is
    better)."""
    if dialect(session) == "sqlite":
        joiner = " OR " if any_word else " AND "
        expression = joiner.join("(" + " OR ".join(f'"{w}"' for w in group) + ")" for group in groups)
        fts = literal_column("knowledge_fts")
        return (stmt.join(FTS, FTS.c.rowid == Article.id).where(fts.op("MATCH")(expression)),
                func.bm25(fts, 10.0, 1.0))
    joiner = " | " if any_word else " & "
    expression = joiner.join("(" + " | ".join(group) + ")" for group in groups)
    query = func.to_tsquery(literal_column("'english'::regconfig"), expression)
    return (stmt.join(VECTORS, VECTORS.c.article_id == Article.id).where(VECTORS.c.document.op("@@")(query)),
            -func.ts_rank(VECTORS.c.document, query))


def _matches_any(session: Session, principal: Principal | None, word: str) -> bool:
    """Some article the help centre shows `principal` has this word."""
    stmt, _ = _matching(session, published(principal).with_only_columns(Article.id), [[word]], any_word=False)
    return session.exec(stmt.limit(1)).first() is not None


def search(session: Session, principal: Principal | None, query: object, *, page: object = 1,
           record_misses: bool = True) -> SearchResult:
    """Published articles `principal` may read that match `query`, best first."""
    words = query_words(query)
    text_query = " ".join(query[:QUERY_MAX].split()) if isinstance(query, str) else ""
    empty = SearchResult(text_query, [], "", Page([], 1, 1, 0))
    if not words:
        return empty
    groups: list[list[str]] = []
    corrected: list[str] = []
    for word in words:
        if _matches_any(session, principal, word):
            groups.append([word])
            corrected.append(word)
            continue
        near = nearest_words(session, word, principal=principal, checked=True)
        if near:
            groups.append(near)
            corrected.append(near[0])
        else:
            groups.append([word])
            corrected.append(word)
    matched, rank = _matching(session, published(principal), groups, any_word=False)
    total = count(session, matched, cap=CAP)
    if total == 0 and len(groups) > 1:
        matched, rank = _matching(session, published(principal), groups, any_word=True)
        total = count(session, matched, cap=CAP)
    if total == 0:
        if record_misses:
            session.add(KnowledgeSearch(query=text_query[:QUERY_MAX]))
            session.flush()
        return SearchResult(text_query, [w for g in groups for w in g], "", Page([], 1, 1, 0))
    pages = max(1, -(-min(total, CAP) // SEARCH_PAGE))
    number = page if type(page) is int and 1 <= page <= pages else 1  # noqa: E721
    stmt = (matched.outerjoin(ArticleCategory, ArticleCategory.id == Article.category_id)
            .with_only_columns(Article.id, Article.slug, Article.title, func.coalesce(ArticleCategory.name, ""),
                               Article.search_text)
            .order_by(rank, Article.id).offset((number - 1) * SEARCH_PAGE).limit(SEARCH_PAGE))
    terms = [w for g in groups for w in g]
    hits = [Hit(i, slug, title, category, mark(title, terms), mark(excerpt_around(body, terms), terms))
            for i, slug, title, category, body in session.execute(stmt).all()]
    shown = " ".join(corrected)
    return SearchResult(text_query, terms, shown if corrected != words else "",
                        Page(hits, number, pages, min(total, CAP), None, total > CAP))


SUGGESTIONS = 5


def suggest(session: Session, principal: Principal | None, text: object) -> list[Hit]:
    """Articles that may answer what someone is typing (a ticket's subject):
    the best few the person may read, any word matching, typos corrected.
    Nothing is recorded: half-typed words are not failed searches."""
    words = query_words(text)
    if not words:
        return []
    groups = []
    for word in words:
        groups.append([word] if _matches_any(session, principal, word)
                      else (nearest_words(session, word, principal=principal, checked=True) or [word]))
    matched, rank = _matching(session, published(principal), groups, any_word=True)
    stmt = (matched.outerjoin(ArticleCategory, ArticleCategory.id == Article.category_id)
            .with_only_columns(Article.id, Article.slug, Article.title, func.coalesce(ArticleCategory.name, ""),
                               Article.search_text)
            .order_by(rank, Article.id).limit(SUGGESTIONS))
    terms = [w for g in groups for w in g]
    return [Hit(i, slug, title, category, mark(title, terms), mark(excerpt_around(body, terms), terms))
            for i, slug, title, category, body in session.execute(stmt).all()]


_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[:-len(suffix)]
    return word


def _marks(word: str, stems: list[str]) -> bool:
    lower = word.lower()
    return any(lower.startswith(stem) for stem in stems)


def mark(value: str, terms: list[str]) -> list[tuple[str, bool]]:
    """`value` cut into segments, the words that match a term marked."""
    stems = [_stem(t) for t in terms if t]
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in WORD.finditer(value):
        if _marks(match.group(0), stems):
            if match.start() > last:
                parts.append((value[last:match.start()], False))
            parts.append((match.group(0), True))
            last = match.end()
    if last < len(value):
        parts.append((value[last:], False))
    return parts


def excerpt_around(value: str, terms: list[str], size: int = EXCERPT) -> str:
    """About `size` characters of `value` around its first matching word."""
    stems = [_stem(t) for t in terms if t]
    start = 0
    for match in WORD.finditer(value):
        if _marks(match.group(0), stems):
            start = max(0, match.start() - size // 3)
            break
    if start:
        space = value.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    piece = value[start:start + size]
    if start + size < len(value):
        piece = piece.rsplit(" ", 1)[0] + "\u2026"
    return ("\u2026" if start else "") + piece
