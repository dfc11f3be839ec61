"""The knowledge base, the services: the permission base (an article chosen
for organisation A: its members read it, B's do not, visitors do not,
staff do; writing is for staff editors only), visibility of every kind on
SQLite and PostgreSQL, search ranking (a fixed set of articles and queries
with the expected first hit) and typo tolerance on both, highlighting as
segments, hostile Markdown rendered inert, bad input, archive or delete,
feedback, view counts and the staff report."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlmodel import Session, select

from portal_app.models import Article, ArticleFeedback, ArticleOrganization, AuditEvent, KnowledgeSearch
from portal_app.services import knowledge, knowledge_search
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound
from portal_app.services.principal import ROLES
from tests.factories import register, sign_in, staff_admin
from tests.permissions import Permission, StaffPermission, permission_tests, staff_permission_tests


def _article(session: Session, *, title: str = "Paying an invoice", body: str = "Pay by card or transfer.",
             visibility: str = "public", status: str = "published", orgs: tuple[int, ...] = (),
             category_id: int | None = None) -> Article:
    """An article written straight into the tables (and the search index)."""
    slug = knowledge._unique_slug(session, Article, knowledge.slugify(title, max_length=knowledge.SLUG_MAX))
    article = Article(title=title, slug=slug, body=body, search_text=knowledge.plain_text(body),
                      status=status, visibility=visibility, category_id=category_id,
                      published_at=knowledge.utcnow() if status == "published" else None)
    session.add(article)
    session.flush()
    for org_id in orgs:
        session.add(ArticleOrganization(article_id=article.id, org_id=org_id))
    knowledge.index_article(session, article)
    session.flush()
    return article


def _for_the_org(session: Session, owner) -> int:  # noqa: ANN001
    """An article chosen for the owner's organisation only."""
    return _article(session, title=f"Only for {owner.current.org_name}", visibility="organisations",
                    orgs=(owner.current.org_id,)).id


def _read(session, actor, article_id, article) -> None:  # noqa: ANN001
    assert article.id == article_id


def _voted(session, actor, article_id, feedback) -> None:  # noqa: ANN001
    assert (feedback.article_id, feedback.user_id, feedback.helpful) == (article_id, actor.user_id, False)


test_restricted_article_permissions = permission_tests(
    Permission("read", lambda s, p, ref: knowledge.access_article(s, p, ref), allowed=ROLES,
               target_row=_for_the_org, staff_allowed=True, check=_read),
    Permission("vote", lambda s, p, ref: knowledge.vote(s, p, ref, helpful=False, comment="Too short"),
               allowed=ROLES, target_row=_for_the_org, staff_allowed=True, check=_voted),
)


def _a_draft(session: Session, admin) -> int:  # noqa: ANN001
    return _article(session, title="Resetting a password", status="draft").id


def _a_category(session: Session, admin) -> int:  # noqa: ANN001
    return knowledge.create_category(session, admin, name="Billing").id


FORM = dict(title="Changing your plan", body="Open **Billing**, then *Plan*.")


def _created(session, actor, _, article) -> bool:  # noqa: ANN001
    return (article.status, article.slug, article.author_id) == ("draft", "changing-your-plan", actor.user_id)


def _published(session, actor, article_id, article) -> bool:  # noqa: ANN001
    return article.status == "published" and article.published_at is not None


test_staff_permissions = staff_permission_tests(
    StaffPermission("create", lambda s, p, _: knowledge.create(s, p, **FORM), target_row=lambda s, a: None,
                    allowed=knowledge.EDITORS, takes_id=False, check=_created),
    StaffPermission("update", lambda s, p, ref: knowledge.update(s, p, ref, **FORM), target_row=_a_draft,
                    allowed=knowledge.EDITORS),
    StaffPermission("publish", lambda s, p, ref: knowledge.publish(s, p, ref), target_row=_a_draft,
                    allowed=knowledge.EDITORS, check=_published),
    StaffPermission("unpublish", lambda s, p, ref: knowledge.unpublish(s, p, ref), target_row=_a_draft,
                    allowed=knowledge.EDITORS),
    StaffPermission("remove", lambda s, p, ref: knowledge.remove(s, p, ref), target_row=_a_draft,
                    allowed=knowledge.EDITORS, check=lambda s, p, ref, result: result == "deleted"),
    StaffPermission("list", lambda s, p, _: knowledge.list_for_staff(s, p), target_row=_a_draft,
                    allowed=knowledge.EDITORS, takes_id=False,
                    check=lambda s, p, ref, page: [row.id for row in page.rows] == [ref]),
    StaffPermission("report", lambda s, p, _: knowledge.report(s, p), target_row=_a_draft,
                    allowed=knowledge.EDITORS, takes_id=False),
    StaffPermission("add category", lambda s, p, _: knowledge.create_category(s, p, name="Accounts"),
                    target_row=lambda s, a: None, allowed=knowledge.EDITORS, takes_id=False),
    StaffPermission("rename category", lambda s, p, ref: knowledge.rename_category(s, p, ref, name="Payments"),
                    target_row=_a_category, allowed=knowledge.EDITORS),
    StaffPermission("delete category", lambda s, p, ref: knowledge.delete_category(s, p, ref),
                    target_row=_a_category, allowed=knowledge.EDITORS),
)


