"""The catalogue in the page: the customer's products at their prices, the
staff's product list with its add/edit form, and one organisation's price
list (discount and own prices) for staff.

Every handler resolves the person and calls a service that authorises:
the customer's organisation is always their current one, products and
organisations are found by id through the services' access helpers, prices
are typed text parsed by the services, and nothing a payload says about
organisations, currencies or prices beyond the typed amount is taken from
it. Open pages follow the change signal ("catalogue")."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services import catalogue, live, orders
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id, form_values
from portal_app.state.paging import PagerMixin
from portal_app.state.org_finder import OrgFinderMixin
from portal_app.state.customer_pages import CustomerPageMixin
from portal_app.state.session import SessionState, busy, field_errors, signed_in


# ---------------------------------------------------------------- the customer's catalogue

def _catalogue_page(session, principal: Principal, org_id: int, page: int, cursor: object):  # noqa: ANN001, ANN202
    return (catalogue.catalogue_for(session, principal, org_id, page=page, cursor=cursor),
            orders.cart_count(session, principal, org_id))


class CatalogueState(CustomerPageMixin, PagerMixin, SessionState):
    """The current organisation's products and prices."""

    rows: list[dict[str, str]] = []
    can_order: bool = False  # owners, admins and billing members order (services/orders.py)
    cart_count: int = 0
    add_errors: dict[str, str] = {}  # "quantity-<product id>": the message under that product's quantity

    async def _fetch(self):
        principal, answer = await self._customer(routes.STAFF_CATALOGUE)
        if principal is None:
            return answer
        org_id = principal.current.org_id
        try:
            result, self.cart_count = await self._read(_catalogue_page, principal, org_id, self.page, self._cursor)
        except PortalError as err:
            self._lose_page()
            self.rows, self.refused, self.loaded = [], err.message, True
            return None
        self._show_page(result)
        self.rows = [{"id": str(r.id), "name": r.name, "sku": r.sku, "description": r.description, "kind": r.kind,
                      "price": r.price, "list_price": r.list_price, "usage": r.usage, "stock": r.stock,
                      "out": "yes" if r.stock == "Out of stock" else "",
                      "one_off": "yes" if r.kind == catalogue.KINDS["one_off"] else ""} for r in result.rows]
        self.can_order = principal.current.role in orders.READERS
        self.loaded = True
        await self._watch(live.org_key(org_id, "catalogue"), live.staff_key("catalogue"),
                          live.person_key(principal.user_id, "orders"))
        return None

    @rx.event
    @busy("add_to_cart")
    @signed_in(in_org=True)
    async def add_to_cart(self, principal: Principal, form: dict):
        """Put the product (its id from the form, checked by the service) in the cart."""
        data = form_values(form)
        product_id = data.get("product_id", "")
        key = f"quantity-{product_id}" if event_id(product_id) else "quantity"
        self.add_errors = {}
        try:
            await self._act(orders.add_to_cart, principal, principal.current.org_id, event_id(product_id),
                            data.get("quantity"))
        except PortalError as err:
            self.add_errors = {key: err.message}
            return None
        await self._fetch()
        return rx.toast.success("Added to your cart.")

    @rx.event
    async def load(self):
        self.page, self.loaded, self.rows, self.add_errors = 1, False, [], {}
        self._lose_page()
        return await self._fetch()

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        await self._fetch()


# ---------------------------------------------------------------- the staff's products

BLANK = {"id": "", "name": "", "sku": "", "description": "", "kind": "one_off", "interval": "month",
         "currency": "", "unit_price": "", "tax_rate": "", "usage_unit": "", "usage_unit_price": "",
         "pausable": "", "stock": "", "active": "yes"}


def _staff_row(row: catalogue.ProductRow) -> dict[str, str]:
    return {"id": str(row.id), "name": row.name, "sku": row.sku, "kind": row.kind, "price": row.price,
            "usage": row.usage, "stock": row.stock, "active": "yes" if row.active else "",
            "status": "Active" if row.active else "Archived"}


