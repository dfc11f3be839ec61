"""Invoices in the page: the organisation's billing page (balance, list,
filters), one invoice's page (for customers and staff, with the staff's
payment, refund, credit and void forms), the staff's list of every
organisation's invoices, and the staff's draft editor.

Every handler resolves the person and calls a service that authorises: the
organisation is always the person's current one, an invoice is found by
its id through `access_invoice`, amounts are typed text the services parse
in the invoice's own currency, and nothing a payload says about
organisations, currencies, statuses or totals is taken from it. Open pages
follow the change signal (`_watch`/`_live`), so a payment recorded by staff
shows on the customer's open page without a reload."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal_app import routes
from portal_app.services import invoice_lists, invoices, live, money, payments, statements
from portal_app.services.errors import NotFound, PortalError
from portal_app.services.formatting import format_date, format_money
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id, form_values
from portal_app.settings import get_settings
from portal_app.state.org_finder import OrgFinderMixin
from portal_app.state.line_editor import LineEditorMixin
from portal_app.state.paging import PagerMixin
from portal_app.state.staff_lists import StaffListMixin
from portal_app.state.customer_pages import CustomerPageMixin
from portal_app.state.session import SessionState, busy, field_errors, signed_in

STATUS_COLOURS = {"draft": "gray", "open": "blue", "partially_paid": "amber", "overdue": "red", "paid": "green",
                  "void": "gray", "issued": "violet"}


def _zero(currency: str) -> str:
    """Nothing, as the page's other amounts in this currency show it ("£0.00")."""
    return format_money(0, currency)


def _row(row: invoice_lists.InvoiceRow) -> dict[str, str]:
    return {"id": str(row.id), "label": row.label, "org": row.org_name, "status": row.status_word,
            "colour": "violet" if row.kind == "credit_note" else STATUS_COLOURS.get(row.status, "gray"),
            "issued": row.issued, "due": row.due, "total": row.total, "balance": row.balance,
            "href": routes.draft_path(row.id) if row.status == "draft" else routes.invoice_path(row.id)}


# ---------------------------------------------------------------- the organisation's billing page

def _billing_page(session: Session, principal: Principal, org_id: int, status: str, page: int, cursor: object):
    return (invoice_lists.summary(session, principal, org_id),
            invoice_lists.list_for_org(session, principal, org_id, status=status, page=page, cursor=cursor),
            invoices.members_may_read(session, org_id))


class BillingState(CustomerPageMixin, PagerMixin, SessionState):
    """The current organisation's invoices and what it owes."""

    rows: list[dict[str, str]] = []
    summary: dict[str, str] = {}
    status: str = ""
    can_share: bool = False  # an owner or admin: may let every member see the invoices
    shared: bool = False
    error: str = ""

    async def _fetch(self):
        principal, answer = await self._customer(routes.STAFF_INVOICES)
        if principal is None:
            return answer
        org_id = principal.current.org_id
        self.error = ""
        try:
            summary, result, self.shared = await self._read(_billing_page, principal, org_id, self.status,
                                                            self.page, self._cursor)
        except PortalError as err:
            self._lose_page()
            self.rows, self.summary, self.loaded = [], {}, True
            if err.field:
                self.error = err.message
            else:
                self.refused = err.message
            return None
        self._show_page(result)
        self.summary = summary.shown
        self.rows = [_row(row) for row in result.rows]
        self.can_share = principal.current.role in ("owner", "admin")
        self.loaded = True
        await self._watch(live.org_key(org_id, "invoices"))
        return None

    @rx.event
    async def load(self):
        self.status, self.page, self.loaded, self.rows = "", 1, False, []
        return await self._fetch()

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        await self._fetch()

    @rx.event
    async def filter(self, status: str):
        """Narrow the list (the service refuses a status it does not know)."""
        self.status = status if isinstance(status, str) else ""
        self.page = 1
        self._lose_page()
        return await self._fetch()

    @rx.event
    @signed_in(in_org=True)
    async def set_shared(self, principal: Principal, value: bool):
        try:
            await self._act(invoices.set_open_to_members, principal, principal.current.org_id, value=value)
        except PortalError as err:
            return rx.toast.error(err.message)
        self.shared = value is True
        return rx.toast.success("Every member now sees the invoices." if value is True else
                                "Only owners, admins and billing members see the invoices now.")


