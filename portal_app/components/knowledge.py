"""The knowledge base: the public help centre (search, categories, the
articles), one article (its text, "Was this helpful?", related ones), and
the staff's list (with the report and categories) and editor (with a live
preview). Search matches arrive as text segments and are shown as text, the
matching words inside <mark>: nothing a person typed becomes markup."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import (
    LABEL_STYLE, SELECT_STYLE, TEXTAREA_STYLE, confirm_dialog, field_message, form_error, link_button, submit_button,
    text_field,
)
from portal_app.components.pagination import pager
from portal_app.services import knowledge
from portal_app.state.knowledge import (
    ArticleEditorState, ArticleState, HelpCentreState, KnowledgeState,
)
from portal_app.state.session import SessionState

MUTED = dict(color_scheme="gray", high_contrast=True)
ARTICLE_CSS = """
.article-body { line-height: 1.6; overflow-wrap: anywhere; }
.article-body p, .article-body ul, .article-body ol, .article-body pre, .article-body blockquote,
.article-body table { margin: 0 0 0.75em; }
.article-body ul { list-style: disc; padding-left: 1.5em; }
.article-body ol { list-style: decimal; padding-left: 1.5em; }
.article-body h1, .article-body h2, .article-body h3, .article-body h4 { margin: 1em 0 0.5em; font-weight: 600; }
.article-body blockquote { border-left: 3px solid var(--gray-a6); padding-left: 0.75em; color: var(--gray-11); }
.article-body pre { overflow-x: auto; padding: 0.75em; background: var(--gray-a3); border-radius: 6px; }
.article-body table { border-collapse: collapse; display: block; overflow-x: auto; }
.article-body th, .article-body td { border: 1px solid var(--gray-a6); padding: 0.25em 0.5em; }
.article-body a { color: var(--accent-11); text-decoration: underline; }
.help-list { padding: 0; margin: 0; width: 100%; }
.help-list > li { list-style: none; padding: 0.75em 0; border-bottom: 1px solid var(--gray-a4); }
mark { background: var(--amber-a5); color: inherit; padding: 0 0.1em; border-radius: 2px; }
"""
STATUS_COLOURS = {"draft": "gray", "published": "green", "archived": "orange"}


def _segments(parts) -> rx.Component:  # noqa: ANN001 — a Var of [{"text", "mark"}]
    return rx.foreach(parts.to(list[dict[str, str]]),
                      lambda p: rx.cond(p["mark"] != "", rx.el.mark(p["text"]), rx.el.span(p["text"])))


def _search_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label("Search the help centre", html_for="help-search", style=LABEL_STYLE),
            rx.flex(
                rx.input(id="help-search", name="q", type="search", default_value=HelpCentreState.query,
                         placeholder="e.g. pay an invoice", max_length=knowledge.QUERY_MAX, size="3",
                         flex="1", min_width="0", key=HelpCentreState.query),
                rx.button("Search", type="submit", size="3"),
                spacing="2", width="100%",
            ),
            spacing="1", width="100%",
        ),
        role="search", on_submit=HelpCentreState.search, width="100%",
    )


def _category_nav() -> rx.Component:
    def item(cat) -> rx.Component:  # noqa: ANN001
        return rx.button(cat["name"], " (", cat["count"], ")", size="2",
                         variant=rx.cond((HelpCentreState.category == cat["slug"]) & (HelpCentreState.query == ""),
                                         "solid", "soft"),
                         on_click=HelpCentreState.browse(cat["slug"]))
    return rx.cond(
        HelpCentreState.categories.length() > 0,
        rx.el.nav(
            rx.flex(
                rx.button("All articles", size="2",
                          variant=rx.cond((HelpCentreState.category == "") & (HelpCentreState.query == ""),
                                          "solid", "soft"),
                          on_click=HelpCentreState.browse("")),
                rx.foreach(HelpCentreState.categories, item),
                spacing="2", wrap="wrap",
            ),
            aria_label="Help categories",
        ),
    )


def _hit(hit) -> rx.Component:  # noqa: ANN001
    return rx.el.li(
        rx.vstack(
            rx.link(_segments(hit["title"]), href=hit["href"].to(str), weight="medium", size="4"),
            rx.text(_segments(hit["excerpt"]), size="2", **MUTED, style={"overflow-wrap": "anywhere"}),
            rx.cond(hit["category"].to(str) != "", rx.text(hit["category"].to(str), size="1", **MUTED)),
            spacing="1",
        ),
    )


def _row(row) -> rx.Component:  # noqa: ANN001
    return rx.el.li(
        rx.vstack(
            rx.link(row["title"], href=row["href"], weight="medium", size="4"),
            rx.text(row["excerpt"], size="2", **MUTED, style={"overflow-wrap": "anywhere"}),
            spacing="1",
        ),
    )


def _results() -> rx.Component:
    searching = HelpCentreState.query != ""
    return rx.cond(
        searching,
        rx.vstack(
            rx.heading("Results for \u201c", HelpCentreState.query, "\u201d", size="5", as_="h2"),
            rx.cond(HelpCentreState.corrected != "",
                    rx.text("No exact match: showing results for \u201c", rx.el.strong(HelpCentreState.corrected),
                            "\u201d.", size="2")),
            rx.cond(
                HelpCentreState.hits.length() > 0,
                rx.el.ul(rx.foreach(HelpCentreState.hits, _hit), class_name="help-list", aria_label="Search results"),
                rx.text("No article matches your search. Try other words, or browse the categories."),
            ),
            spacing="3", width="100%",
        ),
        rx.vstack(
            rx.heading(rx.cond(HelpCentreState.category_name != "", HelpCentreState.category_name, "All articles"),
                       size="5", as_="h2"),
            rx.cond(
                HelpCentreState.rows.length() > 0,
                rx.el.ul(rx.foreach(HelpCentreState.rows, _row), class_name="help-list", aria_label="Articles"),
                rx.text("No articles here yet.", **MUTED),
            ),
            spacing="3", width="100%",
        ),
    )


def _visitor_prompt() -> rx.Component:
    """A visitor's `/` is the help centre: the way to sign in stays in sight."""
    return rx.cond(
        SessionState.session_resolved & ~SessionState.signed_in,
        rx.callout.root(
            rx.callout.icon(rx.icon("log-in")),
            rx.callout.text(
                "Already a customer? ", rx.link("Sign in", href=routes.SIGN_IN, weight="medium", underline="always"),
                " to raise and follow your support requests. New here? ",
                rx.link("Create an account", href=routes.REGISTER, weight="medium", underline="always"), ".",
            ),
            size="1", variant="surface", width="100%",
        ),
    )


