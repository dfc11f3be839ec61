"""Quotes in the page: the organisation's list, one quote's page (terms
first; the customer's accept, decline and ask-for-changes forms; the
staff's send and revise), the staff's list and the staff's editor.

Every handler resolves the person and calls a service that authorises: a
quote is found by its id (from the page's path) through `access_quote`;
the version accepted is the one this page shows (never a payload's); the
client's address is the connection's; nothing a payload says about
organisations, prices, totals or statuses is taken from it."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services import live, quote_lists, quotes
from portal_app.services.errors import NotFound, PortalError
from portal_app.services.principal import Principal
from portal_app.state.customer_pages import CustomerPageMixin
from portal_app.state.forms import event_id, form_values
from portal_app.state.org_finder import OrgFinderMixin
from portal_app.state.line_editor import LineEditorMixin
from portal_app.state.paging import PagerMixin
from portal_app.state.staff_lists import StaffListMixin
from portal_app.state.session import SessionState, busy, field_errors, signed_in

STATUS_COLOURS = {"draft": "gray", "sent": "blue", "changes_requested": "amber", "accepted": "green",
                  "declined": "red", "expired": "gray"}


def _row(row: quote_lists.QuoteRow) -> dict[str, str]:
    return {"id": str(row.id), "label": row.label, "org": row.org_name, "title": row.title,
            "status": row.status_word, "colour": STATUS_COLOURS.get(row.status, "gray"), "total": row.total,
            "valid_until": row.valid_until,
            "href": routes.quote_editor_path(row.id) if row.status == "draft" else routes.quote_path(row.id)}


# ---------------------------------------------------------------- the organisation's list

class QuotesState(CustomerPageMixin, PagerMixin, SessionState):
    """The current organisation's quotes."""

    rows: list[dict[str, str]] = []

    async def _fetch(self):
        principal, answer = await self._customer(routes.STAFF_QUOTES)
        if principal is None:
            return answer
        org_id = principal.current.org_id
        try:
            result = await self._read(quote_lists.list_for_org, principal, org_id, page=self.page, cursor=self._cursor)
        except PortalError as err:
            self._lose_page()
            self.rows, self.refused, self.loaded = [], err.message, True
            return None
        self._show_page(result)
        self.rows = [_row(row) for row in result.rows]
        self.loaded = True
        await self._watch(live.org_key(org_id, "quotes"))
        return None

    @rx.event
    async def load(self):
        self.loaded, self.rows, self.page = False, [], 1
        self._lose_page()
        return await self._fetch()

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        await self._fetch()


# ---------------------------------------------------------------- one quote

