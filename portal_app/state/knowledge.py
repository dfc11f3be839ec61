"""The knowledge base in the page: the public help centre (`/help`: browse
by category, search), one article (`/help/<slug>`: read, "Was this
helpful?", related articles), and the staff's pages (the list with drafts,
categories, the report; the editor with a live preview).

Visitors use the help centre without signing in: its handlers resolve the
person if there is one (`_principal`, None for a visitor) and the services
show what that person may read. The staff's handlers go through
`@signed_in` and the services refuse anyone but staff editors. Ids arrive
as strings (`event_id`), slugs only from the page's own route; organisation
ids for an article's visibility only from the list the editor was offered."""

from __future__ import annotations


import reflex as rx

from portal_app import routes
from portal_app.services import knowledge, knowledge_search, live
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_datetime
from portal_app.services.markdown import render
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id, form_values
from portal_app.state.paging import PagerMixin
from portal_app.state.session import SessionState, busy, field_errors, signed_in

QUERY_MAX = knowledge.QUERY_MAX


def _parts(parts: list[tuple[str, bool]]) -> list[dict[str, str]]:
    return [{"text": text, "mark": "1" if marked else ""} for text, marked in parts]


def _article_rows(rows: list[knowledge.ArticleRow]) -> list[dict[str, str]]:
    return [{"id": str(r.id), "title": r.title, "slug": r.slug, "href": routes.help_path(r.slug),
             "category": r.category, "excerpt": r.excerpt} for r in rows]


class HelpCentreState(PagerMixin, SessionState):
    """`/help`: the categories, then either a search's hits or a category's articles."""

    query: str = ""  # what was searched for ("" while browsing)
    corrected: str = ""  # "invoice" when "invocie" was searched for
    category: str = ""  # the slug of the category browsed ("" for all)
    category_name: str = ""
    categories: list[dict[str, str]] = []
    hits: list[dict] = []  # {"title": [parts], "excerpt": [parts], "href", "category"}
    rows: list[dict[str, str]] = []
    loaded: bool = False

    async def _fetch(self):
        principal = await self._principal()
        cats = await self._read(knowledge.help_categories, principal)
        self.categories = [{"slug": c.slug, "name": c.name, "count": str(c.articles)} for c in cats]
        self.category_name = next((c.name for c in cats if c.slug == self.category), "")
        if self.query:
            result = await self._act(knowledge_search.search, principal, self.query, page=self.page)
            self._show_page(result.page)
            self.corrected = result.corrected
            self.hits = [{"title": _parts(h.title_parts), "excerpt": _parts(h.excerpt_parts),
                          "href": routes.help_path(h.slug), "category": h.category, "key": str(h.id)}
                         for h in result.hits]
            self.rows = []
        else:
            result = await self._read(knowledge.help_articles, principal, category=self.category, page=self.page,
                                      cursor=self._cursor)
            self._show_page(result)
            self.rows, self.hits, self.corrected = _article_rows(result.rows), [], ""
        self.loaded = True

    @rx.event
    async def load(self):
        self.page, self.loaded = 1, False
        self._lose_page()
        query = self._query("q")
        self.query = " ".join(query.split())[:QUERY_MAX] if isinstance(query, str) else ""
        category = self._query("category")
        self.category = category if isinstance(category, str) and len(category) <= 90 else ""
        return await self._fetch()

    @rx.event
    async def search(self, form: dict):
        query = form_values(form).get("q")
        self.query = " ".join(query.split())[:QUERY_MAX] if isinstance(query, str) else ""
        self.page = 1
        self._lose_page()
        return await self._fetch()

    @rx.event
    async def browse(self, slug: str):
        """One category's articles ("" for all of them)."""
        self.category = slug if isinstance(slug, str) and len(slug) <= 90 else ""
        self.query, self.page = "", 1
        self._lose_page()
        return await self._fetch()