def _ask_the_team() -> rx.Component:
    """Under every list of answers: the way to a person when none of them helps."""
    return rx.cond(
        SessionState.signed_in,
        rx.cond(SessionState.staff_role == "",
                rx.text("Didn\u2019t find your answer? ", rx.link("Raise a support request", href=routes.NEW_TICKET, underline="always"),
                        size="2")),
        rx.text("Didn\u2019t find your answer? ", rx.link("Sign in to ask our team", href=routes.SIGN_IN, underline="always"), size="2"),
    )


def help_centre_page() -> rx.Component:
    return rx.vstack(
        rx.el.style(ARTICLE_CSS),
        rx.heading("Help centre", size="7", as_="h1"),
        rx.text("Answers to common questions: search, or browse by category.", size="2", **MUTED),
        _visitor_prompt(),
        _search_form(),
        _category_nav(),
        rx.cond(HelpCentreState.loaded,
                rx.vstack(
                    _results(),
                    rx.cond(HelpCentreState.pages > 1,
                            pager(HelpCentreState.page, HelpCentreState.pages, HelpCentreState.position,
                                  HelpCentreState.go_to)),
                    _ask_the_team(),
                    spacing="3", width="100%"),
                rx.skeleton(rx.box(height="6em", width="100%"))),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- one article

def _feedback() -> rx.Component:
    given = ArticleState.vote_given
    return rx.card(
        rx.vstack(
            rx.heading("Was this helpful?", size="4", as_="h2", id="helpful-heading"),
            rx.hstack(
                rx.button("Yes", size="2", variant=rx.cond(given == "yes", "solid", "soft"),
                          aria_pressed=rx.cond(given == "yes", "true", "false"), on_click=ArticleState.vote("yes")),
                rx.button("No", size="2", variant=rx.cond(given == "no", "solid", "soft"),
                          aria_pressed=rx.cond(given == "no", "true", "false"), on_click=ArticleState.vote("no")),
                spacing="2", role="group", aria_labelledby="helpful-heading",
            ),
            rx.cond(
                given != "",
                rx.cond(
                    ArticleState.comment_sent,
                    rx.text("Thank you: your comment reached the team.", role="status"),
                    rx.form(
                        rx.vstack(
                            rx.el.label("Anything to add? (optional)", html_for="helpful-comment", style=LABEL_STYLE),
                            rx.text_area(id="helpful-comment", name="comment", rows="3",
                                         max_length=knowledge.COMMENT_MAX, size="2",
                                         aria_describedby="helpful-comment-help",
                                         aria_invalid=rx.cond(ArticleState.errors["comment"].to(str), "true", "false"),
                                         style={**TEXTAREA_STYLE, "min-height": "5em"}),
                            field_message(ArticleState.errors, "comment", "helpful-comment",
                                          f"What was missing or unclear; at most {knowledge.COMMENT_MAX:,} characters"),
                            rx.box(submit_button("Send comment", "article_comment"), width="min(12em, 100%)"),
                            spacing="2", width="100%",
                        ),
                        on_submit=ArticleState.comment, aria_label="Comment on the article", width="100%",
                    ),
                ),
            ),
            spacing="3", width="100%",
        ),
        width="100%",
    )


def _related() -> rx.Component:
    return rx.cond(
        ArticleState.related.length() > 0,
        rx.vstack(
            rx.heading("Related articles", size="4", as_="h2"),
            rx.el.ul(rx.foreach(ArticleState.related,
                                lambda r: rx.el.li(rx.link(r["title"], href=r["href"]))),
                     class_name="help-list", aria_label="Related articles"),
            spacing="2", width="100%",
        ),
    )


def article_page() -> rx.Component:
    return rx.vstack(
        rx.el.style(ARTICLE_CSS),
        rx.el.nav(rx.hstack(rx.link("Help centre", href=routes.HELP),
                            rx.cond(ArticleState.category != "",
                                    rx.fragment(rx.text("/", aria_hidden="true", **MUTED),
                                                rx.link(ArticleState.category,
                                                        href=routes.HELP + "?category=" + ArticleState.category_slug))),
                            spacing="2", wrap="wrap"),
               aria_label="Breadcrumb"),
        rx.cond(
            ArticleState.loaded,
            rx.cond(
                ArticleState.found,
                rx.vstack(
                    rx.heading(ArticleState.title, size="7", as_="h1", style={"overflow-wrap": "anywhere"}),
                    rx.flex(
                        rx.text("Updated ", ArticleState.updated, " \u00b7 ", ArticleState.views,
                                rx.cond(ArticleState.views == 1, " view", " views"), size="2", **MUTED),
                        rx.cond(ArticleState.status != "published",
                                rx.badge("Not published: only staff see it", color_scheme="orange", high_contrast=True)),
                        rx.cond(ArticleState.can_edit,
                                rx.link("Edit", href=routes.STAFF_ARTICLE + "?id=" + ArticleState.article_id)),
                        spacing="3", wrap="wrap", align="center",
                    ),
                    rx.box(rx.html(ArticleState.html), class_name="article-body", width="100%"),
                    _feedback(),
                    _related(),
                    spacing="4", width="100%",
                ),
                rx.vstack(
                    rx.heading("Article not found", size="7", as_="h1"),
                    rx.text("It may have moved, or you may need to sign in to read it."),
                    rx.link("Back to the help centre", href=routes.HELP),
                    spacing="3",
                ),
            ),
            rx.skeleton(rx.box(height="12em", width="100%")),
        ),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- the staff's list

def _staff_row(row) -> rx.Component:  # noqa: ANN001
    published = row["status"] == "published"
    return rx.el.li(
        rx.flex(
            rx.vstack(
                rx.link(row["title"], href=row["edit"], weight="medium", style={"overflow-wrap": "anywhere"}),
                rx.flex(
                    rx.badge(row["status"], color_scheme=rx.match(row["status"], ("published", "green"),
                                                                  ("archived", "orange"), "gray"), high_contrast=True),
                    rx.text(row["visibility"], " \u00b7 ", row["category"], " \u00b7 ", row["views"], " views \u00b7 ",
                            "updated ", row["updated"], size="1", **MUTED),
                    spacing="2", wrap="wrap", align="center",
                ),
                spacing="1", min_width="0", flex="1",
            ),
            rx.hstack(
                rx.cond(published,
                        rx.button("Unpublish", size="1", variant="soft", aria_label="Unpublish " + row["title"],
                                  on_click=KnowledgeState.unpublish(row["id"])),
                        rx.button("Publish", size="1", variant="soft", aria_label="Publish " + row["title"],
                                  on_click=KnowledgeState.publish(row["id"]))),
                rx.cond(row["status"] != "archived", confirm_dialog(
                    rx.button("Remove", size="1", variant="soft", color_scheme="red",
                              aria_label="Remove " + row["title"]),
                    title="Remove this article?",
                    description=rx.text("\u201c", row["title"], "\u201d leaves the help centre. One that was "
                                        "published, read or voted on is archived; an unused draft is deleted."),
                    action_label="Remove",
                    on_confirm=KnowledgeState.remove(row["id"]),
                )),
                spacing="2", wrap="wrap",
            ),
            spacing="3", width="100%", align="start", wrap="wrap",
        ),
    )


def _categories_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Categories", size="4", as_="h2"),
            rx.cond(KnowledgeState.categories.length() > 0,
                    rx.el.ul(rx.foreach(KnowledgeState.categories, lambda c: rx.el.li(rx.flex(
                        rx.text(c["name"], style={"overflow-wrap": "anywhere"}, flex="1", min_width="0"),
                        confirm_dialog(
                            rx.button("Delete", size="1", variant="soft", color_scheme="red",
                                      aria_label="Delete category " + c["name"]),
                            title="Delete this category?",
                            description=rx.text("Its articles stay, in no category."),
                            action_label="Delete", on_confirm=KnowledgeState.delete_category(c["id"])),
                        spacing="2", align="center"))), class_name="help-list", aria_label="Categories"),
                    rx.text("No categories yet.", **MUTED)),
            rx.form(
                rx.vstack(
                    text_field("New category", "name", KnowledgeState.category_errors, field_id="category-name",
                               max_length=knowledge.CATEGORY_MAX),
                    rx.box(submit_button("Add category", "add_article_category"), width="min(12em, 100%)"),
                    spacing="2", width="100%",
                ),
                on_submit=KnowledgeState.add_category, key=KnowledgeState.category_key, aria_label="Add a category",
                width="100%",
            ),
            spacing="3", width="100%",
        ),
        width="100%",
    )


