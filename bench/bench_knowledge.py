"""The help centre's search at 20,000 articles: `knowledge_search.search` (what the
page calls: the per-word checks, typo correction when needed, the count and
the page of hits with their highlighted segments) next to the raw SQL of the
page's rows in the same run, p50/p95 and ratio, for a visitor and for a
customer of one organisation.

    python -m bench.bench_knowledge [rounds] [database_url]

SQLite in a temporary file by default; pass an empty PostgreSQL database's
URL to run it there."""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from portal_app.db import make_engine
from portal_app.migrations import upgrade_to_head
from portal_app.models import Article, ArticleOrganization, KnowledgeWord, Organization
from portal_app.models.base import utcnow
from portal_app.services import knowledge, knowledge_search
from portal_app.services.principal import OrgRole, Principal

ARTICLES = 20_000
TOPICS = ["invoice", "payment", "password", "subscription", "upload", "document", "colleague", "organisation",
          "security", "refund", "export", "report", "printer", "network", "backup", "calendar", "contract",
          "delivery", "order", "quote", "approval", "project", "milestone", "ticket", "notification"]
FILLER = ("please open the page then choose the option you need and press save when you are done the change "
          "shows at once for everyone in your team unless an administrator has turned it off").split()
QUERIES = ["invoice payment", "reset password", "invocie", "subscripton refund", "upload document",
           "export report csv", "network printer offline", "zebra"]


def _body(rng: random.Random, topic: str) -> str:
    words = [rng.choice(FILLER) for _ in range(120)]
    for _ in range(4):
        words.insert(rng.randrange(len(words)), topic)
    words.insert(rng.randrange(len(words)), rng.choice(TOPICS))
    return " ".join(words)


def build(session: Session) -> int:
    rng = random.Random(7)
    org = Organization(name="Bench Org", slug="bench-org")
    session.add(org)
    session.flush()
    now = utcnow()
    rows = []
    for n in range(ARTICLES):
        topic = TOPICS[n % len(TOPICS)]
        body = _body(rng, topic)
        visibility = "organisations" if n % 50 == 0 else "customers" if n % 7 == 0 else "public"
        rows.append(Article(title=f"{topic.title()} question {n}", slug=f"{topic}-question-{n}", body=body,
                            search_text=body, status="published" if n % 10 else "draft", visibility=visibility,
                            created_at=now, updated_at=now, published_at=now))
    session.add_all(rows)
    session.flush()
    session.add_all([ArticleOrganization(article_id=a.id, org_id=org.id) for a in rows
                     if a.visibility == "organisations"])
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO knowledge_fts (rowid, title, body) VALUES (:id, :title, :body)"),
                        [{"id": a.id, "title": a.title, "body": a.search_text} for a in rows])
    else:  # what knowledge.index_article writes, for every article in one statement
        session.execute(text(
            "INSERT INTO knowledge_vectors (article_id, document) SELECT id, "
            + knowledge.PG_DOCUMENT.replace("CAST(:title AS text)", "title").replace("CAST(:body AS text)", "search_text")
            + " FROM articles"))
    words = {w for w in (*TOPICS, *FILLER, "question") if len(w) >= 3}
    session.add_all([KnowledgeWord(word=w, first=w[0], length=len(w)) for w in sorted(words)])
    session.commit()
    if session.get_bind().dialect.name == "postgresql":  # statistics, as autovacuum would gather them
        session.execute(text("ANALYZE"))
        session.commit()
    return org.id


def _raw(session: Session, terms: list[str], customer_org: int | None) -> None:
    """The page's rows only, as hand-written SQL: articles with any of the
    words the search ended up looking for (after corrections), best first."""
    visible = ("articles.visibility = 'public'" if customer_org is None else
               "(articles.visibility IN ('public','customers') OR (articles.visibility = 'organisations' AND EXISTS "
               "(SELECT 1 FROM article_organizations o WHERE o.article_id = articles.id "
               f"AND o.org_id = {int(customer_org)})))")
    columns = "SELECT articles.id, articles.slug, articles.title, articles.search_text FROM articles"
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(
            f"{columns} JOIN knowledge_fts ON knowledge_fts.rowid = articles.id "
            f"WHERE articles.status = 'published' AND {visible} AND knowledge_fts MATCH :q "
            "ORDER BY bm25(knowledge_fts, 10.0, 1.0) LIMIT 10"), {"q": " OR ".join(f'"{w}"' for w in terms)}).all()
    else:
        session.execute(text(
            f"{columns} JOIN knowledge_vectors v ON v.article_id = articles.id "
            f"WHERE articles.status = 'published' AND {visible} AND v.document @@ to_tsquery('english', :q) "
            "ORDER BY ts_rank(v.document, to_tsquery('english', :q)) DESC LIMIT 10"),
            {"q": " | ".join(terms)}).all()


def _time(fn, rounds: int) -> tuple[float, float]:  # noqa: ANN001
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    started = time.perf_counter()
    with Session(engine) as session:
        org_id = build(session)
    print(f"{ARTICLES:,} articles on {engine.dialect.name} in {time.perf_counter() - started:.1f}s")
    customer = Principal(user_id=10**9, email="bench@example.com", name="Bench", email_verified=True,
                         session_id=None, memberships=(OrgRole(org_id, "Bench Org", "member"),))
    for who, principal, org in (("visitor", None, None), ("customer", customer, org_id)):
        for query in QUERIES:
            with Session(engine) as session:
                result = knowledge_search.search(session, principal, query, record_misses=False)
                p50, p95 = _time(lambda: knowledge_search.search(session, principal, query, record_misses=False), rounds)
                r50, r95 = _time(lambda: _raw(session, result.terms, org), rounds)
            print(f"{who:8} {query!r:28} {result.page.total:>6} hits  search p50 {p50:6.1f} ms p95 {p95:6.1f} ms"
                  f"  raw p50 {r50:6.1f} ms  ratio {p50 / r50 if r50 else 0:5.1f}"
                  + (f"  (as {result.corrected!r})" if result.corrected else ""))
    engine.dispose()


if __name__ == "__main__":
    main()
