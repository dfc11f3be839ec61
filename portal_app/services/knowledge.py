"""The knowledge base and its help centre: articles staff write in Markdown
(agents and admins: `EDITORS`), in categories, draft or published (or
archived, when something refers to one that is taken down), each seen by
everyone, by signed-in customers, or by the members of chosen organisations.

Who sees what (`visible_to`): a visitor (no principal) reads published
public articles; a signed-in customer also those for signed-in customers
and those chosen for one of their organisations; staff read everything,
drafts and archived ones included. Someone who still has to set up two-step
verification reads what a visitor reads. `access_article` loads one by id
or slug through that rule, else `NotFound`.

The search index: on SQLite an FTS5 table `knowledge_fts` (Porter
stemmer), on PostgreSQL a table `knowledge_vectors` of each article's
weighted `tsvector` with a GIN index. Both are made by the migration and
kept in step by `index_article` whenever an article is written (a deleted
article's row goes with it: by the service on SQLite, by the foreign key's
cascade on PostgreSQL). Searching them is `services/knowledge_search.py`."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import nh3
from sqlalchemy import String, and_, column, delete, exists, false, func, or_, table, text, true
from sqlalchemy import update as sa_update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from portal_app.models import (
    Article, ArticleCategory, ArticleFeedback, ArticleOrganization, ArticleSuggestionOpen, KnowledgeSearch, KnowledgeWord,
    Organization, Ticket, User,
)
from portal_app.models.base import utcnow
from portal_app.services import audit, live, throttle
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.markdown import render
from portal_app.services.paging import Keys, Page, paginate
from portal_app.services.principal import Principal
from portal_app.services.validation import clean_long_text, clean_text, contains_pattern, slugify

EDITORS = ("admin", "agent")  # staff who write, publish and archive articles
TITLE_MAX = 200
BODY_MAX = 100_000
CATEGORY_MAX = 80
COMMENT_MAX = 1000
QUERY_MAX = 200
ORGS_MAX = 200
SLUG_MAX = 80
PAGE_SIZE = 20  # the staff list and a category's articles
SEARCH_PAGE = 10
RELATED = 5
EXCERPT = 180
STATUSES = ("draft", "published", "archived")
VISIBILITIES = ("public", "customers", "organisations")
VISIBILITY_WORDS = {"public": "Everyone", "customers": "Signed-in customers", "organisations": "Chosen organisations"}
NOT_FOUND = "Article not found."
CATEGORY_NOT_FOUND = "Category not found."
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
WORD = re.compile(r"[^\W_]+")
STOP_WORDS = frozenset(
    "a an and are as at be by can do does for from how i if in is it me my of on or our so that the this to "
    "was we what when where which who why will with you your".split())
FTS = table("knowledge_fts", column("rowid"), column("title"), column("body"))  # SQLite's, made by the migration
VECTORS = table("knowledge_vectors", column("article_id"), column("document"))  # PostgreSQL's, by the migration
# An article's document on PostgreSQL, from its title and text as parameters.
PG_DOCUMENT = ("setweight(to_tsvector('english'::regconfig, CAST(:title AS text)), 'A') || "
               "setweight(to_tsvector('english'::regconfig, CAST(:body AS text)), 'B')")


# ---------------------------------------------------------------- who sees what

def _scope(principal: Principal | None) -> ColumnElement:
    public = and_(Article.status == "published", Article.visibility == "public")
    if principal is None or principal.needs_mfa_setup:
        return public
    if principal.is_staff:
        return true()
    org_ids = [m.org_id for m in principal.memberships]
    seen = [Article.visibility.in_(("public", "customers"))]
    if org_ids:
        seen.append(and_(Article.visibility == "organisations", exists(
            select(ArticleOrganization.article_id).where(ArticleOrganization.article_id == Article.id,
                                                         ArticleOrganization.org_id.in_(org_ids)))))
    return and_(Article.status == "published", or_(*seen))


def visible_to(principal: Principal | None):  # noqa: ANN201 — a Select of Article
    """The articles `principal` (None: a visitor) may read."""
    return select(Article).where(_scope(principal))


def published(principal: Principal | None):  # noqa: ANN202
    """What the help centre lists: published articles `principal` may read
    (staff find drafts on their own page, not among the answers)."""
    return visible_to(principal).where(Article.status == "published")


def access_article(session: Session, principal: Principal | None, ref: object) -> Article:
    """One article by id (an int) or slug (a str), or `NotFound`."""
    query = visible_to(principal)
    if type(ref) is int and 0 < ref < 2**63:  # noqa: E721 — True is an int
        query = query.where(Article.id == ref)
    elif isinstance(ref, str) and len(ref) <= SLUG_MAX and _SLUG.fullmatch(ref):
        query = query.where(Article.slug == ref)
    else:
        raise NotFound(NOT_FOUND)
    row = session.exec(query).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


def check_edit(principal: Principal | None) -> Principal:
    if principal is None:
        raise NotFound(NOT_FOUND)
    principal.require_staff(*EDITORS)
    return principal


def can_edit(principal: Principal | None) -> bool:
    return principal is not None and principal.staff_role in EDITORS and not principal.needs_mfa_setup


# ---------------------------------------------------------------- text

def plain_text(markdown: str) -> str:
    """What a reader sees of `markdown`, as text (search and excerpts)."""
    return " ".join(html.unescape(nh3.clean(render(markdown), tags=set())).split())


def words_of(value: str) -> list[str]:
    return [w.lower() for w in WORD.findall(unicodedata.normalize("NFKC", value))]


def _unique_slug(session: Session, model, base: str, *, other_than: int | None = None) -> str:  # noqa: ANN001
    base = base[:SLUG_MAX - 6].strip("-") or "article"
    n = 1
    slug = base
    while True:
        query = select(model.id).where(model.slug == slug)
        if other_than is not None:
            query = query.where(model.id != other_than)
        if session.exec(query).first() is None:
            return slug
        n += 1
        slug = f"{base}-{n}"


def _category_id(session: Session, value: object) -> int | None:
    if value in (None, "", 0):
        return None
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        value = int(value)
    if type(value) is not int or session.get(ArticleCategory, value) is None:  # noqa: E721
        raise Invalid("Choose a category from the list.", field="category")
    return value


def _org_ids(session: Session, visibility: str, value: object) -> list[int]:
    if visibility != "organisations":
        return []
    if not isinstance(value, (list, tuple)):
        raise Invalid("Choose the organisations from the list.", field="organisations")
    ids: list[int] = []
    for item in value:
        if isinstance(item, str) and item.isdigit() and len(item) < 19:
            item = int(item)
        if type(item) is not int:  # noqa: E721
            raise Invalid("Choose the organisations from the list.", field="organisations")
        if item not in ids:
            ids.append(item)
    if not ids:
        raise Invalid("Choose at least one organisation.", field="organisations")
    if len(ids) > ORGS_MAX:
        raise Invalid(f"Choose at most {ORGS_MAX} organisations.", field="organisations")
    found = set(session.exec(select(Organization.id).where(Organization.id.in_(ids))).all())
    if found != set(ids):
        raise Invalid("Choose the organisations from the list.", field="organisations")
    return ids


@dataclass(frozen=True)
class Draft:
    title: str
    body: str
    category_id: int | None
    visibility: str
    org_ids: list[int]


def _clean(session: Session, *, title: object, body: object, category: object, visibility: object,
           organisations: object) -> Draft:
    clean_title = clean_text(title, field="title", label="Title", max_length=TITLE_MAX)
    clean_body = clean_long_text(body, field="body", label="Text", max_length=BODY_MAX)
    if visibility not in VISIBILITIES:
        raise Invalid("Choose who sees the article.", field="visibility")
    return Draft(clean_title, clean_body, _category_id(session, category), visibility,
                 _org_ids(session, visibility, organisations))


# ---------------------------------------------------------------- the search index

def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def index_article(session: Session, article: Article) -> None:
    """Keep the full-text index and the vocabulary in step with `article`."""
    if dialect(session) == "sqlite":
        session.execute(text("DELETE FROM knowledge_fts WHERE rowid = :id"), {"id": article.id})
        session.execute(text("INSERT INTO knowledge_fts (rowid, title, body) VALUES (:id, :title, :body)"),
                        {"id": article.id, "title": article.title, "body": article.search_text})
    else:
        session.execute(text(
            f"INSERT INTO knowledge_vectors (article_id, document) VALUES (:id, {PG_DOCUMENT}) "
            "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document"),
            {"id": article.id, "title": article.title, "body": article.search_text})
    new = {w for w in words_of(f"{article.title} {article.search_text}") if 3 <= len(w) <= 40 and not w.isdigit()}
    if not new:
        return
    known: set[str] = set()
    wanted = sorted(new)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        known.update(session.exec(select(KnowledgeWord.word).where(KnowledgeWord.word.in_(chunk))).all())
    for word in sorted(new - known):
        session.add(KnowledgeWord(word=word, first=word[0], length=len(word)))
    session.flush()


def _unindex(session: Session, article_id: int) -> None:
    if dialect(session) == "sqlite":
        session.execute(text("DELETE FROM knowledge_fts WHERE rowid = :id"), {"id": article_id})


# ---------------------------------------------------------------- writing articles

def _record(session: Session, principal: Principal, action: str, article: Article, **details: object) -> None:
    audit.record(session, action, actor=principal, target_type="article", target_id=article.id,
                 target_label=article.title, details=details or None)
    live.changed(session, live.staff_key("knowledge"))


def _set_orgs(session: Session, article: Article, org_ids: list[int]) -> None:
    session.execute(delete(ArticleOrganization).where(ArticleOrganization.article_id == article.id))
    for org_id in org_ids:
        session.add(ArticleOrganization(article_id=article.id, org_id=org_id))


def create(session: Session, principal: Principal | None, *, title: object, body: object, category: object = None,
           visibility: object = "public", organisations: object = ()) -> Article:
    """A new draft, with a slug made from its title."""
    check_edit(principal)
    draft = _clean(session, title=title, body=body, category=category, visibility=visibility,
                   organisations=organisations)
    now = utcnow()
    article = Article(title=draft.title, slug=_unique_slug(session, Article, slugify(draft.title, max_length=SLUG_MAX)),
                      body=draft.body, search_text=plain_text(draft.body), category_id=draft.category_id,
                      status="draft", visibility=draft.visibility, author_id=principal.user_id, created_at=now,
                      updated_at=now)
    session.add(article)
    session.flush()
    _set_orgs(session, article, draft.org_ids)
    index_article(session, article)
    _record(session, principal, "article.created", article)
    session.flush()
    return article


def update(session: Session, principal: Principal | None, article_id: object, *, title: object, body: object,
           category: object = None, visibility: object = "public", organisations: object = ()) -> Article:
    """Change an article. Its slug follows the title until it is first
    published; after that links to it keep working."""
    check_edit(principal)
    article = access_article(session, principal, article_id)
    draft = _clean(session, title=title, body=body, category=category, visibility=visibility,
                   organisations=organisations)
    old = article.title
    article.title, article.body, article.search_text = draft.title, draft.body, plain_text(draft.body)
    article.category_id, article.visibility = draft.category_id, draft.visibility
    if article.published_at is None and draft.title != old:
        article.slug = _unique_slug(session, Article, slugify(draft.title, max_length=SLUG_MAX), other_than=article.id)
    article.updated_at = utcnow()
    session.add(article)
    session.flush()
    _set_orgs(session, article, draft.org_ids)
    index_article(session, article)
    _record(session, principal, "article.updated", article, **({"from": old} if old != draft.title else {}))
    session.flush()
    return article


def publish(session: Session, principal: Principal | None, article_id: object) -> Article:
    check_edit(principal)
    article = access_article(session, principal, article_id)
    if article.status != "published":
        article.status = "published"
        article.published_at = article.published_at or utcnow()
        article.updated_at = utcnow()
        session.add(article)
        _record(session, principal, "article.published", article)
        session.flush()
    return article


def unpublish(session: Session, principal: Principal | None, article_id: object) -> Article:
    """Back to a draft: readers no longer see it."""
    check_edit(principal)
    article = access_article(session, principal, article_id)
    if article.status != "draft":
        article.status = "draft"
        article.updated_at = utcnow()
        session.add(article)
        _record(session, principal, "article.unpublished", article)
        session.flush()
    return article


def remove(session: Session, principal: Principal | None, article_id: object) -> str:
    """Take an article away: archived when anything refers to it (it was
    published, read or voted on), deleted otherwise. Returns "archived" or
    "deleted"."""
    check_edit(principal)
    article = access_article(session, principal, article_id)
    voted = session.exec(select(ArticleFeedback.id).where(ArticleFeedback.article_id == article.id)).first()
    if article.published_at is not None or article.view_count or voted is not None:
        article.status, article.updated_at = "archived", utcnow()
        session.add(article)
        _record(session, principal, "article.archived", article)
        session.flush()
        return "archived"
    _record(session, principal, "article.deleted", article)
    _unindex(session, article.id)
    session.delete(article)
    session.flush()
    return "deleted"


# ---------------------------------------------------------------- categories

def categories(session: Session) -> list[ArticleCategory]:
    """Every category in order (their names are not secret)."""
    return list(session.exec(select(ArticleCategory).order_by(ArticleCategory.position, ArticleCategory.id)).all())


def _category_name(session: Session, name: object, *, other_than: int | None = None) -> str:
    clean = clean_text(name, field="name", label="Name", max_length=CATEGORY_MAX)
    same = select(ArticleCategory.id).where(func.lower(ArticleCategory.name) == clean.lower())
    if other_than is not None:
        same = same.where(ArticleCategory.id != other_than)
    if session.exec(same).first() is not None:
        raise Invalid("Another category has this name.", field="name")
    return clean


def _access_category(session: Session, category_id: object) -> ArticleCategory:
    row = session.get(ArticleCategory, category_id) if type(category_id) is int and 0 < category_id < 2**63 else None  # noqa: E721
    if row is None:
        raise NotFound(CATEGORY_NOT_FOUND)
    return row


def create_category(session: Session, principal: Principal | None, *, name: object) -> ArticleCategory:
    check_edit(principal)
    clean = _category_name(session, name)
    last = session.exec(select(func.max(ArticleCategory.position))).one() or 0
    category = ArticleCategory(name=clean, slug=_unique_slug(session, ArticleCategory, slugify(clean, max_length=60)),
                               position=last + 1)
    session.add(category)
    session.flush()
    audit.record(session, "article_category.created", actor=principal, target_type="article_category",
                 target_id=category.id, target_label=category.name)
    live.changed(session, live.staff_key("knowledge"))
    return category


def rename_category(session: Session, principal: Principal | None, category_id: object, *,
                    name: object) -> ArticleCategory:
    check_edit(principal)
    category = _access_category(session, category_id)
    clean = _category_name(session, name, other_than=category.id)
    if clean != category.name:
        old, category.name = category.name, clean
        session.add(category)
        audit.record(session, "article_category.renamed", actor=principal, target_type="article_category",
                     target_id=category.id, target_label=clean, details={"from": old})
        live.changed(session, live.staff_key("knowledge"))
        session.flush()
    return category


def delete_category(session: Session, principal: Principal | None, category_id: object) -> str:
    """Delete a category; its articles stay, in no category."""
    check_edit(principal)
    category = _access_category(session, category_id)
    session.execute(sa_update(Article).where(Article.category_id == category.id).values(category_id=None))
    audit.record(session, "article_category.deleted", actor=principal, target_type="article_category",
                 target_id=category.id, target_label=category.name)
    live.changed(session, live.staff_key("knowledge"))
    session.delete(category)
    session.flush()
    return category.name


def find_organisations(session: Session, principal: Principal | None, query: object) -> list[tuple[int, str]]:
    """Up to 20 organisations whose name contains `query`, by name: what
    an editor chooses from for an article's visibility."""
    check_edit(principal)
    stmt = select(Organization.id, Organization.name)
    if isinstance(query, str) and query.strip():
        stmt = stmt.where(func.lower(Organization.name).like(contains_pattern(query[:80]), escape="\\"))
    return [tuple(row) for row in session.execute(stmt.order_by(func.lower(Organization.name), Organization.id)
                                                  .limit(20)).all()]


