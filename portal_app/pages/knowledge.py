"""The help centre (public: `/help`, `/help/<slug>`) and the staff's
knowledge base (`/staff/knowledge`, the editor)."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.knowledge import article_editor_page, article_page, help_centre_page, staff_knowledge_page
from portal_app.components.layout import portal_page
from portal_app.state.knowledge import ArticleEditorState, ArticleState, HelpCentreState, KnowledgeState


@portal_page(route=routes.HELP, title="Help centre", on_load=HelpCentreState.load)
def help_centre() -> rx.Component:
    return help_centre_page()


@portal_page(route=routes.HELP_ARTICLE, title="Help centre", on_load=ArticleState.load)
def help_article() -> rx.Component:
    return article_page()


@portal_page(route=routes.STAFF_KNOWLEDGE, title="Knowledge base", on_load=KnowledgeState.load, private=True)
def staff_knowledge() -> rx.Component:
    return staff_knowledge_page()


@portal_page(route=routes.STAFF_ARTICLE, title="Article", on_load=ArticleEditorState.load, private=True)
def staff_article() -> rx.Component:
    return article_editor_page()