def _report_list(title: str, rows, empty: str, text) -> rx.Component:  # noqa: ANN001
    return rx.vstack(
        rx.heading(title, size="3", as_="h3"),
        rx.cond(rows.length() > 0, rx.el.ol(rx.foreach(rows, lambda r: rx.el.li(text(r))),
                                            style={"margin": "0", "padding-left": "1.5em"}),
                rx.text(empty, size="2", **MUTED)),
        spacing="1", width="100%",
    )


def _report_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Report", size="4", as_="h2"),
            rx.text(KnowledgeState.deflections, " requests avoided in the last 90 days: someone opened an article "
                    "suggested while writing a request, and raised none in the next 30 minutes.", size="2"),
            rx.grid(
                _report_list("Most read", KnowledgeState.most_viewed, "No views yet.",
                             lambda r: rx.fragment(rx.link(r["title"], href=r["href"]), " (", r["n"], ")")),
                _report_list("Most \u201cnot helpful\u201d", KnowledgeState.most_unhelpful, "No such votes yet.",
                             lambda r: rx.fragment(rx.link(r["title"], href=r["href"]), " (", r["n"], ")")),
                _report_list("Searches that found nothing (90 days)", KnowledgeState.missed, "None.",
                             lambda r: rx.text("\u201c", r["query"], "\u201d \u00d7 ", r["n"], as_="span")),
                _report_list("Deflections (90 days)", KnowledgeState.deflecting,
                             "None yet: a suggested article opened while writing a request, with no request "
                             "raised in the next 30 minutes.",
                             lambda r: rx.fragment(rx.link(r["title"], href=r["href"]), " (", r["n"], ")")),
                columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
            ),
            spacing="3", width="100%",
        ),
        width="100%",
    )