# ---------------------------------------------------------------- on both databases

def _world_seed(session: Session):
    """Two organisations (A and B), a customer of each, a staff admin, and
    one article of each visibility (plus a draft and an archived one)."""
    register(session, "ann@example.com", company="Org A", name="Ann A")
    register(session, "bob@example.com", company="Org B", name="Bob B")
    _, ann = sign_in(session, "ann@example.com")
    _, bob = sign_in(session, "bob@example.com")
    admin = staff_admin(session)
    rows = {
        "public": _article(session, title="Paying an invoice", body="Pay your invoice by card."),
        "customers": _article(session, title="Downloading invoices", body="Every invoice as a PDF.",
                              visibility="customers"),
        "org_a": _article(session, title="Invoice terms for Org A", body="Thirty days.",
                          visibility="organisations", orgs=(ann.current.org_id,)),
        "draft": _article(session, title="Invoice reminders", body="Coming soon.", status="draft"),
        "archived": _article(session, title="Old invoice layout", body="Gone.", status="archived"),
    }
    return {"anonymous": None, "ann": ann, "bob": bob, "staff": admin}, {k: v.id for k, v in rows.items()}


@pytest.fixture
def world(any_engine, seeded):
    """`_world_seed`, made once per module on SQLite (`seeded`)."""
    people, ids = seeded(any_engine, _world_seed)
    with Session(any_engine, expire_on_commit=False) as session:
        yield session, people, ids


SEES = {
    "anonymous": {"public"},
    "ann": {"public", "customers", "org_a"},
    "bob": {"public", "customers"},
    "staff": {"public", "customers", "org_a", "draft", "archived"},
}


@pytest.mark.parametrize("who", list(SEES))
def test_each_person_reads_what_they_may(world, who):
    session, people, ids = world
    principal = people[who]
    seen = set(session.exec(knowledge.visible_to(principal).with_only_columns(Article.id)).all())
    assert seen == {ids[name] for name in SEES[who]}
    for name, article_id in ids.items():
        if name in SEES[who]:
            assert knowledge.access_article(session, principal, article_id).id == article_id
            slug = session.get(Article, article_id).slug
            assert knowledge.access_article(session, principal, slug).id == article_id
        else:
            with pytest.raises(NotFound):
                knowledge.access_article(session, principal, article_id)
    # The help centre's search lists published articles only, and only those.
    found = {hit.id for hit in knowledge_search.search(session, principal, "invoice").hits}
    assert found == {ids[name] for name in SEES[who] - {"draft", "archived"}}


