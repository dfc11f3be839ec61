"""Documents: the organisation's library (folders, documents, uploads), one
document (preview, versions), and the staff's library of any organisation
with sharing into several at once."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.documents import document_page, documents_page, staff_documents_page
from portal_app.components.layout import portal_page
from portal_app.state.documents import DocumentsState, DocumentState, StaffDocumentsState


@portal_page(route=routes.DOCUMENTS, title="Documents", on_load=DocumentsState.load, private=True)
def customer_documents() -> rx.Component:
    return documents_page()


@portal_page(route=routes.DOCUMENT, title="Document", on_load=DocumentState.load, private=True)
def document() -> rx.Component:
    return document_page()


@portal_page(route=routes.STAFF_DOCUMENTS, title="Documents", on_load=StaffDocumentsState.load, private=True)
def staff_documents() -> rx.Component:
    return staff_documents_page()
