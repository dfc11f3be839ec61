"""Previous / next paging under a list, announcing where the person is."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var


def pager(page: Var, pages: Var, position: Var, go_to) -> rx.Component:
    """`go_to` is the state's event handler taking a page number; `position`
    is the state's `formatting.page_position` text. Beyond the count's cap
    `pages` is this page plus one when there is a next page, so Next is
    enabled exactly when there is one."""
    return rx.hstack(
        rx.button("Previous", size="1", variant="soft", disabled=page <= 1, on_click=go_to(page - 1)),
        rx.text(position, size="2", aria_live="polite"),
        rx.button("Next", size="1", variant="soft", disabled=page >= pages, on_click=go_to(page + 1)),
        spacing="3", align="center", wrap="wrap",
    )