RELEVANCE_ARTICLES = [
    ("Paying an invoice by card", "Open Billing, choose the invoice and pay it with a saved card."),
    ("Downloading invoices as PDF", "Every invoice can be downloaded as a PDF from the Billing page."),
    ("Resetting your password", "Forgot your password? Use the reset link on the sign-in page."),
    ("Setting up two-step verification", "Scan the QR code with an authenticator app to turn on two-step sign-in."),
    ("Inviting a colleague", "Owners and admins invite colleagues from the Organisation page by email."),
    ("Changing your plan", "Upgrade or downgrade your subscription plan at any time; we prorate the price."),
    ("Cancelling a subscription", "Cancel a subscription before its renewal date to avoid another charge."),
    ("Uploading documents", "Drag files onto the Documents page; each upload may be up to 25 MB."),
    ("Raising a support request", "Describe the problem, pick a category and attach screenshots."),
    ("Changing the VAT number on invoices", "Your VAT number appears on every invoice once the profile has it."),
]
RELEVANCE_QUERIES = [
    ("pay invoice card", "Paying an invoice by card"),
    ("download pdf", "Downloading invoices as PDF"),
    ("forgot password", "Resetting your password"),
    ("authenticator qr code", "Setting up two-step verification"),
    ("invite colleague", "Inviting a colleague"),
    ("upgrade plan", "Changing your plan"),
    ("cancel subscription", "Cancelling a subscription"),
    ("upload files", "Uploading documents"),
    ("screenshots support", "Raising a support request"),
    ("vat number", "Changing the VAT number on invoices"),
    ("pasword reset", "Resetting your password"),  # a typo
    ("colleage invitation", "Inviting a colleague"),  # a typo and another form of the word
]


def _library_seed(session: Session) -> None:
    for title, body in RELEVANCE_ARTICLES:
        _article(session, title=title, body=body)


@pytest.fixture
def library(any_engine, seeded):
    """The relevance articles, written once per module on SQLite (`seeded`)."""
    seeded(any_engine, _library_seed)
    with Session(any_engine, expire_on_commit=False) as session:
        yield session


@pytest.mark.parametrize(("query", "expected"), RELEVANCE_QUERIES, ids=[q for q, _ in RELEVANCE_QUERIES])
def test_search_puts_the_expected_article_first(library, query, expected):
    result = knowledge_search.search(library, None, query)
    assert result.hits, f"nothing for {query!r}"
    assert result.hits[0].title == expected, [hit.title for hit in result.hits]


def test_a_typo_finds_the_word_meant_and_says_so(library):
    result = knowledge_search.search(library, None, "invocie")
    assert result.corrected == "invoice"
    titles = {hit.title for hit in result.hits}
    assert {"Paying an invoice by card", "Downloading invoices as PDF"} <= titles
    assert not library.exec(select(KnowledgeSearch)).all()


def test_a_search_that_finds_nothing_is_recorded(library):
    assert knowledge_search.search(library, None, "zebra crossing").hits == []
    assert [row.query for row in library.exec(select(KnowledgeSearch)).all()] == ["zebra crossing"]


def test_hostile_queries_are_only_words(library):
    for query in ['"', "NEAR(", "title:pay*", "a OR b", "pay & ! | :*", "')--", "\x00", 42, None, ["pay"],
                  "x" * 5000, "🙂"]:
        result = knowledge_search.search(library, None, query)
        assert isinstance(result.hits, list)
    assert knowledge_search.search(library, None, "title:pay*").hits[0].title == "Paying an invoice by card"


def test_matches_are_segments_of_text_never_html(any_engine):
    with Session(any_engine) as session:
        _article(session, title="<b>Invoice</b> help", body="The <script>invoice</script> is due.")
        session.commit()
        hit = knowledge_search.search(session, None, "invoice").hits[0]
    assert hit.title_parts == [("<b>", False), ("Invoice", True), ("</b> help", False)]
    assert ("invoice", True) in hit.excerpt_parts
    assert "".join(text for text, _ in hit.excerpt_parts).startswith("The")


def test_search_results_are_paged(any_engine):
    with Session(any_engine) as session:
        for n in range(knowledge.SEARCH_PAGE + 3):
            _article(session, title=f"Router model {n}", body="Restart the router.")
        session.commit()
        first = knowledge_search.search(session, None, "router")
        second = knowledge_search.search(session, None, "router", page=2)
    assert (first.page.total, first.page.pages, len(first.hits), len(second.hits)) == (13, 2, 10, 3)
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}


# ---------------------------------------------------------------- writing

@pytest.fixture
def admin_session(engine):
    with Session(engine, expire_on_commit=False) as session:
        admin = staff_admin(session)
        register(session, "ann@example.com", company="Org A", name="Ann A")
        _, ann = sign_in(session, "ann@example.com")
        yield session, admin, ann


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "![x](https://evil.example/x.png\" onerror=\"alert(1))",
    "<style>body{display:none}</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "[a](vbscript:msgbox(1))",
    "<details open ontoggle=alert(1)>",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, attrs))