def staff_knowledge_page() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.heading("Knowledge base", size="7", as_="h1"),
            rx.spacer(),
            link_button("New article", routes.STAFF_ARTICLE),
            spacing="3", width="100%", wrap="wrap", align="center",
        ),
        rx.text("Articles for the help centre. Drafts are seen by staff only.", size="2", **MUTED),
        rx.vstack(
            rx.el.label("Show", html_for="article-status", style=LABEL_STYLE),
            rx.el.select(rx.el.option("All articles", value=""), rx.el.option("Drafts", value="draft"),
                         rx.el.option("Published", value="published"), rx.el.option("Archived", value="archived"),
                         id="article-status", value=KnowledgeState.status_filter,
                         on_change=KnowledgeState.filter_status, style=SELECT_STYLE),
            spacing="1",
        ),
        rx.cond(
            KnowledgeState.loaded,
            rx.cond(
                KnowledgeState.total > 0,
                rx.vstack(
                    rx.el.ul(rx.foreach(KnowledgeState.rows, _staff_row), class_name="help-list",
                             aria_label="Articles"),
                    rx.cond(KnowledgeState.pages > 1,
                            pager(KnowledgeState.page, KnowledgeState.pages, KnowledgeState.position,
                                  KnowledgeState.go_to)),
                    spacing="3", width="100%",
                ),
                rx.text("No articles yet: write the first one.", **MUTED),
            ),
            rx.skeleton(rx.box(height="6em", width="100%")),
        ),
        _report_card(),
        _categories_card(),
        rx.el.style(ARTICLE_CSS),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- the editor

