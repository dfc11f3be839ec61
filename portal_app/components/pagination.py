"""Previous / next paging under a list, announcing where the person is."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var


def pager(page: Var, pages: Var, total: Var, go_to) -> rx.Component:
    """`go_to` is the state's event handler taking a page number."""
    return rx.hstack(
        rx.button("Previous", size="1", variant="soft", disabled=page <= 1, on_click=go_to(page - 1)),
        rx.text("Page ", page.to_string(), " of ", pages.to_string(), " · ", total.to_string(), " in all",
                size="2", aria_live="polite"),
        rx.button("Next", size="1", variant="soft", disabled=page >= pages, on_click=go_to(page + 1)),
        spacing="3", align="center", wrap="wrap",
    )
