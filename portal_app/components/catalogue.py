"""The catalogue: the customer's "Products and prices", the staff's product
list with its add/edit form, and one organisation's price list.

Every text from the database (names, descriptions) is shown as text, never
as Markdown or HTML. Tables sit in a scrollable region (`invoices.table`)."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import (
    LABEL_STYLE, SELECT_STYLE, TEXTAREA_STYLE, confirm_dialog, field_message, form_error, submit_button, text_field,
)
from portal_app.components.invoices import MUTED, table
from portal_app.components.orders import cart_link
from portal_app.components.org_finder import org_chooser
from portal_app.components.pagination import pager
from portal_app.services import catalogue
from portal_app.state.catalogue import CatalogueState, StaffCatalogueState, StaffPricesState
from portal_app.state.session import SessionState


def _price(price, list_price) -> rx.Component:  # noqa: ANN001 — Vars
    """Their price, with the list price struck through when it differs."""
    return rx.cond(
        list_price != "",
        rx.vstack(rx.text(price, weight="bold"),
                  rx.text(rx.el.span("List price ", class_name="rt-sr-only", style=_SR_ONLY),
                          rx.el.s(list_price), size="1", **MUTED),
                  spacing="0"),
        rx.text(price, weight="bold"))


_SR_ONLY = {"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
            "clip": "rect(0 0 0 0)", "white-space": "nowrap"}


# ---------------------------------------------------------------- the customer's catalogue

def _add_to_cart(row) -> rx.Component:  # noqa: ANN001 — a Var of a row
    """Quantity and "Add to cart" under a one-off product (its id goes in the form; the service checks it)."""
    field_id = "quantity-" + row["id"]
    error = CatalogueState.add_errors[field_id].to(str)
    return rx.form(rx.vstack(
        rx.hstack(
            rx.vstack(rx.el.label("Quantity", html_for=field_id, style=LABEL_STYLE),
                      rx.input(id=field_id, name="quantity", type="number", min="1", default_value="1",
                               required=True, width="6em", size="2", aria_invalid=rx.cond(error, "true", "false"),
                               aria_describedby=field_id + "-help"),
                      spacing="1"),
            rx.el.input(type="hidden", name="product_id", value=row["id"]),
            rx.button("Add to cart", type="submit", size="2", loading=SessionState.busy == "add_to_cart"),
            spacing="2", align="end"),
        rx.cond(error, rx.text(error, id=field_id + "-help", color_scheme="red", size="2", role="alert")),
        spacing="1"), on_submit=CatalogueState.add_to_cart, aria_label="Add " + row["name"] + " to your cart")


def _product_card(row) -> rx.Component:  # noqa: ANN001 — a Var of a row
    return rx.card(rx.vstack(
        rx.flex(rx.heading(row["name"], size="4", as_="h2"), rx.spacer(),
                rx.badge(row["kind"], variant="soft", high_contrast=True), width="100%", align="center", spacing="2",
                wrap="wrap"),
        rx.cond(row["description"] != "", rx.text(row["description"], size="2", white_space="pre-wrap")),
        rx.flex(
            rx.vstack(rx.text("Your price", size="1", **MUTED), _price(row["price"], row["list_price"]), spacing="0"),
            rx.cond(row["usage"] != "", rx.text(row["usage"], size="2")),
            rx.spacer(),
            rx.cond(row["stock"] != "", rx.badge(row["stock"], color_scheme=rx.cond(row["out"] != "", "red", "green"),
                                                 variant="soft", high_contrast=True)),
            width="100%", align="end", spacing="3", wrap="wrap"),
        rx.text("SKU ", row["sku"], size="1", **MUTED),
        rx.cond(CatalogueState.can_order & (row["one_off"] != "") & (row["out"] == ""), _add_to_cart(row)),
        spacing="2", width="100%"), width="100%")


def catalogue_page() -> rx.Component:
    listed = rx.cond(
        CatalogueState.total > 0,
        rx.vstack(
            rx.grid(rx.foreach(CatalogueState.rows, _product_card), columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3", width="100%"),
            rx.cond(CatalogueState.pages > 1, pager(CatalogueState.page, CatalogueState.pages,
                                                    CatalogueState.position, CatalogueState.go_to)),
            spacing="3", width="100%"),
        rx.card(rx.vstack(rx.heading("No products yet", size="4", as_="h2"),
                          rx.text("When we add products and plans to our catalogue, they appear here at your "
                                  "organisation's prices."), spacing="2")))
    return rx.vstack(
        rx.flex(rx.heading("Products and prices", size="7", as_="h1"), rx.spacer(),
                rx.cond(CatalogueState.can_order, cart_link(CatalogueState.cart_count)),
                width="100%", align="center", spacing="3", wrap="wrap"),
        rx.text("What we offer, at your organisation's prices. Where you have a price of your own, the list price "
                "is shown struck through under it. Prices are before tax. Add one-off products to your cart to "
                "order them; services that recur are started with us and shown under My services.", **MUTED),
        rx.cond(CatalogueState.loaded,
                rx.cond(CatalogueState.refused != "",
                        rx.callout(CatalogueState.refused, icon="info", role="status", high_contrast=True),
                        listed),
                rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%")


# ---------------------------------------------------------------- the staff's products

def _field_box(child: rx.Component, width: str = "14em") -> rx.Component:
    return rx.box(child, flex="1", min_width=width)


def _select(label: str, name: str, options: dict, field_id: str, default, on_change=None) -> rx.Component:  # noqa: ANN001
    errors = StaffCatalogueState.errors
    extra = {} if on_change is None else {"on_change": on_change}
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style=LABEL_STYLE),
        rx.el.select(*[rx.el.option(words, value=key) for key, words in options.items()], id=field_id, name=name,
                     default_value=default, style=SELECT_STYLE, aria_describedby=f"{field_id}-help", **extra),
        field_message(errors, name, field_id),
        spacing="1")


def _product_form() -> rx.Component:
    p, errors = StaffCatalogueState.product, StaffCatalogueState.errors
    recurring = StaffCatalogueState.kind == "recurring"
    return rx.card(rx.form(rx.vstack(
        rx.heading(rx.cond(p["id"] != "", "Edit product", "Add a product"), size="4", as_="h2"),
        form_error(StaffCatalogueState.error),
        rx.flex(
            _field_box(text_field("Name", "name", errors, field_id="product-name", default_value=p["name"],
                                  max_length=catalogue.NAME_MAX)),
            _field_box(text_field("SKU", "sku", errors, field_id="product-sku", default_value=p["sku"],
                                  max_length=catalogue.SKU_MAX, hint="Letters, digits and hyphens, unique")),
            spacing="3", wrap="wrap", width="100%"),
        rx.vstack(
            rx.el.label("Description", html_for="product-description", style=LABEL_STYLE),
            rx.text_area(id="product-description", name="description", default_value=p["description"],
                         max_length=catalogue.DESCRIPTION_MAX, rows="3", aria_describedby="product-description-help",
                         style={**TEXTAREA_STYLE, "min-height": "5em"}),
            field_message(errors, "description", "product-description", "Plain text, shown to customers"),
            spacing="1", width="100%"),
        rx.flex(
            _select("Kind", "kind", catalogue.KINDS, "product-kind", p["kind"], StaffCatalogueState.set_kind),
            rx.cond(recurring, _select("Billed", "interval", catalogue.INTERVALS, "product-interval", p["interval"])),
            _field_box(text_field("Currency", "currency", errors, field_id="product-currency",
                                  default_value=p["currency"], max_length=3, required=False,
                                  hint="Three letters; empty for the portal's own"), "9em"),
            _field_box(text_field("Unit price", "unit_price", errors, field_id="product-unit-price",
                                  default_value=p["unit_price"], max_length=30), "9em"),
            _field_box(text_field("Tax rate (%)", "tax_rate", errors, field_id="product-tax-rate",
                                  default_value=p["tax_rate"], max_length=10, required=False), "8em"),
            spacing="3", wrap="wrap", width="100%", align="start"),
        rx.cond(
            recurring,
            rx.flex(
                _field_box(text_field("Usage unit", "usage_unit", errors, field_id="product-usage-unit",
                                      default_value=p["usage_unit"], max_length=catalogue.USAGE_UNIT_MAX,
                                      required=False, hint="Such as GB; empty when not metered"), "9em"),
                _field_box(text_field("Usage price per unit", "usage_unit_price", errors,
                                      field_id="product-usage-price", default_value=p["usage_unit_price"],
                                      max_length=30, required=False), "9em"),
                rx.el.label(rx.checkbox(name="pausable", default_checked=p["pausable"] != "", id="product-pausable"),
                            rx.text("Customers may pause it", size="2"), html_for="product-pausable",
                            style={"display": "flex", "gap": "0.5em", "align-items": "center",
                                   "align-self": "center"}),
                spacing="3", wrap="wrap", width="100%", align="start"),
            _field_box(text_field("Stock", "stock", errors, field_id="product-stock", default_value=p["stock"],
                                  max_length=10, required=False, hint="Empty: stock is not tracked"), "9em")),
        rx.flex(
            rx.box(submit_button(rx.cond(p["id"] != "", "Save product", "Add product"), "save_product"),
                   min_width="10em"),
            rx.button("Cancel", type="button", size="3", variant="soft", color_scheme="gray",
                      on_click=StaffCatalogueState.close),
            spacing="3", wrap="wrap"),
        spacing="3", width="100%"), on_submit=StaffCatalogueState.save,
        key=StaffCatalogueState.form_key.to_string(), aria_label="Product", width="100%"), width="100%")


def _actions(row) -> rx.Component:  # noqa: ANN001 — a Var of a row
    archive = confirm_dialog(
        rx.button("Archive", size="1", variant="soft", color_scheme="red", high_contrast=True),
        title="Archive this product?",
        description="Customers no longer see it; subscriptions to it carry on. You can restore it later.",
        action_label="Archive", on_confirm=StaffCatalogueState.set_active(row["id"], False))
    restore = confirm_dialog(
        rx.button("Restore", size="1", variant="soft"),
        title="Restore this product?", description="Customers see it in the catalogue again.",
        action_label="Restore", on_confirm=StaffCatalogueState.set_active(row["id"], True))
    return rx.cond(StaffCatalogueState.can_write, rx.hstack(
        rx.button("Edit", size="1", variant="soft", on_click=StaffCatalogueState.edit(row["id"]),
                  aria_label="Edit " + row["name"]),
        rx.cond(row["active"] != "", archive, restore), spacing="2"), rx.fragment())


def staff_catalogue_page() -> rx.Component:
    shown = [rx.el.option(words, value=key) for key, (words, _) in catalogue.SHOWN.items()]
    filters = rx.form(rx.flex(
        rx.box(text_field("Search", "search", StaffCatalogueState.errors, field_id="catalogue-search", required=False,
                          max_length=catalogue.SEARCH_MAX, hint="Words of a name or SKU"), flex="1", min_width="10em"),
        rx.vstack(rx.el.label("Show", html_for="catalogue-shown", style=LABEL_STYLE),
                  rx.el.select(*shown, id="catalogue-shown", name="shown", style=SELECT_STYLE), spacing="1"),
        rx.box(rx.button("Apply", type="submit", size="3", variant="soft"), align_self="end"),
        spacing="3", wrap="wrap", width="100%", align="start"), on_submit=StaffCatalogueState.apply,
        aria_label="Filter products", width="100%")
    headers = ["Product", "SKU", "Kind", "Price", "Stock", "Status", "Actions"]
    listed = rx.cond(
        StaffCatalogueState.total > 0,
        rx.vstack(
            table(headers, StaffCatalogueState.rows, lambda row: [
                rx.vstack(rx.text(row["name"], weight="medium"),
                          rx.cond(row["usage"] != "", rx.text(row["usage"], size="1", **MUTED)), spacing="0"),
                row["sku"], row["kind"], row["price"], row["stock"],
                rx.badge(row["status"], color_scheme=rx.cond(row["active"] != "", "green", "gray"), variant="soft",
                         high_contrast=True),
                _actions(row)], "Products", numeric=(3,)),
            rx.cond(StaffCatalogueState.pages > 1, pager(StaffCatalogueState.page, StaffCatalogueState.pages,
                                                         StaffCatalogueState.position, StaffCatalogueState.go_to)),
            width="100%", spacing="3"),
        rx.cond((StaffCatalogueState.search != "") | (StaffCatalogueState.shown != "active"),
                rx.text("No product matches.", **MUTED),
                rx.card(rx.vstack(rx.heading("No products yet", size="4", as_="h2"),
                                  rx.text("Add the products and plans you sell: customers see them, at their own "
                                          "prices, under Catalogue."), spacing="2"))))
    return rx.vstack(
        rx.flex(rx.heading("Catalogue", size="7", as_="h1"), rx.spacer(),
                rx.cond(StaffCatalogueState.can_write, rx.hstack(
                    rx.link("Customer prices", href=routes.STAFF_CATALOGUE_PRICES, size="2"),
                    rx.button("Add a product", size="3", on_click=StaffCatalogueState.start_new),
                    spacing="4", align="center")),
                width="100%", align="center", spacing="3", wrap="wrap"),
        rx.cond(StaffCatalogueState.editing, _product_form()),
        filters,
        rx.cond(StaffCatalogueState.editing, rx.fragment(), form_error(StaffCatalogueState.error)),
        rx.cond(StaffCatalogueState.loaded, listed, rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%")


# ---------------------------------------------------------------- one organisation's prices

def _price_row(row) -> list:  # noqa: ANN001 — a Var of a row
    field_id = "price-" + row["id"]
    error = StaffPricesState.errors[field_id].to(str)
    own = rx.form(rx.hstack(
        rx.el.input(type="hidden", name="product_id", value=row["id"]),
        rx.vstack(
            rx.input(id=field_id, name="price", default_value=row["own"], max_length=30, size="2", width="8em",
                     aria_label="Own price for " + row["name"], aria_invalid=rx.cond(error, "true", "false"),
                     aria_describedby=field_id + "-help", placeholder="None"),
            field_message(StaffPricesState.errors, field_id, field_id), spacing="1"),
        rx.button("Set", type="submit", size="2", variant="soft", aria_label="Set own price for " + row["name"],
                  loading=SessionState.busy == "set_price"),
        rx.cond(row["own"] != "", confirm_dialog(
            rx.button("Remove", type="button", size="2", variant="soft", color_scheme="red", high_contrast=True,
                      aria_label="Remove own price for " + row["name"]),
            title="Remove this price?",
            description="The organisation pays the catalogue price (less its discount) again.",
            action_label="Remove", on_confirm=StaffPricesState.remove_price(row["id"]))),
        spacing="2", align="start"), on_submit=StaffPricesState.set_price,
        key=row["id"] + "-" + StaffPricesState.form_key.to_string())
    return [rx.vstack(rx.text(row["name"]), rx.text(row["sku"], rx.cond(row["active"] == "", " · archived", ""),
                                                    size="1", **MUTED), spacing="0"),
            row["list_price"], row["price"], own]


def staff_prices_page() -> rx.Component:
    chooser = rx.form(rx.flex(
        org_chooser(StaffPricesState, field_id="prices-org", name="org", default=StaffPricesState.org_id,
                    required=False),
        rx.box(rx.button("Show prices", type="submit", size="3", variant="soft"), align_self="end"),
        spacing="3", wrap="wrap", align="start"), on_submit=StaffPricesState.choose, aria_label="Choose an organisation",
        key="o-" + StaffPricesState.form_key.to_string())
    discount = rx.form(rx.flex(
        rx.box(text_field("Discount on the catalogue (%)", "discount", StaffPricesState.errors,
                          field_id="prices-discount", default_value=StaffPricesState.discount, max_length=10,
                          hint="0 to 100; applies where the organisation has no price of its own"),
               flex="1", min_width="14em"),
        rx.box(submit_button("Save discount", "set_discount"), align_self="start", margin_top="1.6em",
               min_width="10em"),
        spacing="3", wrap="wrap", width="100%"), on_submit=StaffPricesState.set_discount,
        key="d-" + StaffPricesState.form_key.to_string(), aria_label="Discount", width="100%")
    prices = rx.vstack(
        rx.heading(StaffPricesState.org_name, size="5", as_="h2"),
        discount,
        rx.cond(StaffPricesState.rows.length() > 0,
                table(["Product", "List price", "They pay", "Own price"], StaffPricesState.rows, _price_row,
                      "Prices for the organisation"),
                rx.text("The catalogue is empty: add products first.", **MUTED)),
        spacing="3", width="100%")
    return rx.vstack(
        rx.flex(rx.heading("Customer prices", size="7", as_="h1"), rx.spacer(),
                rx.link("Back to the catalogue", href=routes.STAFF_CATALOGUE, size="2"),
                width="100%", align="center", spacing="3", wrap="wrap"),
        rx.text("An organisation pays its own price for a product where it has one, else the catalogue price less "
                "its discount.", **MUTED),
        form_error(StaffPricesState.error),
        rx.cond(StaffPricesState.loaded, rx.vstack(
            chooser,
            rx.cond(StaffPricesState.org_name != "", prices),
            spacing="4", width="100%"), rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%")