def organisation_names(session: Session, principal: Principal | None, org_ids: list[int]) -> list[tuple[int, str]]:
    check_edit(principal)
    if not org_ids:
        return []
    return [tuple(row) for row in session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_(org_ids)).order_by(func.lower(Organization.name), Organization.id)).all()]


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class ArticleRow:
    id: int
    title: str
    slug: str
    status: str
    visibility: str
    category: str
    updated_at: datetime
    views: int
    excerpt: str


def _excerpt(value: str, size: int = EXCERPT) -> str:
    return value if len(value) <= size else value[:size - 1].rsplit(" ", 1)[0].rstrip() + "\u2026"


_ROW = (Article.id, Article.title, Article.slug, Article.status, Article.visibility,
        func.coalesce(ArticleCategory.name, ""), Article.updated_at, Article.view_count,
        func.substr(Article.search_text, 1, EXCERPT + 20))
STAFF_ORDER = Keys((Article.updated_at, Article.id), descending=True)
TITLE_ORDER = Keys((func.lower(Article.title, type_=String), Article.id))


def _rows(stmt):  # noqa: ANN001, ANN202
    return stmt.outerjoin(ArticleCategory, ArticleCategory.id == Article.category_id).with_only_columns(*_ROW)


def _row(row) -> ArticleRow:  # noqa: ANN001
    return ArticleRow(*row[:8], excerpt=_excerpt(row[8] or ""))