# ---------------------------------------------------------------- one invoice

class InvoiceState(SessionState):
    """One invoice or credit note; for staff billing and admins also the
    forms that record money against it."""

    found: bool = False
    loaded: bool = False
    invoice: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    payment_rows: list[dict[str, str]] = []
    related: list[dict[str, str]] = []
    may_manage: bool = False
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0  # bumped to empty the staff's forms after an action
    _invoice_id: int = 0

    def _wanted(self) -> int | None:
        return event_id(self.router.page.params.get("invoice_id", ""))

    async def _reload(self, principal: Principal | None) -> None:
        try:
            if principal is None:
                raise NotFound(invoices.NOT_FOUND)
            view = await self._read(invoices.invoice_view, principal, self._wanted())
        except PortalError:
            self.found, self.loaded, self.invoice, self.lines, self.payment_rows, self.related = (
                False, True, {}, [], [], [])
            return
        self.found, self.loaded, self._invoice_id, self.may_manage = True, True, view.id, view.may_manage
        self.invoice = {
            "id": str(view.id), "label": view.label, "kind": view.kind, "org": view.org_name,
            "status": view.status_word, "status_key": view.status,
            "colour": "violet" if view.kind == "credit_note" else STATUS_COLOURS.get(view.status, "gray"),
            "issued": view.issued, "due": view.due, "memo": view.memo, "void_reason": view.void_reason,
            "subtotal": view.subtotal, "tax": view.tax, "total": view.total, "paid": view.paid,
            "credited": view.credited, "balance": view.balance, "zero": _zero(view.currency), "owed": "yes" if view.balance_minor else "",
            "balance_typed": money.typed(view.balance_minor, view.currency), "currency": view.currency,
            "statement": f"{routes.STATEMENT_API}?org={view.org_id}&format=pdf",
            "bank_details": view.bank_details, "cards": "yes" if get_settings().stripe_enabled else "", "pdf": routes.invoice_pdf_path(view.id),
            "payable": "yes" if view.status in invoices.UNPAID else "",
            "refundable": "yes" if view.paid_minor and view.status not in ("draft", "void") else "",
        }
        self.lines = [{"description": line.description, "quantity": line.quantity, "unit_price": line.unit_price,
                       "tax_rate": line.tax_rate, "discount": line.discount, "net": line.net} for line in view.lines]
        self.payment_rows = [{"kind": p.kind, "when": p.when, "method": p.method, "reference": p.reference,
                          "amount": p.amount} for p in view.payments]
        self.related = [{"label": label, "total": total, "href": routes.invoice_path(related_id)}
                        for related_id, label, total in view.related]

    @rx.event
    async def load(self):
        self.errors, self.error, self.loaded = {}, "", False
        principal = await self._principal()
        await self._reload(principal)
        if principal is not None and self.found:
            await self._watch(live.invoice_key(self._invoice_id))

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        await self._reload(await self._principal())

    async def _staff_action(self, principal: Principal, fn, done: str, **kwargs):  # noqa: ANN001, ANN202
        self.errors, self.error = {}, ""
        try:
            await self._act(fn, principal, self._invoice_id or None, **kwargs)
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.form_key += 1
        await self._reload(principal)
        return rx.toast.success(done)

    @rx.event
    @busy("record_payment")
    @signed_in()
    async def record_payment(self, principal: Principal, form: dict):
        data = form_values(form)
        return await self._staff_action(principal, payments.do_record_payment, "Payment recorded.",
                                        amount=data.get("amount"), method=data.get("method"),
                                        reference=data.get("reference", ""), received_on=data.get("received_on", ""))

    @rx.event
    @busy("refund")
    @signed_in()
    async def refund(self, principal: Principal, form: dict):
        data = form_values(form)
        return await self._staff_action(principal, payments.do_refund, "Refund recorded.",
                                        amount=data.get("refund_amount"), method=data.get("refund_method"),
                                        reference=data.get("refund_reference", ""), received_on="")

    @rx.event
    @busy("credit")
    @signed_in()
    async def credit(self, principal: Principal, form: dict):
        data = form_values(form)
        return await self._staff_action(principal, invoices.do_credit, "Credit note issued.",
                                        amount=data.get("credit_amount"), reason=data.get("credit_reason"))

    @rx.event
    @busy("void")
    @signed_in()
    async def void(self, principal: Principal, form: dict):
        data = form_values(form)
        return await self._staff_action(principal, invoices.do_void, "Invoice voided.",
                                        reason=data.get("void_reason"))


