"""What every paged list page keeps, the same way: which page is shown, how
many there are, the words the pager shows, and the shown page's cursor
(server-side only) so Previous/Next seek from it (services/paging.py)."""

from __future__ import annotations

import reflex as rx

from portal_app.services.formatting import page_position
from portal_app.services.paging import Cursor, Page


class PagerMixin(rx.State, mixin=True):
    """Mixed into a list page's state, which defines `_fetch` (read the page
    `self.page`, with `self._cursor`, then `_show_page`)."""

    page: int = 1
    pages: int = 1  # beyond the count's cap: this page, plus one if there is a next
    total: int = 0
    position: str = ""  # "Page 1 of 3 · 120 in all" or "Page 3 · more than 10,000 in all", in the instance locale
    _cursor: Cursor | None = None

    async def _fetch(self):  # noqa: ANN202
        raise NotImplementedError

    def _show_page(self, result: Page) -> None:
        self._cursor = result.cursor
        self.page, self.pages, self.total = result.page, result.pages, result.total
        self.position = page_position(result.page, result.pages, result.total, capped=result.capped)

    def _lose_page(self) -> None:
        """After a refusal: the next read starts from a page number."""
        self._cursor = None

    @rx.event
    async def go_to(self, page: int):
        self.page = page if type(page) is int else 1  # noqa: E721 — True is an int too
        return await self._fetch()
