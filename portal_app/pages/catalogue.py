"""The catalogue: the organisation's products and prices; for staff the
product list with its form, and one organisation's price list."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.catalogue import catalogue_page, staff_catalogue_page, staff_prices_page
from portal_app.components.layout import portal_page
from portal_app.state.catalogue import CatalogueState, StaffCatalogueState, StaffPricesState


@portal_page(route=routes.CATALOGUE, title="Products and prices", on_load=CatalogueState.load, private=True)
def customer_catalogue() -> rx.Component:
    return catalogue_page()


@portal_page(route=routes.STAFF_CATALOGUE, title="Catalogue", on_load=StaffCatalogueState.load, private=True)
def staff_catalogue() -> rx.Component:
    return staff_catalogue_page()


@portal_page(route=routes.STAFF_CATALOGUE_PRICES, title="Customer prices", on_load=StaffPricesState.load,
             private=True)
def staff_prices() -> rx.Component:
    return staff_prices_page()
