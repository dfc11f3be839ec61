"""The staff's canned replies: the list, and for admins adding, editing and deleting."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.canned_replies import canned_replies_page
from portal_app.components.layout import portal_page
from portal_app.state.canned_replies import CannedRepliesState


@portal_page(route=routes.CANNED_REPLIES, title="Canned replies", on_load=CannedRepliesState.load, private=True)
def canned_replies() -> rx.Component:
    return canned_replies_page()