def _organisations() -> rx.Component:
    return rx.vstack(
        rx.text("Organisations that see it", style=LABEL_STYLE, id="orgs-label"),
        rx.cond(ArticleEditorState.chosen.length() > 0,
                rx.flex(rx.foreach(ArticleEditorState.chosen, lambda o: rx.badge(
                    o["name"], rx.el.button(rx.icon("x", size=12), type="button",
                                            aria_label="Remove " + o["name"],
                                            on_click=ArticleEditorState.drop_organisation(o["id"]),
                                            style={"cursor": "pointer", "background": "none", "border": "none",
                                                   "padding": "0", "color": "inherit"}),
                    size="2", variant="soft", high_contrast=True)), spacing="2", wrap="wrap", aria_labelledby="orgs-label"),
                rx.text("None chosen yet.", size="2", **MUTED)),
        rx.el.label("Find an organisation", html_for="org-search", style=LABEL_STYLE),
        rx.input(id="org-search", name="org_query", type="search", placeholder="Name", size="2", width="100%",
                 on_change=ArticleEditorState.find_organisations.debounce(300)),
        rx.cond(ArticleEditorState.org_matches.length() > 0,
                rx.flex(rx.foreach(ArticleEditorState.org_matches, lambda o: rx.button(
                    "Add ", o["name"], type="button", size="1", variant="soft",
                    on_click=ArticleEditorState.choose_organisation(o["id"]))), spacing="2", wrap="wrap")),
        field_message(ArticleEditorState.errors, "organisations", "org-search"),
        spacing="2", width="100%",
    )


