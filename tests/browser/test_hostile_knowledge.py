"""The help centre and the knowledge base under a hostile client (Reflex's
websocket spoken directly): every new handler called without a session, by
a customer of another organisation (an article chosen for one organisation
stays hidden from them on every path: load, search, vote), by a customer on
the staff's handlers (nothing changes), and by a staff admin with extra
fields (status, visibility, org_id, author) and wrong types."""

from __future__ import annotations

import json
import uuid

from sqlmodel import select

from portal_app.models import (
    Article, ArticleCategory, ArticleFeedback, ArticleOrganization, ArticleSuggestionOpen,
)
from portal_app.services import knowledge
from portal_app.state.knowledge import (
    ArticleEditorState, ArticleState, HelpCentreState, HomeState, KnowledgeState,
)
from tests.browser.accounts_helpers import portal_session
from tests.browser.test_hostile_client import _person
from tests.browser.test_hostile_console import _staff_cookie
from tests.ws_client import ReflexClient, handler_name

BOGUS = (None, 7, True, ["1"], {"id": 1}, "", "-1", "1 OR 1=1", "9" * 40)
STAFF_PAGE = "/staff/knowledge"
EDITOR = "/staff/knowledge/article"


def _article_route(slug: str) -> str:
    return f"/help/[slug]?slug={slug}"


def _secret_article(portal, org_id: int) -> tuple[int, str, str]:
    """A published article chosen for one organisation: (id, slug, secret word)."""
    word = f"secret{uuid.uuid4().hex[:10]}"
    with portal_session(portal) as session:
        article = Article(title=f"Only for them {word}", slug=f"only-for-them-{word}", body=f"The {word} plan.",
                          search_text=f"The {word} plan.", status="published", visibility="organisations",
                          published_at=knowledge.utcnow())
        session.add(article)
        session.flush()
        session.add(ArticleOrganization(article_id=article.id, org_id=org_id))
        knowledge.index_article(session, article)
        session.commit()
        return article.id, article.slug, word


def _draft(portal) -> tuple[int, str]:
    with portal_session(portal) as session:
        article = Article(title="A draft nobody sees", slug=f"draft-{uuid.uuid4().hex[:10]}", body="Unfinished.",
                          search_text="Unfinished.", status="draft")
        session.add(article)
        session.commit()
        return article.id, article.slug


def _articles(portal) -> list[tuple]:
    with portal_session(portal) as session:
        return sorted((a.id, a.title, a.status, a.visibility, a.body, a.author_id)
                      for a in session.exec(select(Article)).all())


def _categories(portal) -> list[tuple]:
    with portal_session(portal) as session:
        return sorted((c.id, c.name) for c in session.exec(select(ArticleCategory)).all())


def _votes(portal, article_id: int) -> int:
    with portal_session(portal) as session:
        return len(session.exec(select(ArticleFeedback).where(ArticleFeedback.article_id == article_id)).all())


def _leaked(client: ReflexClient) -> str:
    return json.dumps(client.state()) + json.dumps(client.received) + json.dumps(client.last_events)


def _staff_handlers(client: ReflexClient, article_id: int, category_id: int) -> None:
    for name, payload in (("load", {}), ("filter_status", {"status": "draft"}), ("go_to", {"page": 2}),
                          ("publish", {"article_id": str(article_id)}),
                          ("unpublish", {"article_id": str(article_id)}),
                          ("remove", {"article_id": str(article_id)}),
                          ("add_category", {"form": {"name": "Pwned"}}),
                          ("delete_category", {"category_id": str(category_id)})):
        client.call(handler_name(KnowledgeState, name), payload, router_path=STAFF_PAGE)
    route = f"{EDITOR}?id={article_id}"
    for name, payload in (("load", {}), ("preview", {"text": "**x**"}), ("set_visibility", {"value": "public"}),
                          ("find_organisations", {"query": ""}), ("choose_organisation", {"org_id": "1"}),
                          ("drop_organisation", {"org_id": "1"}),
                          ("save", {"form": {"title": "Pwned", "body": "Pwned"}}), ("publish", {}),
                          ("unpublish", {})):
        client.call(handler_name(ArticleEditorState, name), payload, router_path=route)


