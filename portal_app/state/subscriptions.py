"""Subscriptions in the page: the organisation's services ("My services":
change the quantity after seeing the proration, cancel at the period's end
with a reason, undo it, pause and resume, the usage chart) and the staff's
list of every organisation's subscriptions with the forms that start one
and record usage.

Every handler resolves the person and calls a service that authorises:
the organisation is always the person's current one, a subscription is
found by its id (`event_id`) through `access_subscription`, and nothing a
payload says about prices, organisations or statuses is taken from it. The
change confirmed is the one previewed: its quantity is held here, on the
server, not sent back by the client."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal_app import routes
from portal_app.services import live
from portal_app.services import subscriptions as subs
from portal_app.services.errors import PortalError
from portal_app.services.invoices import today
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id, form_values
from portal_app.state.org_finder import OrgFinderMixin
from portal_app.state.customer_pages import CustomerPageMixin
from portal_app.state.session import SessionState, busy, field_errors, signed_in

STATUS_COLOURS = {"active": "green", "paused": "amber", "cancelled": "gray"}


def _row(view: subs.SubscriptionView) -> dict[str, str]:
    return {"id": str(view.id), "org": view.org_name, "product": view.product, "quantity": str(view.quantity),
            "price": view.price, "period_total": view.period_total, "started": view.started, "period": view.period,
            "next_renewal": view.next_renewal, "status": view.status_word,
            "colour": STATUS_COLOURS.get(view.status, "gray"), "status_key": view.status,
            "pending": "yes" if view.pending_cancel else "", "reason": view.cancel_reason,
            "pausable": "yes" if view.pausable else "", "metered": "yes" if view.metered else "",
            "usage_unit": view.usage_unit, "usage_so_far": view.usage_so_far, "running_cost": view.running_cost,
            "contract": view.contract,
            "contract_href": routes.quote_pdf_path(view.contract_id) if view.contract_id else ""}


def _services(session: Session, principal: Principal, org_id: int) -> tuple[list, dict[str, list[dict]]]:
    """The organisation's subscriptions and, for each metered one, its usage
    per day in the current period so far."""
    views = subs.list_for_org(session, principal, org_id)
    charts: dict[str, list[dict]] = {}
    for view in views:
        if view.metered and view.status != "cancelled":
            sub = subs.access_subscription(session, principal, view.id)
            until = min(today(), sub.next_renewal)
            charts[str(view.id)] = subs.usage_by_day(session, principal, view.id, sub.period_start,
                                                     max(until, sub.period_start))
    return views, charts


class ServiceActionsMixin(rx.State, mixin=True):
    """Changing, cancelling, pausing and resuming a service from a page that
    lists them in `rows`: the customer's "My services" and the staff's list
    (billing staff act for a customer who phones). The page's state defines
    `_fetch`; the services decide who may act on which subscription, so the
    handlers only need someone signed in."""

    rows: list[dict[str, str]] = []
    can_change: bool = False
    change_for: str = ""  # the service whose change dialog is open
    change_product: str = ""
    preview_words: str = ""
    plans: list[list[str]] = []  # [id, words] the open service may change to, its own first
    cancel_for: str = ""  # the service whose cancel dialog is open
    cancel_product: str = ""
    errors: dict[str, str] = {}
    error: str = ""
    _pending_quantity: str = ""  # what the preview shown was for: the quantity and plan confirmed
    _pending_product: int = 0

    async def _fetch(self):  # noqa: ANN202
        raise NotImplementedError

    def _product_of(self, sub_id: str) -> str:
        return next((row["product"] for row in self.rows if row["id"] == sub_id), "")

    # ------------------------------------------------ changing the quantity

    @rx.event
    @signed_in()
    async def open_change(self, principal: Principal, sub_id: str):
        self.change_for = sub_id if isinstance(sub_id, str) and self._product_of(sub_id) else ""
        self.change_product = self._product_of(self.change_for)
        self.preview_words, self._pending_quantity, self.errors, self.error = "", "", {}, ""
        self.plans = []
        if self.change_for:
            try:
                plans = await self._read(subs.plans_for, principal, event_id(self.change_for))
            except PortalError as err:
                self.change_for = ""
                return rx.toast.error(err.message)
            self.plans = [[str(i), words] for i, words in plans]
        return None

    @rx.event
    def close_change(self, open_: bool = False):
        if open_ is not True:
            self.change_for, self.preview_words, self._pending_quantity = "", "", ""

    @rx.event
    @busy("preview_change")
    @signed_in()
    async def preview(self, principal: Principal, form: dict):
        """Show what the change costs now; nothing changes yet."""
        data = form_values(form)
        quantity, plan = data.get("quantity"), data.get("product_id")
        self.errors, self.error, self.preview_words, self._pending_quantity = {}, "", "", ""
        try:
            shown = await self._read(subs.preview_change, principal, event_id(self.change_for), quantity=quantity,
                                     product_id=event_id(plan) if plan not in (None, "") else None)
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        plan_words = next((words.split(" — ")[0] for i, words in self.plans if i == str(shown.product_id)), "")
        self.preview_words = f"Change to {shown.quantity} × {plan_words}: {shown.words}"
        self._pending_quantity, self._pending_product = str(shown.quantity), shown.product_id
        return None

    @rx.event
    @busy("confirm_change")
    @signed_in()
    async def confirm_change(self, principal: Principal):
        """Apply the change that was previewed (its quantity held here)."""
        if not self._pending_quantity:
            self.error = "Preview the change first."
            return None
        try:
            await self._act(subs.do_change, principal, event_id(self.change_for), quantity=self._pending_quantity,
                            product_id=self._pending_product or None)
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.change_for, self.preview_words, self._pending_quantity = "", "", ""
        await self._fetch()
        return rx.toast.success("Quantity changed.")

    # ------------------------------------------------ cancelling

    @rx.event
    def open_cancel(self, sub_id: str):
        self.cancel_for = sub_id if isinstance(sub_id, str) and self._product_of(sub_id) else ""
        self.cancel_product = self._product_of(self.cancel_for)
        self.errors, self.error = {}, ""

    @rx.event
    def close_cancel(self, open_: bool = False):
        if open_ is not True:
            self.cancel_for = ""

    @rx.event
    @busy("cancel_service")
    @signed_in()
    async def cancel(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            await self._act(subs.do_cancel, principal, event_id(self.cancel_for), reason=data.get("reason"),
                            comment=data.get("comment", ""))
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.cancel_for = ""
        await self._fetch()
        return rx.toast.success("Cancelled: the service ends at the end of its current period.")

    async def _simple(self, principal: Principal, fn, sub_id: object, done: str):  # noqa: ANN001, ANN202
        try:
            await self._act(fn, principal, event_id(sub_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._fetch()
        return rx.toast.success(done)

    @rx.event
    @signed_in()
    async def undo_cancel(self, principal: Principal, sub_id: str):
        return await self._simple(principal, subs.do_undo_cancel, sub_id, "Cancellation undone: the service renews.")

    @rx.event
    @signed_in()
    async def pause(self, principal: Principal, sub_id: str):
        return await self._simple(principal, subs.do_pause, sub_id, "Service paused.")

    @rx.event
    @signed_in()
    async def resume(self, principal: Principal, sub_id: str):
        return await self._simple(principal, subs.do_resume, sub_id, "Service resumed.")


# ---------------------------------------------------------------- the customer's page

class SubscriptionsState(CustomerPageMixin, ServiceActionsMixin, SessionState):
    """The current organisation's services."""

    charts: dict[str, list[dict[str, str | float]]] = {}

    async def _fetch(self):
        principal, answer = await self._customer(routes.STAFF_SUBSCRIPTIONS)
        if principal is None:
            return answer
        org_id = principal.current.org_id
        try:
            views, charts = await self._read(_services, principal, org_id)
        except PortalError as err:
            self.rows, self.charts, self.loaded, self.refused = [], {}, True, err.message
            return None
        self.rows = [_row(view) for view in views]
        self.charts = charts
        self.can_change = principal.current.role in subs.CHANGERS
        self.loaded = True
        await self._watch(live.org_key(org_id, "subscriptions"))
        return None

    @rx.event
    async def load(self):
        self.loaded, self.rows, self.charts = False, [], {}
        self.change_for, self.cancel_for, self.preview_words, self._pending_quantity = "", "", "", ""
        return await self._fetch()

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        await self._fetch()