def _editor_form() -> rx.Component:
    body_error = ArticleEditorState.errors["body"].to(str)
    editing = ArticleEditorState.editing != ""
    return rx.form(
        rx.vstack(
            form_error(ArticleEditorState.error),
            text_field("Title", "title", ArticleEditorState.errors, field_id="article-title",
                       max_length=knowledge.TITLE_MAX, default_value=ArticleEditorState.title,
                       hint=f"At most {knowledge.TITLE_MAX} characters; the address is made from it"),
            rx.flex(
                rx.vstack(
                    rx.el.label("Category", html_for="article-category", style=LABEL_STYLE),
                    rx.el.select(rx.el.option("No category", value=""),
                                 rx.foreach(ArticleEditorState.categories,
                                            lambda c: rx.el.option(c["name"], value=c["id"])),
                                 id="article-category", name="category", default_value=ArticleEditorState.category,
                                 aria_describedby="article-category-help", style=SELECT_STYLE),
                    field_message(ArticleEditorState.errors, "category", "article-category"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.el.label("Who sees it", html_for="article-visibility", style=LABEL_STYLE),
                    rx.el.select(*[rx.el.option(words, value=value) for value, words in
                                   knowledge.VISIBILITY_WORDS.items()],
                                 id="article-visibility", name="visibility", value=ArticleEditorState.visibility,
                                 on_change=ArticleEditorState.set_visibility, style=SELECT_STYLE),
                    spacing="1",
                ),
                spacing="4", wrap="wrap",
            ),
            rx.cond(ArticleEditorState.visibility == "organisations", _organisations()),
            rx.grid(
                rx.vstack(
                    rx.el.label("Text (Markdown)", html_for="article-body", style=LABEL_STYLE),
                    rx.text_area(id="article-body", name="body", rows="16", max_length=knowledge.BODY_MAX,
                                 required=True, size="3", default_value=ArticleEditorState.body,
                                 on_change=ArticleEditorState.preview.debounce(300),
                                 aria_invalid=rx.cond(body_error, "true", "false"),
                                 aria_describedby="article-body-help", style={**TEXTAREA_STYLE, "min-height": "18em"}),
                    field_message(ArticleEditorState.errors, "body", "article-body",
                                  "Markdown: **bold**, *italic*, lists, links, tables. Raw HTML is not shown."),
                    spacing="1", width="100%", min_width="0",
                ),
                rx.vstack(
                    rx.text("Preview", style=LABEL_STYLE, id="article-preview-label"),
                    rx.box(rx.html(ArticleEditorState.preview_html), class_name="article-body",
                           aria_labelledby="article-preview-label", role="region",
                           style={"border": "1px solid var(--gray-a6)", "border-radius": "6px", "padding": "0.75em",
                                  "min-height": "10em", "width": "100%"}),
                    spacing="1", width="100%", min_width="0",
                ),
                columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
            ),
            rx.flex(
                rx.box(submit_button("Save", "save_article"), width="min(10em, 100%)"),
                rx.cond(editing, rx.cond(
                    ArticleEditorState.status == "published",
                    rx.button("Unpublish", type="button", size="3", variant="soft",
                              loading=SessionState.busy == "publish_article", on_click=ArticleEditorState.unpublish),
                    rx.button("Publish", type="button", size="3", variant="soft", color_scheme="green", high_contrast=True,
                              loading=SessionState.busy == "publish_article", on_click=ArticleEditorState.publish))),
                rx.cond(editing & (ArticleEditorState.slug != ""),
                        rx.link("View in the help centre", href="/help/" + ArticleEditorState.slug)),
                spacing="3", wrap="wrap", align="center",
            ),
            spacing="4", width="100%",
        ),
        on_submit=ArticleEditorState.save, key=ArticleEditorState.form_key, aria_label="Article", width="100%",
    )


def article_editor_page() -> rx.Component:
    return rx.vstack(
        rx.el.style(ARTICLE_CSS),
        rx.link("\u2190 Knowledge base", href=routes.STAFF_KNOWLEDGE),
        rx.flex(
            rx.heading(rx.cond(ArticleEditorState.editing != "", "Edit the article", "New article"), size="7",
                       as_="h1"),
            rx.cond(ArticleEditorState.editing != "",
                    rx.badge(ArticleEditorState.status,
                             color_scheme=rx.match(ArticleEditorState.status, ("published", "green"),
                                                   ("archived", "orange"), "gray"), high_contrast=True)),
            spacing="3", align="center", wrap="wrap",
        ),
        rx.cond(ArticleEditorState.loaded, _editor_form(), rx.skeleton(rx.box(height="12em", width="100%"))),
        spacing="4", width="100%",
    )