def list_for_staff(session: Session, principal: Principal | None, *, status: object = "", page: object = 1,
                   cursor: object = None) -> Page:
    """Every article (drafts included), last changed first; optionally one status."""
    check_edit(principal)
    stmt = visible_to(principal)
    if status in STATUSES:
        stmt = stmt.where(Article.status == status)
    return paginate(session, _rows(stmt), page, PAGE_SIZE, keys=STAFF_ORDER, cursor=cursor).mapped(_row)


@dataclass(frozen=True)
class CategoryCount:
    id: int
    name: str
    slug: str
    articles: int


def help_categories(session: Session, principal: Principal | None) -> list[CategoryCount]:
    """The categories with at least one article `principal` may read, with how many."""
    stmt = (published(principal).join(ArticleCategory, ArticleCategory.id == Article.category_id)
            .with_only_columns(ArticleCategory.id, ArticleCategory.name, ArticleCategory.slug, func.count(Article.id))
            .group_by(ArticleCategory.id, ArticleCategory.name, ArticleCategory.slug, ArticleCategory.position)
            .order_by(ArticleCategory.position, ArticleCategory.id))
    return [CategoryCount(*row) for row in session.execute(stmt).all()]


def help_articles(session: Session, principal: Principal | None, *, category: object = "", page: object = 1,
                  cursor: object = None) -> Page:
    """Published articles `principal` may read, by title; one category's
    (by slug) when given, else all."""
    stmt = published(principal)
    if isinstance(category, str) and category:
        stmt = stmt.where(Article.category_id == select(ArticleCategory.id).where(
            ArticleCategory.slug == category).scalar_subquery())
    return paginate(session, _rows(stmt), page, PAGE_SIZE, keys=TITLE_ORDER, cursor=cursor).mapped(_row)