class ArticleState(SessionState):
    """`/help/<slug>`: the article, its votes, related articles."""

    found: bool = False
    loaded: bool = False
    article_id: str = ""
    title: str = ""
    html: str = ""
    category: str = ""
    category_slug: str = ""
    updated: str = ""
    views: int = 0
    status: str = ""
    related: list[dict[str, str]] = []
    vote_given: str = ""  # "yes" / "no" once this person voted (here or before, when signed in)
    comment_sent: bool = False
    errors: dict[str, str] = {}
    can_edit: bool = False

    def _slug(self) -> str:
        slug = self.router.page.params.get("slug", "")
        return slug if isinstance(slug, str) else ""

    @rx.event
    async def load(self):
        self.found, self.loaded, self.errors, self.comment_sent, self.vote_given = False, False, {}, False, ""
        principal = await self._principal()
        try:
            view = await self._read(knowledge.read, principal, self._slug())
            related = await self._read(knowledge.related, principal, view.article)
            if view.article.status == "published":
                await self._act(knowledge.record_view, principal, view.article.id)
                if self._query("from") == "ticket" and principal is not None:  # a suggestion on the ticket form
                    await self._act(knowledge.record_suggestion_open, principal, view.article.id)
        except PortalError:
            self.loaded = True
            return None
        article = view.article
        self.article_id, self.title, self.html = str(article.id), article.title, view.html
        self.category, self.category_slug = view.category, view.category_slug
        self.updated = format_datetime(article.updated_at)
        counted = article.status == "published" and not (principal and principal.is_staff)
        self.views = article.view_count + (1 if counted else 0)
        self.status = article.status
        self.related = _article_rows(related)
        self.vote_given = "" if view.my_vote is None else "yes" if view.my_vote else "no"
        self.can_edit = knowledge.can_edit(principal)
        self.found = self.loaded = True
        return None

    @rx.event
    async def vote(self, answer: str):
        """Yes or no (the article is the page's own)."""
        if answer not in ("yes", "no"):
            return rx.toast.error("Say whether the article helped.")
        principal = await self._principal()
        try:
            await self._act(knowledge.vote, principal, self._slug(), helpful=answer == "yes", ip=self._client_ip())
        except PortalError as err:
            return rx.toast.error(err.message)
        self.vote_given, self.comment_sent, self.errors = answer, False, {}
        return rx.toast.success("Thank you for your feedback.")

    @rx.event
    @busy("article_comment")
    async def comment(self, form: dict):
        """A comment with the vote given on this page."""
        if self.vote_given not in ("yes", "no"):
            return rx.toast.error("Say whether the article helped first.")
        principal = await self._principal()
        try:
            await self._act(knowledge.vote, principal, self._slug(), helpful=self.vote_given == "yes",
                            comment=form_values(form).get("comment"), ip=self._client_ip())
        except PortalError as err:
            _, self.errors = field_errors(err)
            if not self.errors:
                return rx.toast.error(err.message)
            return None
        self.comment_sent, self.errors = True, {}
        return rx.toast.success("Thank you: your comment reached the team.")


