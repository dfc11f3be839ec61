"""Orders in the page: the organisation's orders, the person's cart (place
an order), one order's page (the timeline, live; cancel and order again
for the customer, the staff's panel: confirm, ship, deliver, cancel), and
the staff's list of every organisation's orders.

Every handler resolves the person and calls a service that authorises:
the organisation is always the person's current one, products and orders
are found by id (`event_id`) through the services' access helpers, and
nothing a payload says about prices, totals, organisations or statuses is
taken from it. The total "Place order" is checked against is the one this
state last showed, held here on the server, never sent by the client.
Open pages follow the change signal ("orders"), so a step staff take
shows on the customer's open order page without a reload."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal_app import routes
from portal_app.services import live, order_lists, orders
from portal_app.services.errors import NotFound, PortalError
from portal_app.services.principal import Principal
from portal_app.state.customer_pages import CustomerPageMixin
from portal_app.state.forms import event_id, form_values
from portal_app.state.paging import PagerMixin
from portal_app.state.staff_lists import StaffListMixin
from portal_app.state.session import SessionState, busy, field_errors, signed_in

STATUS_COLOURS = {"placed": "blue", "confirmed": "violet", "shipped": "amber", "delivered": "green",
                  "cancelled": "gray"}


def _row(row: order_lists.OrderRow) -> dict[str, str]:
    return {"id": str(row.id), "number": row.number, "org": row.org_name, "status": row.status_word,
            "colour": STATUS_COLOURS.get(row.status, "gray"), "placed": row.placed, "po": row.po_reference,
            "total": row.total, "href": routes.order_path(row.id)}


# ---------------------------------------------------------------- the organisation's orders

def _orders_page(session: Session, principal: Principal, org_id: int, status: str, page: int, cursor: object):
    return (order_lists.list_for_org(session, principal, org_id, status=status, page=page, cursor=cursor),
            orders.cart_count(session, principal, org_id))


class OrdersState(CustomerPageMixin, PagerMixin, SessionState):
    """The current organisation's orders."""

    rows: list[dict[str, str]] = []
    status: str = ""
    cart_count: int = 0
    error: str = ""

    async def _fetch(self):
        principal, answer = await self._customer(routes.STAFF_ORDERS)
        if principal is None:
            return answer
        org_id = principal.current.org_id
        self.error = ""
        try:
            result, self.cart_count = await self._read(_orders_page, principal, org_id, self.status, self.page,
                                                       self._cursor)
        except PortalError as err:
            self._lose_page()
            self.rows, self.loaded = [], True
            if err.field:
                self.error = err.message
            else:
                self.refused = err.message
            return None
        self._show_page(result)
        self.rows = [_row(row) for row in result.rows]
        self.loaded = True
        await self._watch(live.org_key(org_id, "orders"), live.person_key(principal.user_id, "orders"))
        return None

    @rx.event
    async def load(self):
        self.status, self.page, self.loaded, self.rows = "", 1, False, []
        self._lose_page()
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


# ---------------------------------------------------------------- the cart