# ---------------------------------------------------------------- the staff's page

def _staff_page(session: Session, principal: Principal):
    return subs.list_all(session, principal), subs.recurring_products(session, principal)


class StaffSubscriptionsState(OrgFinderMixin, ServiceActionsMixin, SessionState):
    """Every organisation's subscriptions; staff billing and admins start,
    change and cancel them and record usage."""

    products: list[list[str]] = []
    metered: list[list[str]] = []  # [id, "org — product"] of the subscriptions usage can be recorded on
    loaded: bool = False
    can_write: bool = False
    start_errors: dict[str, str] = {}
    start_error: str = ""
    usage_errors: dict[str, str] = {}
    usage_error: str = ""
    form_key: int = 0

    async def _fetch(self):
        principal = await self._principal()
        if principal is None or not principal.is_staff:
            return rx.redirect(routes.DASHBOARD)
        try:
            views, products = await self._read(_staff_page, principal)
        except PortalError as err:
            self.error, self.loaded = err.message, True
            return None
        self.rows = [_row(view) for view in views]
        if not self.orgs:
            await self._list_orgs(principal)
        self.products = [[str(i), words] for i, words in products]
        self.metered = [[str(v.id), f"{v.org_name} — {v.product}"] for v in views
                        if v.metered and v.status != "cancelled"]
        self.can_write = self.can_change = principal.staff_role in subs.MANAGERS
        self.loaded = True
        await self._watch(live.staff_key("subscriptions"))
        return None

    @rx.event
    async def load(self):
        self.loaded, self.start_errors, self.start_error, self.usage_errors, self.usage_error = False, {}, "", {}, ""
        self.change_for, self.cancel_for, self.preview_words, self._pending_quantity = "", "", "", ""
        return await self._fetch()

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        await self._fetch()

    @rx.event
    @busy("start_subscription")
    @signed_in()
    async def start(self, principal: Principal, form: dict):
        data = form_values(form)
        self.start_errors, self.start_error = {}, ""
        try:
            await self._act(subs.do_start, principal, event_id(data.get("org_id")), event_id(data.get("product_id")),
                            data.get("quantity"))
        except PortalError as err:
            self.start_error, self.start_errors = field_errors(err)
            return None
        self.form_key += 1
        await self._fetch()
        return rx.toast.success("Subscription started and its first invoice issued.")

    @rx.event
    @busy("record_usage")
    @signed_in()
    async def record_usage(self, principal: Principal, form: dict):
        data = form_values(form)
        self.usage_errors, self.usage_error = {}, ""
        try:
            await self._act(subs.do_record_usage, principal, event_id(data.get("subscription_id")), data.get("day"),
                            data.get("usage_quantity"))
        except PortalError as err:
            self.usage_error, self.usage_errors = field_errors(err)
            if "quantity" in self.usage_errors:
                self.usage_errors = {"usage_quantity": self.usage_errors["quantity"]}
            return None
        self.form_key += 1
        await self._fetch()
        return rx.toast.success("Usage recorded.")