class QuoteState(SessionState):
    """One quote: what it offers, its history, and the answers."""

    found: bool = False
    loaded: bool = False
    quote: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    versions: list[dict[str, str]] = []
    may_answer: bool = False
    may_manage: bool = False
    revised: bool = False  # a new version arrived while the page was open
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0
    _quote_id: int = 0
    _version: int = 0
    _org_id: int = 0

    def _wanted(self) -> int | None:
        return event_id(self.router.page.params.get("quote_id", ""))

    async def _reload(self, principal: Principal | None) -> None:
        try:
            if principal is None:
                raise NotFound(quotes.NOT_FOUND)
            view = await self._read(quote_lists.quote_view, principal, self._wanted())
        except PortalError:
            self.found, self.loaded, self.quote, self.lines, self.versions = False, True, {}, [], []
            return
        if self._version and self._quote_id == view.id and view.version != self._version:
            self.revised = True
        self.found, self.loaded, self._quote_id, self._version = True, True, view.id, view.version
        self._org_id = view.org_id
        self.may_answer, self.may_manage = view.may_answer, view.may_manage
        self.quote = {
            "id": str(view.id), "label": view.label, "title": view.title, "org": view.org_name,
            "status": view.status_word, "status_key": view.status, "colour": STATUS_COLOURS.get(view.status, "gray"),
            "version": str(view.version), "terms": view.terms, "valid_until": view.valid_until,
            "subtotal": view.subtotal, "tax": view.tax, "total": view.total, "hash": view.content_hash,
            "accepted_name": view.accepted_name, "accepted_at": view.accepted_at, "accepted_ip": view.accepted_ip,
            "accepted_hash": view.accepted_hash, "accepted_version": str(view.accepted_version or ""),
            "decline_reason": view.decline_reason, "decline_comment": view.decline_comment,
            "invoice": routes.invoice_path(view.invoice_id) if view.invoice_id else "",
            "order": routes.order_path(view.order_id) if view.order_id else "",
            "pdf": routes.quote_pdf_path(view.id) if view.label.startswith("QUO-") else "",
            "editor": routes.quote_editor_path(view.id),
        }
        self.lines = [{"description": line.description, "quantity": line.quantity, "unit_price": line.unit_price,
                       "tax_rate": line.tax_rate, "discount": line.discount, "net": line.net,
                       "recurring": line.recurring} for line in view.lines]
        self.versions = [{"number": str(v.number), "sent": v.sent, "valid_until": v.valid_until, "total": v.total,
                          "change_request": v.change_request, "current": "yes" if v.current else ""}
                         for v in view.versions]

    @rx.event
    async def load(self):
        self.errors, self.error, self.loaded, self.revised, self._version = {}, "", False, False, 0
        principal = await self._principal()
        await self._reload(principal)
        if principal is not None and self.found:
            await self._watch(live.staff_key("quotes") if principal.is_staff else live.org_key(self._org_id, "quotes"))
            if self.may_answer:
                from portal_app.components.quotes import SIGNATURE_JS  # the pad's pointer events

                return rx.call_script(SIGNATURE_JS)
        return None

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        await self._reload(await self._principal())

    async def _answer(self, principal: Principal, fn, done: str, **kwargs):  # noqa: ANN001, ANN202
        self.errors, self.error = {}, ""
        try:
            await self._act(fn, principal, self._quote_id or None, **kwargs)
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            await self._reload(principal)
            return None
        self.form_key += 1
        self.revised = False
        await self._reload(principal)
        return rx.toast.success(done)

    @rx.event
    @busy("accept_quote")
    @signed_in(in_org=True)
    async def accept(self, principal: Principal, form: dict):
        data = form_values(form)
        return await self._answer(principal, quotes.do_accept, "Quote accepted: thank you. Your invoice is ready.",
                                  version=self._version, full_name=data.get("full_name"),
                                  agree=data.get("agree") in ("on", True), signature=data.get("signature") or None,
                                  ip=self._client_ip())

    @rx.event
    @busy("decline_quote")
    @signed_in(in_org=True)
    async def decline(self, principal: Principal, form: dict):
        data = form_values(form)
        return await self._answer(principal, quotes.do_decline, "Quote declined. Thank you for telling us why.",
                                  reason=data.get("reason"), comment=data.get("comment", ""))

    @rx.event
    @busy("request_changes")
    @signed_in(in_org=True)
    async def request_changes(self, principal: Principal, form: dict):
        data = form_values(form)
        return await self._answer(principal, quotes.do_request_changes,
                                  "Your request was sent: we will send you a revised quote.",
                                  comment=data.get("changes"))


# ---------------------------------------------------------------- the staff's list

class StaffQuotesState(StaffListMixin, PagerMixin, SessionState):
    """Every organisation's quotes, newest first."""

    def _list_all(self):  # noqa: ANN202
        return quote_lists.list_all

    def _show_row(self, row: quote_lists.QuoteRow) -> dict[str, str]:
        return _row(row)

    def _managers(self) -> tuple[str, ...]:
        return quotes.MANAGERS

    def _topic(self) -> str:
        return "quotes"


# ---------------------------------------------------------------- the staff's editor