class CartState(CustomerPageMixin, SessionState):
    """The person's cart in their current organisation, and placing the order."""

    lines: list[dict[str, str]] = []
    totals: dict[str, str] = {}
    address: str = ""  # the delivery address's default: the organisation's address
    orderable: bool = False  # something in the cart can be ordered, and nothing in it is refused
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0
    _shown_total: int = -1  # the total the page shows: what "Place order" is checked against

    async def _fetch(self):
        principal, answer = await self._customer(routes.STAFF_ORDERS)
        if principal is None:
            return answer
        org_id = principal.current.org_id
        try:
            view = await self._read(order_lists.cart_view, principal, org_id)
        except PortalError as err:
            self.lines, self.loaded, self.refused, self._shown_total = [], True, err.message, -1
            return None
        self.lines = [{"product_id": str(line.product_id), "name": line.name, "sku": line.sku,
                       "quantity": str(line.quantity), "unit_price": line.unit_price, "net": line.net,
                       "stock": line.stock, "problem": line.problem} for line in view.lines]
        self.totals = {"subtotal": view.subtotal, "tax": view.tax, "total": view.total}
        self._shown_total = view.total_minor
        self.orderable = bool(view.lines) and all(not line.problem for line in view.lines)
        if not self.address:
            self.address = view.address
        self.loaded = True
        await self._watch(live.person_key(principal.user_id, "orders"), live.org_key(org_id, "catalogue"),
                          live.staff_key("catalogue"))
        return None

    @rx.event
    async def load(self):
        self.loaded, self.lines, self.errors, self.error, self.address = False, [], {}, "", ""
        self.form_key += 1
        return await self._fetch()

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        await self._fetch()

    @rx.event
    @signed_in(in_org=True)
    async def set_quantity(self, principal: Principal, product_id: str, quantity: str):
        self.errors, self.error = {}, ""
        try:
            await self._act(orders.set_quantity, principal, principal.current.org_id, event_id(product_id), quantity)
        except PortalError as err:
            await self._fetch()
            self.form_key += 1
            return rx.toast.error(err.message)
        await self._fetch()
        return None

    @rx.event
    @signed_in(in_org=True)
    async def remove(self, principal: Principal, product_id: str):
        try:
            await self._act(orders.remove_from_cart, principal, principal.current.org_id, event_id(product_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._fetch()
        self.form_key += 1
        return rx.toast.success("Removed from your cart.")

    @rx.event
    @busy("place_order")
    @signed_in(in_org=True)
    async def place(self, principal: Principal, form: dict):
        """Place the order at the total this page shows (held here)."""
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            order = await self._act(orders.do_place, principal, principal.current.org_id,
                                    po_reference=data.get("po_reference", ""),
                                    delivery_address=data.get("delivery_address", ""),
                                    expected_total=self._shown_total)
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            await self._fetch()
            return None
        self.lines, self._shown_total = [], -1
        return [rx.redirect(routes.order_path(order.id)), rx.toast.success(f"Order {order.number} placed.")]


# ---------------------------------------------------------------- one order

class OrderState(SessionState):
    """One order, for its organisation's people and for staff."""

    found: bool = False
    loaded: bool = False
    order: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    timeline: list[dict[str, str]] = []
    may_manage: bool = False
    may_cancel: bool = False
    may_order_again: bool = False
    cancelling: bool = False  # the cancel dialog is open
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0
    _order_id: int = 0
    _org_id: int = 0

    def _wanted(self) -> int | None:
        return event_id(self.router.page.params.get("order_id", ""))

    async def _reload(self, principal: Principal | None) -> None:
        try:
            if principal is None:
                raise NotFound(orders.NOT_FOUND)
            view = await self._read(order_lists.order_view, principal, self._wanted())
        except PortalError:
            self.found, self.loaded, self.order, self.lines, self.timeline = False, True, {}, [], []
            return
        self.found, self.loaded, self._order_id = True, True, view.id
        self.may_manage, self.may_cancel, self.may_order_again = view.may_manage, view.may_cancel, \
            view.may_order_again
        self.order = {
            "id": str(view.id), "number": view.number, "org": view.org_name, "status": view.status_word,
            "status_key": view.status, "colour": STATUS_COLOURS.get(view.status, "gray"), "placed": view.placed,
            "po": view.po_reference, "address": view.delivery_address, "carrier": view.carrier,
            "tracking_number": view.tracking_number, "tracking_url": view.tracking_url,
            "cancel_reason": view.cancel_reason, "subtotal": view.subtotal, "tax": view.tax, "total": view.total,
            "invoice_href": routes.invoice_path(view.invoice_id) if view.invoice_id else "",
            "invoice": view.invoice_label,
        }
        self.lines = [{"description": line.description, "quantity": line.quantity, "unit_price": line.unit_price,
                       "tax_rate": line.tax_rate, "net": line.net} for line in view.lines]
        self.timeline = [{"status": s.status_word, "colour": STATUS_COLOURS.get(s.status, "gray"), "when": s.when,
                          "actor": s.actor, "note": s.note} for s in view.timeline]
        self._org_id = view.org_id

    @rx.event
    async def load(self):
        self.errors, self.error, self.loaded = {}, "", False
        principal = await self._principal()
        await self._reload(principal)
        if principal is not None and self.found:
            await self._watch(live.staff_key("orders") if principal.is_staff else live.org_key(self._org_id, "orders"))

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        await self._reload(await self._principal())

    async def _step(self, principal: Principal, fn, done: str, **kwargs):  # noqa: ANN001, ANN202
        self.errors, self.error = {}, ""
        try:
            await self._act(fn, principal, self._order_id or None, **kwargs)
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.form_key += 1
        await self._reload(principal)
        return rx.toast.success(done)

    @rx.event
    @busy("confirm_order")
    @signed_in()
    async def confirm(self, principal: Principal):
        return await self._step(principal, orders.do_confirm, "Order confirmed and its invoice issued.")

    @rx.event
    @busy("ship_order")
    @signed_in()
    async def ship(self, principal: Principal, form: dict):
        data = form_values(form)
        return await self._step(principal, orders.do_ship, "Order marked shipped.", carrier=data.get("carrier"),
                                tracking_number=data.get("tracking_number", ""),
                                tracking_url=data.get("tracking_url", ""))

    @rx.event
    @busy("deliver_order")
    @signed_in()
    async def deliver(self, principal: Principal):
        return await self._step(principal, orders.do_deliver, "Order marked delivered.")

    @rx.event
    def open_cancel(self):
        self.cancelling, self.errors, self.error = True, {}, ""

    @rx.event
    def close_cancel(self, open_: bool = False):
        if open_ is not True:
            self.cancelling = False

    @rx.event
    @busy("cancel_order")
    @signed_in()
    async def cancel(self, principal: Principal, form: dict):
        data = form_values(form)
        done = await self._step(principal, orders.do_cancel, "Order cancelled.", reason=data.get("reason"))
        if done is not None:
            self.cancelling = False
        return done

    @rx.event
    @busy("order_again")
    @signed_in(in_org=True)
    async def order_again(self, principal: Principal):
        """Put this order's products in the cart at today's prices, and go there to review them."""
        try:
            skipped = await self._act(orders.order_again, principal, self._order_id or None)
        except PortalError as err:
            return rx.toast.error(err.message)
        note = ("Left out: " + "; ".join(skipped) + ".") if skipped else "Check today's prices, then place the order."
        return [rx.redirect(routes.ORDER_CART), rx.toast.success(f"Added to your cart. {note}")]


# ---------------------------------------------------------------- the staff's list

class StaffOrdersState(StaffListMixin, PagerMixin, SessionState):
    """Every organisation's orders, newest first."""

    def _list_all(self):  # noqa: ANN202
        return order_lists.list_all

    def _show_row(self, row: order_lists.OrderRow) -> dict[str, str]:
        return _row(row)

    def _managers(self) -> tuple[str, ...]:
        return orders.MANAGERS

    def _topic(self) -> str:
        return "orders"