@pytest.mark.parametrize("vector", XSS)
def test_hostile_markdown_is_rendered_inert(admin_session, vector):
    session, admin, _ = admin_session
    article = knowledge.create(session, admin, title="Hostile", body=f"Before\n\n{vector}\n\nAfter")
    knowledge.publish(session, admin, article.id)
    shown = knowledge.read(session, None, article.slug).html
    parser = _Tags()
    parser.feed(shown)
    for tag, attrs in parser.tags:
        assert tag not in {"script", "img", "svg", "iframe", "style", "div", "details"}, shown
        for name, value in attrs:
            assert not name.startswith("on"), shown
            assert name != "style", shown
            if name == "href":
                assert value.startswith(("http://", "https://", "mailto:")), shown


def test_bad_input_names_the_field(admin_session):
    session, admin, _ = admin_session
    ok = dict(title="A title", body="Text")
    bad = [
        (dict(title=""), "title"), (dict(title="x" * 201), "title"), (dict(title=7), "title"),
        (dict(title="two\nlines"), "title"), (dict(body=""), "body"), (dict(body="x" * 100_001), "body"),
        (dict(body=["x"]), "body"), (dict(visibility="everyone"), "visibility"),
        (dict(visibility="organisations"), "organisations"),
        (dict(visibility="organisations", organisations=[10**9]), "organisations"),
        (dict(visibility="organisations", organisations="1"), "organisations"),
        (dict(visibility="organisations", organisations=[True]), "organisations"),
        (dict(category=10**9), "category"), (dict(category="abc"), "category"), (dict(category=1.5), "category"),
    ]
    for change, field in bad:
        with pytest.raises(Invalid) as err:
            knowledge.create(session, admin, **{**ok, **change})
        assert err.value.field == field, (change, err.value.message)
    assert session.exec(select(Article)).all() == []
    assert knowledge.create(session, admin, **{**ok, "body": "x" * 100_000}).id


def test_slugs_are_unique_and_stay_once_published(admin_session):
    session, admin, _ = admin_session
    one = knowledge.create(session, admin, title="Paying an invoice", body="One")
    two = knowledge.create(session, admin, title="Paying an invoice!", body="Two")
    odd = knowledge.create(session, admin, title="Ünïcode & 🙂", body="Three")
    assert (one.slug, two.slug, odd.slug) == ("paying-an-invoice", "paying-an-invoice-2", "unicode")
    knowledge.update(session, admin, two.id, title="Paying by transfer", body="Two")
    assert two.slug == "paying-by-transfer"
    knowledge.publish(session, admin, two.id)
    knowledge.update(session, admin, two.id, title="Paying by bank transfer", body="Two")
    assert two.slug == "paying-by-transfer"


def test_choosing_organisations(admin_session):
    session, admin, ann = admin_session
    org_a = ann.current.org_id
    article = knowledge.create(session, admin, title="For A", body="Hi", visibility="organisations",
                               organisations=[str(org_a), org_a])
    knowledge.publish(session, admin, article.id)
    assert knowledge.read(session, admin, article.id).org_ids == [org_a]
    assert knowledge.access_article(session, ann, article.slug).id == article.id
    knowledge.update(session, admin, article.id, title="For A", body="Hi", visibility="public",
                     organisations=[org_a])
    assert session.exec(select(ArticleOrganization)).all() == []


def test_remove_archives_what_was_published_and_deletes_an_unused_draft(admin_session):
    session, admin, ann = admin_session
    draft = knowledge.create(session, admin, title="Never shown", body="x")
    used = knowledge.create(session, admin, title="Shown once", body="x")
    knowledge.publish(session, admin, used.id)
    knowledge.vote(session, ann, used.id, helpful=True)
    assert knowledge.remove(session, admin, draft.id) == "deleted"
    assert knowledge.remove(session, admin, used.id) == "archived"
    assert session.get(Article, draft.id) is None
    assert session.get(Article, used.id).status == "archived"
    with pytest.raises(NotFound):
        knowledge.access_article(session, ann, used.id)
    assert knowledge_search.search(session, admin, "never").hits == []
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.target_type == "article")
                           .order_by(AuditEvent.id)).all()
    assert actions == ["article.created", "article.created", "article.published", "article.deleted",
                       "article.archived"]