def _lines_from(data: dict, rows: int) -> list[dict[str, object]]:
    return [{name: data.get(f"line-{i}-{name}", "") for name in quotes.LINE_FIELDS} for i in range(1, rows + 1)]


class QuoteEditorState(LineEditorMixin, OrgFinderMixin, SessionState):
    """Writing a draft (then sending it), or revising a sent quote (a new version)."""

    quote_id: str = ""  # "" while writing a new one
    label: str = ""
    status: str = ""  # draft / sent / changes_requested
    org_name: str = ""
    org_choice: str = ""
    title: str = ""
    terms: str = ""
    valid_until: str = ""
    products: list[list[str]] = []  # [id, name]

    async def _show(self, principal: Principal, quote_id: int | None) -> None:
        self.products = [list(p) for p in await self._read(quote_lists.products_for, principal)]
        if quote_id is None:
            await self._list_orgs(principal)
            wanted = self._query("org")
            self.org_choice = wanted if any(o[0] == wanted for o in self.orgs) else ""
            self.quote_id, self.label, self.status, self.org_name = "", "", "", ""
            self.title, self.terms, self.valid_until = "", "", ""
            self.lines = self._new_rows()
        else:
            view = await self._read(quote_lists.draft_view, principal, quote_id)
            self.quote_id, self.label, self.status, self.org_name = str(view.id), view.label, view.status, view.org_name
            self.title, self.terms, self.valid_until = view.title, view.terms, view.valid_until
            self.lines = [*view.lines, self._blank_row()]
        self.form_key += 1

    def _check_manage(self, principal: Principal) -> None:
        quotes.check_manage(principal)

    def _blank_row(self) -> dict[str, str]:
        return {"product_id": "", "description": "", "quantity": "1", "unit_price": "", "tax_rate": "",
                "discount": ""}

    @rx.event
    @busy("save_quote")
    @signed_in()
    async def save(self, principal: Principal, form: dict):
        """Save the draft (or create it); for a sent quote, send the revision as a new version."""
        data = form_values(form)
        fields = {"title": data.get("title", ""), "lines": _lines_from(data, len(self.lines)),
                  "terms": data.get("terms", ""), "valid_until": data.get("valid_until", "")}
        self.errors, self.error = {}, ""
        try:
            if not self.quote_id:
                quote = await self._act(quotes.do_create_draft, principal, event_id(data.get("org", "")), **fields)
            elif self.status == "draft":
                quote = await self._act(quotes.do_update_draft, principal, event_id(self.quote_id), **fields)
            else:
                quote = await self._act(quotes.do_revise, principal, event_id(self.quote_id), **fields)
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            if err.field == "lines" or (err.field or "").startswith("org"):
                self.error, self.errors = err.message, {}
            return None
        if self.status in ("sent", "changes_requested"):
            return [rx.redirect(routes.quote_path(quote.id)),
                    rx.toast.success(f"Version {quote.version} of {quotes.label(quote)} sent.")]
        if not self.quote_id:
            return [rx.redirect(routes.quote_editor_path(quote.id)), rx.toast.success("Draft saved.")]
        await self._show(principal, quote.id)
        return rx.toast.success("Draft saved.")

    @rx.event
    @busy("send_quote")
    @signed_in()
    async def send(self, principal: Principal):
        """Send the saved draft (what is saved is what is sent)."""
        try:
            quote = await self._act(quotes.do_send, principal, event_id(self.quote_id))
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        return [rx.redirect(routes.quote_path(quote.id)), rx.toast.success(f"{quote.number} sent.")]

    @rx.event
    @signed_in()
    async def delete(self, principal: Principal):
        """Delete the saved draft (behind a confirmation in the page)."""
        try:
            await self._act(quotes.do_delete_draft, principal, event_id(self.quote_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        return [rx.redirect(routes.STAFF_QUOTES), rx.toast.success("Draft deleted.")]