def test_visitors_and_other_organisations_never_see_a_chosen_organisation_s_article(portal):
    _, _, insider = _person(portal, "kbinsider")
    outsider_cookie, _, _ = _person(portal, "kboutsider")
    article_id, slug, word = _secret_article(portal, insider.current.org_id)
    draft_id, draft_slug = _draft(portal)
    for who in (None, outsider_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate(f"/help?q={word}")
            client.call(handler_name(HelpCentreState, "search"), {"form": {"q": word}})
            assert client.state()[HelpCentreState.get_full_name()]["hits_rx_state_"] == []
            client.call(handler_name(HelpCentreState, "browse"), {"slug": ""})
            client.call(handler_name(HelpCentreState, "go_to"), {"page": 1})
            for bogus in BOGUS:
                client.call(handler_name(HelpCentreState, "search"), {"form": {"q": bogus}})
                client.call(handler_name(HelpCentreState, "browse"), {"slug": bogus})
                client.call(handler_name(HelpCentreState, "go_to"), {"page": bogus})
            client.call(handler_name(HelpCentreState, "search"), {"form": "q=x"})
            client.call(handler_name(HomeState, "load"), {})
            for target in (slug, draft_slug, str(article_id), "[slug]", "../staff"):
                route = _article_route(target)
                client.call(handler_name(ArticleState, "load"), {}, router_path=route)
                assert client.state()[ArticleState.get_full_name()]["found_rx_state_"] is False
                client.call(handler_name(ArticleState, "vote"), {"answer": "no"}, router_path=route)
                client.call(handler_name(ArticleState, "comment"), {"form": {"comment": "x"}}, router_path=route)
            leaked = _leaked(client)  # (the word itself is there: it is what they searched for)
            assert "Only for them" not in leaked and f"The {word} plan" not in leaked and "Unfinished" not in leaked
    assert _votes(portal, article_id) == 0 and _votes(portal, draft_id) == 0


def test_the_member_reads_and_votes_and_junk_votes_are_refused(portal):
    cookie, _, insider = _person(portal, "kbmember")
    article_id, slug, word = _secret_article(portal, insider.current.org_id)
    route = _article_route(slug)
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(route)
        page = ArticleState.get_full_name()
        assert client.state()[page]["found_rx_state_"] is True
        assert word in client.state()[page]["html_rx_state_"]
        client.call(handler_name(HelpCentreState, "search"), {"form": {"q": word}}, router_path="/help")
        hits = client.state()[HelpCentreState.get_full_name()]["hits_rx_state_"]
        assert [hit["href"] for hit in hits] == [f"/help/{slug}"]
        for junk in (*BOGUS, "YES", "maybe"):
            client.call(handler_name(ArticleState, "vote"), {"answer": junk}, router_path=route)
        client.call(handler_name(ArticleState, "vote"), {"answer": "yes", "org_id": 1}, router_path=route)
        client.call(handler_name(ArticleState, "comment"), {"form": {"comment": "early"}}, router_path=route)
        assert _votes(portal, article_id) == 0
        client.call(handler_name(ArticleState, "vote"), {"answer": "yes"}, router_path=route)
        for form in ("comment=x", ["x"], {"comment": ["x"]}, {"comment": {"$ne": 1}}, {"comment": "x" * 1001}):
            client.call(handler_name(ArticleState, "comment"), {"form": form}, router_path=route)
        assert client.state()[page]["errors_rx_state_"] == {"comment": "The comment must be at most 1,000 characters."}
        client.call(handler_name(ArticleState, "comment"),
                    {"form": {"comment": "Helpful", "helpful": False, "user_id": 1, "article_id": "1"}},
                    router_path=route)
    with portal_session(portal) as session:
        rows = session.exec(select(ArticleFeedback).where(ArticleFeedback.article_id == article_id)).all()
        assert [(r.helpful, r.comment, r.user_id) for r in rows] == [(True, "Helpful", insider.user_id)]
    # Opened from the ticket form's suggestions: recorded once per window, for the member only.
    for _ in range(2):
        with ReflexClient(portal.url, cookie=cookie) as client:
            client.hydrate(f"{route}&from=ticket")
    with ReflexClient(portal.url) as client:
        client.hydrate(f"{route}&from=ticket")
    with portal_session(portal) as session:
        opens = session.exec(select(ArticleSuggestionOpen).where(ArticleSuggestionOpen.article_id == article_id)).all()
        assert [row.user_id for row in opens] == [insider.user_id]


def test_nobody_and_customers_change_nothing_with_the_staff_handlers(portal):
    cookie, _, _ = _person(portal, "kbcustomer")
    draft_id, _ = _draft(portal)
    with portal_session(portal) as session:
        category = ArticleCategory(name=f"Kept {uuid.uuid4().hex[:6]}", slug=f"kept-{uuid.uuid4().hex[:6]}")
        session.add(category)
        session.commit()
        category_id = category.id
    before, categories = _articles(portal), _categories(portal)
    for who in (None, cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate(STAFF_PAGE)
            _staff_handlers(client, draft_id, category_id)
            assert client.state().get(KnowledgeState.get_full_name(), {}).get("rows_rx_state_", []) == []
            editor = client.state().get(ArticleEditorState.get_full_name(), {})
            assert editor.get("body_rx_state_", "") == "" and editor.get("org_matches_rx_state_", []) == []
            assert "A draft nobody sees" not in _leaked(client)
    assert _articles(portal) == before and _categories(portal) == categories


def test_an_admin_s_junk_and_extra_fields_change_nothing_they_should_not(portal):
    cookie, admin_id = _staff_cookie(portal, "admin")
    billing_cookie, _ = _staff_cookie(portal, "billing")
    _, _, someone = _person(portal, "kbchosen")
    draft_id, _ = _draft(portal)
    before = _articles(portal)
    with ReflexClient(portal.url, cookie=billing_cookie) as client:  # staff, but not an editor
        client.hydrate(STAFF_PAGE)
        _staff_handlers(client, draft_id, 10**9)
    assert _articles(portal) == before
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(EDITOR)
        editor = ArticleEditorState.get_full_name()
        for bogus in BOGUS:
            client.call(handler_name(KnowledgeState, "publish"), {"article_id": bogus}, router_path=STAFF_PAGE)
            client.call(handler_name(KnowledgeState, "remove"), {"article_id": bogus}, router_path=STAFF_PAGE)
            client.call(handler_name(KnowledgeState, "delete_category"), {"category_id": bogus},
                        router_path=STAFF_PAGE)
            client.call(handler_name(ArticleEditorState, "set_visibility"), {"value": bogus})
            assert client.state()[editor]["visibility_rx_state_"] == "public"
            client.call(handler_name(ArticleEditorState, "choose_organisation"), {"org_id": bogus})
            client.call(handler_name(ArticleEditorState, "preview"), {"text": bogus})
        # Only organisations the editor was offered can be chosen: an id sent by hand is not.
        client.call(handler_name(ArticleEditorState, "choose_organisation"), {"org_id": str(someone.current.org_id)})
        assert client.state()[editor]["chosen_rx_state_"] == []
        for form in ("title=x&body=y", ["x"], {"title": ["x"], "body": "y"}, {"title": "x", "body": {"$ne": 1}},
                     {"title": "x" * 201, "body": "y"}, {"title": "x", "body": "y", "category": "999999"}):
            client.call(handler_name(ArticleEditorState, "save"), {"form": form})
        assert client.state()[editor]["errors_rx_state_"] == {"category": "Choose a category from the list."}
        client.call(handler_name(ArticleEditorState, "save"), {"form": {"title": "x", "body": "y"}, "status": "x"})
        assert _articles(portal) == before
        # Fields the form does not have are ignored: a draft, public, by the admin.
        client.call(handler_name(ArticleEditorState, "save"), {"form": {
            "title": "Forged", "body": "Hello", "status": "published", "visibility": "organisations",
            "org_id": str(someone.current.org_id), "organisations": [someone.current.org_id], "author_id": "1",
            "id": str(draft_id)}})
    with portal_session(portal) as session:
        forged = session.exec(select(Article).where(Article.title == "Forged")).one()
        assert (forged.id != draft_id, forged.status, forged.visibility, forged.author_id) == (
            True, "draft", "public", admin_id)
        assert session.exec(select(ArticleOrganization).where(ArticleOrganization.article_id == forged.id)).all() == []
        assert session.get(Article, draft_id).title == "A draft nobody sees"