def test_feedback_one_vote_per_person_and_anonymous_votes(admin_session):
    session, admin, ann = admin_session
    article = knowledge.create(session, admin, title="Votes", body="x")
    knowledge.publish(session, admin, article.id)
    knowledge.vote(session, ann, article.id, helpful=True)
    knowledge.vote(session, ann, article.id, helpful=False, comment="  It did not say how  ")
    knowledge.vote(session, None, article.slug, helpful=True)
    knowledge.vote(session, None, article.slug, helpful=True)
    rows = session.exec(select(ArticleFeedback).order_by(ArticleFeedback.id)).all()
    assert [(r.user_id, r.helpful, r.comment) for r in rows] == [
        (ann.user_id, False, "It did not say how"), (None, True, ""), (None, True, "")]
    view = knowledge.read(session, ann, article.id)
    assert (view.helpful, view.not_helpful, view.my_vote) == (2, 1, False)
    for helpful, comment, field in [("yes", "", "helpful"), (1, "", "helpful"), (None, "", "helpful"),
                                    (True, "x" * 1001, "comment"), (True, ["x"], "comment")]:
        with pytest.raises(Invalid) as err:
            knowledge.vote(session, ann, article.id, helpful=helpful, comment=comment)
        assert err.value.field == field


def test_views_are_counted_for_readers_but_not_staff(admin_session):
    session, admin, ann = admin_session
    article = knowledge.create(session, admin, title="Counted", body="x")
    knowledge.publish(session, admin, article.id)
    knowledge.record_view(session, None, article.slug)
    knowledge.record_view(session, ann, article.slug)
    knowledge.record_view(session, admin, article.slug)
    session.refresh(article)
    assert article.view_count == 2


def test_the_report(admin_session):
    session, admin, ann = admin_session
    read_a_lot = knowledge.create(session, admin, title="Popular", body="x")
    disliked = knowledge.create(session, admin, title="Disliked", body="x")
    for article in (read_a_lot, disliked):
        knowledge.publish(session, admin, article.id)
    for _ in range(3):
        knowledge.record_view(session, None, read_a_lot.id)
    knowledge.vote(session, None, disliked.id, helpful=False)
    knowledge.vote(session, ann, disliked.id, helpful=False)
    knowledge_search.search(session, None, "Quantum")
    knowledge_search.search(session, ann, "quantum")
    report = knowledge.report(session, admin)
    assert report.most_viewed == [("Popular", "popular", 3)]
    assert report.most_unhelpful == [("Disliked", "disliked", 2)]
    assert report.missed == [("quantum", 2)]


def test_staff_who_must_set_up_two_step_verification_cannot_write(admin_session):
    session, admin, ann = admin_session
    import dataclasses
    half = dataclasses.replace(admin, mfa_enabled=False, mfa_required=True)
    with pytest.raises(Forbidden) as err:
        knowledge.create(session, half, **FORM)
    assert err.value.code == ErrorCode.MFA_REQUIRED
    with pytest.raises(NotFound):
        knowledge.create(session, None, **FORM)


def test_categories(admin_session):
    session, admin, _ = admin_session
    billing = knowledge.create_category(session, admin, name="Billing")
    knowledge.create_category(session, admin, name="Accounts")
    with pytest.raises(Invalid) as err:
        knowledge.create_category(session, admin, name="billing")
    assert err.value.field == "name"
    article = knowledge.create(session, admin, title="In billing", body="x", category=str(billing.id))
    knowledge.publish(session, admin, article.id)
    assert [(c.name, c.articles) for c in knowledge.help_categories(session, None)] == [("Billing", 1)]
    assert [r.title for r in knowledge.help_articles(session, None, category="billing").rows] == ["In billing"]
    assert knowledge.delete_category(session, admin, billing.id) == "Billing"
    session.refresh(article)
    assert article.category_id is None
    assert [c.name for c in knowledge.categories(session)] == ["Accounts"]


def test_suggestions_for_a_ticket_subject(library):
    """What the ticket form can offer while a subject is typed: any word may
    match, typos are corrected, nothing is recorded."""
    titles = [hit.title for hit in knowledge_search.suggest(library, None, "Cannot downlaod my invoice")]
    assert titles[0] == "Downloading invoices as PDF" and len(titles) <= knowledge_search.SUGGESTIONS
    assert knowledge_search.suggest(library, None, "") == [] and knowledge_search.suggest(library, None, ["x"]) == []
    assert knowledge_search.suggest(library, None, "qwertyuiop") == []
    assert library.exec(select(KnowledgeSearch)).all() == []