def has_public_articles(session: Session) -> bool:
    """A help centre exists: a visitor's `/` leads there."""
    return session.exec(published(None).with_only_columns(Article.id).limit(1)).first() is not None


def related(session: Session, principal: Principal | None, article: Article) -> list[ArticleRow]:
    """Other articles of the same category the person may read, most read first."""
    if article.category_id is None:
        return []
    stmt = (_rows(published(principal).where(Article.category_id == article.category_id, Article.id != article.id))
            .order_by(Article.view_count.desc(), Article.id).limit(RELATED))
    return [_row(row) for row in session.execute(stmt).all()]


@dataclass(frozen=True)
class ArticleView:
    article: Article
    html: str
    category: str
    category_slug: str
    author: str
    org_ids: list[int]
    helpful: int
    not_helpful: int
    my_vote: bool | None


def read(session: Session, principal: Principal | None, ref: object) -> ArticleView:
    """One article as its page shows it (rendered safely)."""
    article = access_article(session, principal, ref)
    category = session.get(ArticleCategory, article.category_id) if article.category_id else None
    author = session.get(User, article.author_id) if article.author_id else None
    votes = dict(session.execute(select(ArticleFeedback.helpful, func.count()).where(
        ArticleFeedback.article_id == article.id).group_by(ArticleFeedback.helpful)).all())
    mine = None
    if principal is not None:
        mine = session.exec(select(ArticleFeedback.helpful).where(
            ArticleFeedback.article_id == article.id, ArticleFeedback.user_id == principal.user_id)).first()
    orgs = list(session.exec(select(ArticleOrganization.org_id).where(
        ArticleOrganization.article_id == article.id).order_by(ArticleOrganization.org_id)).all())
    return ArticleView(article, render(article.body), category.name if category else "",
                       category.slug if category else "", (author.name or "") if author else "", orgs,
                       votes.get(True, 0), votes.get(False, 0), mine)