# ---------------------------------------------------------------- the staff's list

class StaffInvoicesState(StaffListMixin, PagerMixin, SessionState):
    """Every organisation's invoices, drafts first among the newest."""

    def _list_all(self):  # noqa: ANN202
        return invoice_lists.list_all

    def _show_row(self, row: invoice_lists.InvoiceRow) -> dict[str, str]:
        return _row(row)

    def _managers(self) -> tuple[str, ...]:
        return invoices.MANAGERS

    def _topic(self) -> str:
        return "invoices"


# ---------------------------------------------------------------- the staff's draft editor

def _lines_from(data: dict, rows: int) -> list[dict[str, object]]:
    """The line rows of the form ("line-<i>-<field>"), in order."""
    return [{name: data.get(f"line-{i}-{name}", "") for name in invoices.LINE_FIELDS} for i in range(1, rows + 1)]


class DraftState(LineEditorMixin, OrgFinderMixin, SessionState):
    """Writing a draft: the organisation (new drafts), its lines, a note and
    a due date; then saving, issuing or deleting it."""

    draft_id: str = ""  # "" while writing a new one
    org_name: str = ""
    currency: str = ""
    org_choice: str = ""
    memo: str = ""
    due_date: str = ""
    totals: dict[str, str] = {}

    async def _show(self, principal: Principal, draft_id: int | None) -> None:
        if draft_id is None:
            await self._list_orgs(principal)
            wanted = self._query("org")
            self.org_choice = wanted if any(o[0] == wanted for o in self.orgs) else ""
            self.draft_id, self.org_name, self.currency, self.memo, self.due_date = "", "", "", "", ""
            self.lines, self.totals = self._new_rows(), {}
        else:
            view, shown = await self._read(_draft_and_totals, principal, draft_id)
            self.draft_id, self.org_name, self.currency = str(view.id), view.org_name, view.currency
            self.memo, self.due_date, self.totals = view.memo, view.due_date, shown
            self.lines = [*view.lines, self._blank_row()]
        self.form_key += 1

    def _check_manage(self, principal: Principal) -> None:
        invoices.check_manage(principal)

    def _blank_row(self) -> dict[str, str]:
        return {"description": "", "quantity": "1", "unit_price": "", "tax_rate": "", "discount": ""}

    async def _save(self, principal: Principal, data: dict):  # noqa: ANN202 — the draft's id, or None
        lines = _lines_from(data, len(self.lines))
        fields = {"lines": lines, "memo": data.get("memo", ""), "due_date": data.get("due_date", "")}
        self.errors, self.error = {}, ""
        try:
            if self.draft_id:
                invoice = await self._act(invoices.do_update_draft, principal, event_id(self.draft_id), **fields)
            else:
                invoice = await self._act(invoices.do_create_draft, principal, event_id(data.get("org", "")),
                                          currency=data.get("currency", ""), **fields)
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            if err.field == "lines" or (err.field or "").startswith("org"):
                self.error, self.errors = err.message, {}
            return None
        return invoice.id

    @rx.event
    @busy("save_draft")
    @signed_in()
    async def save(self, principal: Principal, form: dict):
        invoice_id = await self._save(principal, form_values(form))
        if invoice_id is None:
            return None
        new = not self.draft_id
        if new:
            return [rx.redirect(routes.draft_path(invoice_id)), rx.toast.success("Draft saved.")]
        await self._show(principal, invoice_id)
        return rx.toast.success("Draft saved.")

    @rx.event
    @busy("issue_draft")
    @signed_in()
    async def issue(self, principal: Principal):
        """Issue the saved draft (what is saved is what is sent)."""
        try:
            invoice = await self._act(invoices.do_issue, principal, event_id(self.draft_id))
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        return [rx.redirect(routes.invoice_path(invoice.id)), rx.toast.success(f"{invoice.number} issued.")]

    @rx.event
    @signed_in()
    async def delete(self, principal: Principal):
        try:
            await self._act(invoices.do_delete_draft, principal, event_id(self.draft_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        return [rx.redirect(routes.STAFF_INVOICES), rx.toast.success("Draft deleted.")]



def _draft_and_totals(session: Session, principal: Principal, draft_id: int | None):  # noqa: ANN202
    view = invoices.draft_view(session, principal, draft_id)
    shown = invoices.invoice_view(session, principal, draft_id)
    return view, {"subtotal": shown.subtotal, "tax": shown.tax, "total": shown.total}


# ---------------------------------------------------------------- the statement of account

class StatementState(PagerMixin, SessionState):
    """The statement over the chosen period, shown and offered as PDF and CSV."""

    since: str = ""  # the period as the date inputs send it ("2026-11-01")
    until: str = ""
    period: str = ""  # in words, in the instance's locale
    opening: str = ""
    closing: str = ""
    entries: list[dict[str, str]] = []  # this page's
    brought: str = ""  # the balance before this page's first entry
    loaded: bool = False
    refused: str = ""
    errors: dict[str, str] = {}
    form_key: int = 0

    @rx.var
    def downloads(self) -> dict[str, str]:
        """The two download links for the period shown (the route authorises)."""
        query = f"{routes.STATEMENT_API}?org={self.org_id}&since={self.since}&until={self.until}&format="
        return {"pdf": query + "pdf", "csv": query + "csv"}

    async def _show(self, since: object, until: object) -> None:
        principal = await self._principal()
        if principal is None or principal.current is None:
            self.refused, self.loaded = "Statements are for an organisation's owners, admins and billing members.", True
            return
        try:
            shown = await self._read(statements.statement_page, principal, principal.current.org_id, since=since,
                                     until=until, page=self.page)
        except PortalError as err:
            if err.field:
                self.errors = {err.field: err.message}
            else:
                self.refused, self.entries = err.message, []
            self.loaded = True
            return
        result = shown.statement
        self.errors, self.refused, self.loaded = {}, "", True
        self._show_page(shown.entries)
        self.brought = result.money(shown.brought)
        self.since, self.until, self.period = result.since.isoformat(), result.until.isoformat(), result.period
        self.opening, self.closing = result.money(result.opening), result.money(result.closing)
        self.entries = [{"day": format_date(e.day), "type": e.type_word, "number": e.number,
                         "description": e.description, "debit": result.money(e.debit) if e.debit else "",
                         "credit": result.money(e.credit) if e.credit else "", "balance": result.money(e.balance),
                         "href": routes.invoice_path(e.invoice_id)} for e in shown.entries.rows]
        self.form_key += 1

    @rx.event
    async def load(self):
        self.loaded, self.refused, self.errors, self.entries, self.page = False, "", {}, [], 1
        await self._show(None, None)

    @rx.event
    async def apply(self, form: dict):
        data = form_values(form)
        self.page = 1
        await self._show(data.get("since") or None, data.get("until") or None)

    async def _fetch(self):  # noqa: ANN202 — the pager's next page of the period shown
        await self._show(self.since or None, self.until or None)