def test_suggestions_obey_visibility(world):
    session, people, ids = world
    assert {hit.id for hit in knowledge_search.suggest(session, None, "invoice terms")} == {ids["public"]}
    assert ids["org_a"] in {hit.id for hit in knowledge_search.suggest(session, people["ann"], "invoice terms")}
    assert ids["org_a"] not in {hit.id for hit in knowledge_search.suggest(session, people["bob"], "invoice terms")}


def test_a_suggestion_opened_without_a_request_after_it_is_a_deflection(admin_session):
    from datetime import timedelta

    from portal_app.models import ArticleSuggestionOpen
    from tests.services.test_tickets import _raise

    session, admin, ann = admin_session
    helped = knowledge.create(session, admin, title="Helped", body="x")
    not_enough = knowledge.create(session, admin, title="Not enough", body="x")
    draft = knowledge.create(session, admin, title="Draft", body="x")
    for article in (helped, not_enough):
        knowledge.publish(session, admin, article.id)
    assert knowledge.record_suggestion_open(session, ann, helped.slug) is True
    assert knowledge.record_suggestion_open(session, ann, helped.slug) is False  # once per window
    assert knowledge.record_suggestion_open(session, ann, not_enough.id) is True
    assert knowledge.record_suggestion_open(session, admin, helped.id) is False  # staff are not counted
    with pytest.raises(NotFound):
        knowledge.record_suggestion_open(session, ann, draft.id)
    with pytest.raises(NotFound):
        knowledge.record_suggestion_open(session, None, draft.id)
    assert knowledge.report(session, admin).deflections == 0  # not decided yet
    _raise(session, ann, subject="Still stuck")  # raised right after opening "Not enough"
    for row in session.exec(select(ArticleSuggestionOpen)).all():  # "Helped" yesterday, "Not enough" an hour ago
        earlier = timedelta(days=1) if row.article_id == helped.id else timedelta(hours=1)
        row.opened_at, row.decided_at = row.opened_at - earlier, row.decided_at - earlier
        session.add(row)
    from portal_app.models import Ticket
    ticket = session.exec(select(Ticket).where(Ticket.subject == "Still stuck")).one()
    opened = session.exec(select(ArticleSuggestionOpen).where(
        ArticleSuggestionOpen.article_id == not_enough.id)).one().opened_at
    ticket.created_at = opened + timedelta(minutes=5)
    session.add(ticket)
    session.flush()
    report = knowledge.report(session, admin)
    assert (report.deflections, report.deflecting) == (1, [("Helped", "helped", 1)])


def test_votes_are_rate_limited(admin_session):
    from portal_app.services.throttle import RateLimited

    session, admin, ann = admin_session
    article = knowledge.create(session, admin, title="Votes", body="x")
    knowledge.publish(session, admin, article.id)
    for _ in range(knowledge.VOTES_PER_IP.limit):
        knowledge.vote(session, None, article.id, helpful=True, ip="203.0.113.9")
    with pytest.raises(RateLimited):
        knowledge.vote(session, None, article.id, helpful=False, ip="203.0.113.9")
    knowledge.vote(session, None, article.id, helpful=False, ip="203.0.113.10")  # another address
    rows = session.exec(select(ArticleFeedback)).all()
    assert len(rows) == knowledge.VOTES_PER_IP.limit + 1 and sum(not r.helpful for r in rows) == 1


def test_corrections_never_name_a_word_the_person_may_not_read(world):
    session, people, ids = world
    draft = session.get(Article, ids["draft"])
    draft.title, draft.search_text = "Invoice reminders about zucchini", "zucchini"
    knowledge.index_article(session, draft)
    org_a = session.get(Article, ids["org_a"])
    org_a.search_text = "Thirty days, paid by quarterly remittance."
    knowledge.index_article(session, org_a)
    session.commit()
    assert knowledge_search.search(session, people["bob"], "zucchinni").corrected == ""  # only in a draft
    assert knowledge_search.search(session, people["bob"], "invoice remitance").corrected == ""  # only A's article
    found = knowledge_search.search(session, people["ann"], "invoice remitance")
    assert (found.corrected, [h.id for h in found.hits]) == ("invoice remittance", [ids["org_a"]])
    staff = knowledge_search.search(session, people["staff"], "zucchinni")  # the help centre lists published ones only
    assert staff.hits == []