def record_view(session: Session, principal: Principal | None, ref: object) -> None:
    """One more reader (staff reading are not counted)."""
    article = access_article(session, principal, ref)
    if principal is not None and principal.is_staff:
        return
    session.execute(sa_update(Article).where(Article.id == article.id).values(view_count=Article.view_count + 1))


VOTES_PER_IP = throttle.Quota(30)  # anonymous votes and comments from one address in an hour
VOTES_PER_PERSON = throttle.Quota(60)  # a signed-in person's (each replaces the last)


def vote(session: Session, principal: Principal | None, ref: object, *, helpful: object,
         comment: object = "", ip: str = "") -> ArticleFeedback:
    """"Was this helpful?": a signed-in person's new vote replaces their last
    one; visitors' votes are anonymous, at most `VOTES_PER_IP` an hour from
    one address (`ip`, the caller's)."""
    article = access_article(session, principal, ref)
    if type(helpful) is not bool:  # noqa: E721
        raise Invalid("Say whether the article helped.", field="helpful")
    clean = clean_long_text(comment, field="comment", label="The comment", max_length=COMMENT_MAX, required=False)
    if principal is None:
        throttle.spend(session, [(throttle.ip_key("article_vote", ip or "unknown"), VOTES_PER_IP)],
                       reason="Too many votes from this address.")
    else:
        throttle.spend(session, [(throttle.person_key("article_vote", principal.user_id), VOTES_PER_PERSON)],
                       reason="Too many votes.")
    row = None
    if principal is not None:
        row = session.exec(select(ArticleFeedback).where(ArticleFeedback.article_id == article.id,
                                                         ArticleFeedback.user_id == principal.user_id)).first()
    if row is None:
        row = ArticleFeedback(article_id=article.id, user_id=principal.user_id if principal else None,
                              helpful=helpful, comment=clean)
    else:
        row.helpful, row.comment, row.created_at = helpful, clean, utcnow()
    session.add(row)
    session.flush()
    return row