class KnowledgeState(PagerMixin, SessionState):
    """`/staff/knowledge`: every article (drafts too), categories, the report."""

    rows: list[dict[str, str]] = []
    status_filter: str = ""
    categories: list[dict[str, str]] = []
    category_errors: dict[str, str] = {}
    category_key: int = 0
    most_viewed: list[dict[str, str]] = []
    most_unhelpful: list[dict[str, str]] = []
    missed: list[dict[str, str]] = []
    deflections: int = 0
    deflecting: list[dict[str, str]] = []
    loaded: bool = False

    async def _fetch(self):
        principal = await self._principal()
        if not knowledge.can_edit(principal):
            return rx.redirect(routes.DASHBOARD)
        try:
            result = await self._read(knowledge.list_for_staff, principal, status=self.status_filter, page=self.page,
                                      cursor=self._cursor)
            report = await self._read(knowledge.report, principal)
            cats = await self._read(knowledge.categories)
        except PortalError as err:
            self._lose_page()
            return rx.toast.error(err.message)
        self._show_page(result)
        self.rows = [{"id": str(r.id), "title": r.title, "slug": r.slug, "status": r.status,
                      "visibility": knowledge.VISIBILITY_WORDS.get(r.visibility, r.visibility),
                      "category": r.category or "No category", "updated": format_datetime(r.updated_at),
                      "views": str(r.views), "edit": routes.article_editor_path(r.id),
                      "href": routes.help_path(r.slug)} for r in result.rows]
        self.categories = [{"id": str(c.id), "name": c.name} for c in cats]
        self.most_viewed = [{"title": t, "href": routes.help_path(s), "n": str(n)} for t, s, n in report.most_viewed]
        self.most_unhelpful = [{"title": t, "href": routes.help_path(s), "n": str(n)}
                               for t, s, n in report.most_unhelpful]
        self.missed = [{"query": q, "n": str(n)} for q, n in report.missed]
        self.deflections = report.deflections
        self.deflecting = [{"title": t, "href": routes.help_path(s), "n": str(n)} for t, s, n in report.deflecting]
        self.loaded = True
        await self._watch(live.staff_key("knowledge"))
        return None

    @rx.event
    async def load(self):
        self.page, self.loaded, self.status_filter, self.category_errors = 1, False, "", {}
        self._lose_page()
        return await self._fetch()

    async def _live(self, keys: list[str]) -> None:
        await self._fetch()

    @rx.event
    async def filter_status(self, status: str):
        self.status_filter = status if status in knowledge.STATUSES else ""
        self.page = 1
        self._lose_page()
        return await self._fetch()

    async def _article_action(self, principal: Principal, fn, article_id: str, done: str):  # noqa: ANN001
        try:
            article = await self._act(fn, principal, event_id(article_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._fetch()
        title = article.title if hasattr(article, "title") else ""
        return rx.toast.success(f"\u201c{title}\u201d {done}." if title else f"Article {done}.")

    @rx.event
    @signed_in()
    async def publish(self, principal: Principal, article_id: str):
        return await self._article_action(principal, knowledge.publish, article_id, "published")

    @rx.event
    @signed_in()
    async def unpublish(self, principal: Principal, article_id: str):
        return await self._article_action(principal, knowledge.unpublish, article_id, "is a draft again")

    @rx.event
    @signed_in()
    async def remove(self, principal: Principal, article_id: str):
        try:
            outcome = await self._act(knowledge.remove, principal, event_id(article_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._fetch()
        return rx.toast.success(f"Article {outcome}.")

    @rx.event
    @busy("add_article_category")
    @signed_in()
    async def add_category(self, principal: Principal, form: dict):
        self.category_errors = {}
        try:
            category = await self._act(knowledge.create_category, principal, name=form_values(form).get("name"))
        except PortalError as err:
            _, self.category_errors = field_errors(err)
            if not self.category_errors:
                return rx.toast.error(err.message)
            return None
        self.category_key += 1
        await self._fetch()
        return rx.toast.success(f"Category \u201c{category.name}\u201d added.")

    @rx.event
    @signed_in()
    async def delete_category(self, principal: Principal, category_id: str):
        try:
            name = await self._act(knowledge.delete_category, principal, event_id(category_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._fetch()
        return rx.toast.success(f"Category \u201c{name}\u201d deleted; its articles are in no category now.")


class ArticleEditorState(SessionState):
    """`/staff/knowledge/article` (`?id=` to edit one): the form, a live
    preview of the Markdown, and the organisations chosen to see it."""

    editing: str = ""  # the article's id; "" for a new one
    loaded: bool = False
    title: str = ""  # what the form starts with
    body: str = ""
    category: str = ""
    visibility: str = "public"
    status: str = "draft"
    slug: str = ""
    preview_html: str = ""
    categories: list[dict[str, str]] = []
    chosen: list[dict[str, str]] = []  # organisations chosen: {"id", "name"}
    org_query: str = ""
    org_matches: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0
    _offered: dict[str, str] = {}  # organisation ids this editor was shown (id -> name)

    @rx.event
    async def load(self):
        self.errors, self.error, self.loaded, self.org_query, self.org_matches = {}, "", False, "", []
        principal = await self._principal()
        if not knowledge.can_edit(principal):
            return rx.redirect(routes.DASHBOARD)
        cats = await self._read(knowledge.categories)
        self.categories = [{"id": str(c.id), "name": c.name} for c in cats]
        wanted = event_id(self._query("id"))
        self.editing, self.title, self.body, self.category, self.visibility = "", "", "", "", "public"
        self.status, self.slug, self.preview_html, self.chosen, self._offered = "draft", "", "", [], {}
        if wanted is not None:
            try:
                view = await self._read(knowledge.read, principal, wanted)
                names = await self._read(knowledge.organisation_names, principal, view.org_ids)
            except PortalError as err:
                self.loaded = True
                return rx.toast.error(err.message)
            article = view.article
            self.editing, self.title, self.body = str(article.id), article.title, article.body
            self.category = str(article.category_id or "")
            self.visibility, self.status, self.slug = article.visibility, article.status, article.slug
            self.preview_html = view.html
            self.chosen = [{"id": str(i), "name": n} for i, n in names]
            self._offered = {str(i): n for i, n in names}
        self.form_key += 1
        self.loaded = True
        return None

    @rx.event
    def preview(self, text: str):
        """The Markdown as readers will see it (rendered safely, nothing stored)."""
        self.preview_html = render(text) if isinstance(text, str) and len(text) <= knowledge.BODY_MAX else ""

    @rx.event
    def set_visibility(self, value: str):
        self.visibility = value if value in knowledge.VISIBILITIES else "public"

    @rx.event
    @signed_in()
    async def find_organisations(self, principal: Principal, query: str):
        self.org_query = query[:80] if isinstance(query, str) else ""
        try:
            found = await self._read(knowledge.find_organisations, principal, self.org_query)
        except PortalError as err:
            return rx.toast.error(err.message)
        chosen = {c["id"] for c in self.chosen}
        self._offered.update({str(i): n for i, n in found})
        self.org_matches = [{"id": str(i), "name": n} for i, n in found if str(i) not in chosen]
        return None

    @rx.event
    def choose_organisation(self, org_id: str):
        """Only an organisation this editor was offered can be chosen."""
        if isinstance(org_id, str) and org_id in self._offered and all(c["id"] != org_id for c in self.chosen):
            self.chosen = [*self.chosen, {"id": org_id, "name": self._offered[org_id]}]
            self.org_matches = [m for m in self.org_matches if m["id"] != org_id]

    @rx.event
    def drop_organisation(self, org_id: str):
        self.chosen = [c for c in self.chosen if c["id"] != org_id]

    @rx.event
    @busy("save_article")
    @signed_in()
    async def save(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        fields = dict(title=data.get("title"), body=data.get("body"), category=data.get("category"),
                      visibility=self.visibility, organisations=[int(c["id"]) for c in self.chosen])
        try:
            if self.editing:
                article = await self._act(knowledge.update, principal, event_id(self.editing), **fields)
            else:
                article = await self._act(knowledge.create, principal, **fields)
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            if isinstance(data.get("body"), str):
                self.preview_html = render(data["body"][:knowledge.BODY_MAX])
            return None
        was_new = not self.editing
        self.editing, self.status, self.slug = str(article.id), article.status, article.slug
        self.title, self.body = article.title, article.body
        self.category = str(article.category_id or "")
        words = "saved as a draft" if article.status == "draft" else "saved"
        if was_new:
            return [rx.redirect(routes.article_editor_path(article.id)),
                    rx.toast.success(f"\u201c{article.title}\u201d {words}.")]
        return rx.toast.success(f"\u201c{article.title}\u201d {words}.")

    async def _publishing(self, principal: Principal, fn, done: str):  # noqa: ANN001
        if not self.editing:
            return rx.toast.error("Save the article first.")
        try:
            article = await self._act(fn, principal, event_id(self.editing))
        except PortalError as err:
            return rx.toast.error(err.message)
        self.status = article.status
        return rx.toast.success(f"\u201c{article.title}\u201d {done}.")

    @rx.event
    @busy("publish_article")
    @signed_in()
    async def publish(self, principal: Principal):
        return await self._publishing(principal, knowledge.publish, "published: it is in the help centre now")

    @rx.event
    @busy("publish_article")
    @signed_in()
    async def unpublish(self, principal: Principal):
        return await self._publishing(principal, knowledge.unpublish, "is a draft again")


class HomeState(SessionState):
    """`/` for a visitor: once the help centre has public articles, `/` is
    the help centre (a visitor most often comes with a question, and the
    sign-in is one click away in the nav and on the help centre); until then
    it is the sign-in form. A visitor sent to `/` with something to say
    (`?next=`, `?error=`, `?signed_out=`) gets the sign-in form, which says it."""

    show_sign_in: bool = False  # decided: no help centre, or a message for the form

    @rx.event
    async def load(self):
        if await self._principal() is not None:
            return None  # SignInState.load sends them on
        if not any(self._query(key) for key in ("next", "error", "signed_out")) \
                and await self._read(knowledge.has_public_articles):
            return rx.redirect(routes.HELP, replace=True)
        self.show_sign_in = True
        return None