class StaffCatalogueState(PagerMixin, SessionState):
    """The catalogue for staff: search, active/archived, and the add/edit form."""

    rows: list[dict[str, str]] = []
    search: str = ""
    shown: str = "active"
    loaded: bool = False
    can_write: bool = False
    errors: dict[str, str] = {}
    error: str = ""
    editing: bool = False  # the add/edit form is open
    product: dict[str, str] = dict(BLANK)  # what the form starts from
    kind: str = "one_off"  # what the form shows fields for
    form_key: int = 0
    _product_id: int = 0  # 0: a new product

    async def _fetch(self):
        principal = await self._principal()
        if principal is None or not principal.is_staff:
            return rx.redirect(routes.DASHBOARD)
        self.error = ""
        try:
            result = await self._read(catalogue.list_products, principal, search=self.search, shown=self.shown,
                                      page=self.page, cursor=self._cursor)
        except PortalError as err:
            self._lose_page()
            self.error, self.errors = field_errors(err)
            self.rows, self.loaded = [], True
            return None
        self._show_page(result)
        self.rows = [_staff_row(row) for row in result.rows]
        self.can_write = principal.staff_role in catalogue.MANAGERS
        self.loaded = True
        await self._watch(live.staff_key("catalogue"))
        return None

    @rx.event
    async def load(self):
        self.search, self.shown, self.page, self.loaded, self.editing, self.errors = "", "active", 1, False, False, {}
        self._lose_page()
        return await self._fetch()

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        await self._fetch()

    @rx.event
    async def apply(self, form: dict):
        data = form_values(form)
        search, shown = data.get("search", ""), data.get("shown", "active")
        self.search = search if isinstance(search, str) else ""
        self.shown = shown if isinstance(shown, str) else "active"
        self.page, self.errors = 1, {}
        self._lose_page()
        return await self._fetch()

    @rx.event
    def set_kind(self, kind: str):
        """Which fields the form shows (the service decides what is kept)."""
        self.kind = kind if kind in catalogue.KINDS else "one_off"

    @rx.event
    @signed_in()
    async def start_new(self, principal: Principal):
        if principal.staff_role not in catalogue.MANAGERS:
            return rx.toast.error("Only staff billing and admins can change the catalogue.")
        self._product_id, self.product, self.kind = 0, dict(BLANK), "one_off"
        self.errors, self.error, self.editing = {}, "", True
        self.form_key += 1
        return None

    @rx.event
    @signed_in()
    async def edit(self, principal: Principal, product_id: str):
        try:
            values = await self._read(catalogue.product_form, principal, event_id(product_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        self._product_id, self.product, self.kind = int(values["id"]), values, values["kind"]
        self.errors, self.error, self.editing = {}, "", True
        self.form_key += 1
        return None

    @rx.event
    def close(self):
        self.editing, self.errors, self.error, self._product_id = False, {}, "", 0

    @rx.event
    @busy("save_product")
    @signed_in()
    async def save(self, principal: Principal, form: dict):
        data = {name: value for name, value in form_values(form).items() if name in catalogue.PRODUCT_FIELDS}
        self.errors, self.error = {}, ""
        try:
            if self._product_id:
                product = await self._act(catalogue.do_update_product, principal, self._product_id, data)
            else:
                product = await self._act(catalogue.do_create_product, principal, data)
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        added = not self._product_id
        self.editing, self._product_id = False, 0
        await self._fetch()
        return rx.toast.success(f"{'Added' if added else 'Saved'} \u201c{product.name}\u201d.")

    @rx.event
    @signed_in()
    async def set_active(self, principal: Principal, product_id: str, active: bool):
        try:
            product = await self._act(catalogue.do_set_active, principal, event_id(product_id), active=active)
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._fetch()
        return rx.toast.success(f"\u201c{product.name}\u201d is {'back in the catalogue' if product.active else 'archived'}.")


# ---------------------------------------------------------------- one organisation's price list

class StaffPricesState(OrgFinderMixin, SessionState):
    """One organisation's catalogue discount and own prices (staff billing and admins)."""

    org_id: str = ""
    org_name: str = ""
    discount: str = ""
    rows: list[dict[str, str]] = []
    loaded: bool = False
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0
    _org_id: int = 0

    async def _show(self, principal: Principal) -> None:
        if not self._org_id:
            self.rows, self.org_name, self.discount = [], "", ""
            return
        try:
            prices = await self._read(catalogue.org_prices, principal, self._org_id)
        except PortalError as err:
            self._org_id, self.org_id, self.rows, self.org_name, self.error = 0, "", [], "", err.message
            return
        self.org_id, self.org_name, self.discount = str(prices.org_id), prices.org_name, prices.discount
        self.rows = [{"id": str(r.product_id), "name": r.name, "sku": r.sku, "list_price": r.list_price,
                      "price": r.price, "own": r.own, "active": "yes" if r.active else ""} for r in prices.rows]
        self.form_key += 1

    @rx.event
    async def load(self):
        self.loaded, self.errors, self.error = False, {}, ""
        principal = await self._principal()
        if principal is None or not principal.is_staff:
            return rx.redirect(routes.DASHBOARD)
        if principal.staff_role not in catalogue.MANAGERS:
            self.error, self.loaded = "Only staff billing and admins set an organisation's prices.", True
            return None
        await self._list_orgs(principal)
        self._org_id = event_id(self._query("org")) or 0
        await self._show(principal)
        self.loaded = True
        await self._watch(live.staff_key("catalogue"))
        return None

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        principal = await self._principal()
        if principal is not None and principal.staff_role in catalogue.MANAGERS:
            await self._show(principal)

    @rx.event
    @signed_in()
    async def choose(self, principal: Principal, form: dict):
        wanted = event_id(form_values(form).get("org"))
        if wanted is None:
            self.error = "Choose an organisation."
            return None
        self.error, self.errors, self._org_id = "", {}, wanted
        await self._show(principal)
        return rx.call_script(f"window.history.replaceState(null, '', '{routes.catalogue_prices_path(wanted)}')") \
            if self._org_id else None

    @rx.event
    @busy("set_discount")
    @signed_in()
    async def set_discount(self, principal: Principal, form: dict):
        self.errors, self.error = {}, ""
        try:
            await self._act(catalogue.do_set_discount, principal, self._org_id or None,
                            discount=form_values(form).get("discount"))
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        await self._show(principal)
        return rx.toast.success("Discount saved.")

    @rx.event
    @busy("set_price")
    @signed_in()
    async def set_price(self, principal: Principal, form: dict):
        data = form_values(form)
        product_id = event_id(data.get("product_id"))
        self.errors, self.error = {}, ""
        try:
            await self._act(catalogue.do_set_price, principal, self._org_id or None, product_id,
                            price=data.get("price"))
        except PortalError as err:
            if err.field and product_id:
                self.errors = {f"price-{product_id}": err.message}
            else:
                self.error = err.message
            return None
        await self._show(principal)
        return rx.toast.success("Price saved.")

    @rx.event
    @signed_in()
    async def remove_price(self, principal: Principal, product_id: str):
        self.errors, self.error = {}, ""
        try:
            await self._act(catalogue.do_remove_price, principal, self._org_id or None, event_id(product_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._show(principal)
        return rx.toast.success("Own price removed: the catalogue price applies.")