# ---------------------------------------------------------------- deflections

DEFLECTION_WINDOW = timedelta(minutes=30)


def record_suggestion_open(session: Session, principal: Principal | None, ref: object) -> bool:
    """A signed-in customer opened an article suggested on the ticket form.
    Once per person and article per window; staff and visitors are not
    counted. Returns whether it was recorded."""
    article = access_article(session, principal, ref)
    if principal is None or principal.is_staff:
        return False
    now = utcnow()
    recent = session.exec(select(ArticleSuggestionOpen.id).where(
        ArticleSuggestionOpen.user_id == principal.user_id, ArticleSuggestionOpen.article_id == article.id,
        ArticleSuggestionOpen.opened_at > now - DEFLECTION_WINDOW)).first()
    if recent is not None:
        return False
    session.add(ArticleSuggestionOpen(article_id=article.id, user_id=principal.user_id, opened_at=now,
                                      decided_at=now + DEFLECTION_WINDOW))
    session.flush()
    return True


def _deflected():  # noqa: ANN202 — the condition: decided, and no request raised by them meanwhile
    return and_(ArticleSuggestionOpen.decided_at <= utcnow(), ~exists(select(Ticket.id).where(
        Ticket.raised_by_id == ArticleSuggestionOpen.user_id,
        Ticket.created_at >= ArticleSuggestionOpen.opened_at,
        Ticket.created_at <= ArticleSuggestionOpen.decided_at)))


# ---------------------------------------------------------------- the staff report

@dataclass(frozen=True)
class Report:
    most_viewed: list[tuple[str, str, int]]  # (title, slug, views)
    most_unhelpful: list[tuple[str, str, int]]  # (title, slug, "no" votes)
    missed: list[tuple[str, int]]  # (query, times) over the last 90 days
    deflections: int = 0  # suggested articles opened with no request raised after, over the last 90 days
    deflecting: list[tuple[str, str, int]] = ()  # (title, slug, deflections), the top five


def report(session: Session, principal: Principal | None) -> Report:
    check_edit(principal)
    viewed = session.execute(visible_to(principal).where(Article.view_count > 0)
                             .with_only_columns(Article.title, Article.slug, Article.view_count)
                             .order_by(Article.view_count.desc(), Article.id).limit(5)).all()
    no = func.count(ArticleFeedback.id)
    unhelpful = session.execute(visible_to(principal).join(ArticleFeedback, ArticleFeedback.article_id == Article.id)
                                .where(ArticleFeedback.helpful == false())
                                .with_only_columns(Article.title, Article.slug, no)
                                .group_by(Article.id, Article.title, Article.slug)
                                .order_by(no.desc(), Article.id).limit(5)).all()
    since = utcnow() - timedelta(days=90)
    times = func.count(KnowledgeSearch.id)
    query = func.lower(KnowledgeSearch.query)
    missed = session.execute(select(query, times).where(KnowledgeSearch.created_at >= since)
                             .group_by(query).order_by(times.desc(), query).limit(10)).all()
    recent = and_(ArticleSuggestionOpen.opened_at >= since, _deflected())
    deflections = session.exec(select(func.count(ArticleSuggestionOpen.id)).where(recent)).one()
    n = func.count(ArticleSuggestionOpen.id)
    deflecting = session.execute(visible_to(principal).join(
        ArticleSuggestionOpen, ArticleSuggestionOpen.article_id == Article.id).where(recent)
        .with_only_columns(Article.title, Article.slug, n).group_by(Article.id, Article.title, Article.slug)
        .order_by(n.desc(), Article.id).limit(5)).all()
    return Report([tuple(r) for r in viewed], [tuple(r) for r in unhelpful], [tuple(r) for r in missed],
                  deflections, [tuple(r) for r in deflecting])
