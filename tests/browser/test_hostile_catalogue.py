"""The catalogue handlers under a hostile client (Reflex's websocket spoken
directly): no session, customers (of the priced organisation and of
another) calling the staff's handlers, staff agents calling them, extra
fields (`org_id`, `active`, `unit_price` in a price form) and wrong types.
Nothing changes that should not, another organisation's own price and
archived products never leak, and bad input gets a message on its field."""

from __future__ import annotations

import json

from sqlmodel import select

from portal_app.models import Organization
from portal_app.models.catalogue import CustomerPrice, Product
from portal_app.services import catalogue
from portal_app.state.catalogue import CatalogueState, StaffCatalogueState, StaffPricesState
from tests import factories
from tests.browser.accounts_helpers import portal_session, unique_email
from tests.browser.test_hostile_client import _person
from tests.browser.test_hostile_console import _staff_cookie
from tests.ws_client import ReflexClient, handler_name

SECRET = "Archived secret product"
OWN_PRICE = "123.45"  # the victim's own price, never shown to anyone else


def _priced(portal, prefix: str) -> tuple[str, int, int, int]:
    """An organisation with its own price for a new product, and an archived
    product: (its owner's cookie, org id, product id, archived product id)."""
    cookie, _, victim = _person(portal, prefix)
    with portal_session(portal) as session:
        staff = factories.staff_admin(session, email=unique_email(f"cat-{prefix}"), name="Cat")
        tag = unique_email(prefix).split("@")[0].replace(".", "-").replace("+", "-").replace("_", "-").lower()
        product = catalogue.do_create_product(session, staff, {"name": f"Plan {tag}", "sku": f"plan-{tag}"[:40],
                                                               "kind": "recurring", "unit_price": "50"})
        hidden = catalogue.do_create_product(session, staff, {"name": SECRET, "sku": f"secret-{tag}"[:40],
                                                              "unit_price": "1"})
        catalogue.do_set_active(session, staff, hidden.id, active=False)
        catalogue.do_set_price(session, staff, victim.current.org_id, product.id, price=OWN_PRICE)
        catalogue.do_set_discount(session, staff, victim.current.org_id, discount="7")
        session.commit()
        return cookie, victim.current.org_id, product.id, hidden.id


def _rows(portal) -> tuple:
    with portal_session(portal) as session:
        products = [(p.id, p.name, p.sku, p.unit_price, p.active, p.stock, p.kind)
                    for p in session.exec(select(Product).order_by(Product.id))]
        prices = [(c.org_id, c.product_id, c.unit_price) for c in session.exec(select(CustomerPrice)
                                                                               .order_by(CustomerPrice.id))]
        discounts = [(o.id, o.catalogue_discount) for o in session.exec(select(Organization).order_by(Organization.id))]
        return products, prices, discounts


def _leaked(client: ReflexClient) -> str:
    return json.dumps(client.state()) + json.dumps(client.last_events)


def _staff_calls(client: ReflexClient, org_id: object, product_id: object) -> None:
    page = "/staff/catalogue"
    prices = f"/staff/catalogue/prices?org={org_id}"
    client.call(handler_name(StaffCatalogueState, "load"), {}, router_path=page)
    client.call(handler_name(StaffCatalogueState, "apply"), {"form": {"search": "", "shown": ""}}, router_path=page)
    client.call(handler_name(StaffCatalogueState, "start_new"), {}, router_path=page)
    client.call(handler_name(StaffCatalogueState, "edit"), {"product_id": str(product_id)}, router_path=page)
    client.call(handler_name(StaffCatalogueState, "save"), {"form": {"name": "Free", "sku": "free-x",
                                                                     "unit_price": "0"}}, router_path=page)
    client.call(handler_name(StaffCatalogueState, "set_active"), {"product_id": str(product_id), "active": False},
                router_path=page)
    client.call(handler_name(StaffCatalogueState, "set_kind"), {"kind": "<script>"}, router_path=page)
    client.call(handler_name(StaffPricesState, "load"), {}, router_path=prices)
    client.call(handler_name(StaffPricesState, "choose"), {"form": {"org": str(org_id)}}, router_path=prices)
    client.call(handler_name(StaffPricesState, "set_discount"), {"form": {"discount": "100"}}, router_path=prices)
    client.call(handler_name(StaffPricesState, "set_price"), {"form": {"product_id": str(product_id), "price": "0"}},
                router_path=prices)
    client.call(handler_name(StaffPricesState, "remove_price"), {"product_id": str(product_id)}, router_path=prices)


def test_nobody_and_customers_change_nothing_and_see_no_other_price(portal):
    owner_cookie, org_id, product_id, hidden_id = _priced(portal, "catvictim")
    thief_cookie, _, _ = _person(portal, "catthief")
    before = _rows(portal)
    for who in (None, thief_cookie, owner_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate("/catalogue")
            for wanted in (product_id, hidden_id, f"{product_id} OR 1=1", "", "0", 10**30, True, None):
                _staff_calls(client, org_id, wanted)
            client.call(handler_name(CatalogueState, "load"), {}, router_path="/catalogue")
            client.call(handler_name(CatalogueState, "go_to"), {"page": "2"}, router_path="/catalogue")
            leaked = _leaked(client)
            assert SECRET not in leaked
            if who != owner_cookie:
                assert OWN_PRICE not in leaked
    assert _rows(portal) == before
    # The thief sees the product at the list price; the owner at theirs, with the list price struck.
    with ReflexClient(portal.url, cookie=thief_cookie) as client:
        client.hydrate("/catalogue")
        client.call(handler_name(CatalogueState, "load"), {})
        rows = {r["id"]: r for r in client.state()[CatalogueState.get_full_name()]["rows_rx_state_"]}
        assert rows[str(product_id)]["price"] == "£50.00 a month" and rows[str(product_id)]["list_price"] == ""
        assert str(hidden_id) not in rows
    with ReflexClient(portal.url, cookie=owner_cookie) as client:
        client.hydrate("/catalogue")
        client.call(handler_name(CatalogueState, "load"), {})
        rows = {r["id"]: r for r in client.state()[CatalogueState.get_full_name()]["rows_rx_state_"]}
        assert (rows[str(product_id)]["price"], rows[str(product_id)]["list_price"]) == ("£123.45 a month",
                                                                                         "£50.00 a month")


def test_staff_agents_read_but_cannot_write(portal):
    _, org_id, product_id, _ = _priced(portal, "catagent")
    before = _rows(portal)
    cookie, _ = _staff_cookie(portal, "agent")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/staff/catalogue")
        _staff_calls(client, org_id, product_id)
        page = client.state()[StaffCatalogueState.get_full_name()]
        assert page["can_write_rx_state_"] is False and page["editing_rx_state_"] is False
        assert client.state()[StaffPricesState.get_full_name()]["rows_rx_state_"] == []
        assert OWN_PRICE not in _leaked(client)
    assert _rows(portal) == before


def test_billing_staff_extra_fields_wrong_types_and_bad_input(portal):
    _, org_id, product_id, hidden_id = _priced(portal, "catforger")
    _, other_org, _, _ = _priced(portal, "catother")
    cookie, _ = _staff_cookie(portal, "billing")
    page, prices = StaffCatalogueState.get_full_name(), StaffPricesState.get_full_name()
    save = handler_name(StaffCatalogueState, "save")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/staff/catalogue")
        client.call(handler_name(StaffCatalogueState, "load"), {})
        assert client.state()[page]["can_write_rx_state_"] is True
        client.call(handler_name(StaffCatalogueState, "start_new"), {})
        for form, field in (({"name": "", "sku": "a", "unit_price": "1"}, "name"),
                            ({"name": "A", "sku": "a b", "unit_price": "1"}, "sku"),
                            ({"name": "A", "sku": "a", "unit_price": "-1"}, "unit_price"),
                            ({"name": "A", "sku": "a", "unit_price": ["1"]}, "unit_price"),
                            ({"name": "A", "sku": "a", "unit_price": "1", "stock": "-3"}, "stock"),
                            ({"name": "A", "sku": "a", "unit_price": "1", "kind": "lease"}, "kind"),
                            ({"name": "x" * 500, "sku": "a", "unit_price": "1"}, "name")):
            client.call(save, {"form": form})
            assert field in client.state()[page]["errors_rx_state_"], form
        client.call(save, {"form": "name=A"})  # not a form
        client.call(save, {"form": {"name": "A"}, "product_id": str(product_id)})  # extra argument: refused
        for junk in ("no", 0, None, ["x"]):
            client.call(handler_name(StaffCatalogueState, "set_active"), {"product_id": str(product_id),
                                                                          "active": junk})
        # Fields the form does not have are ignored; hostile HTML is kept as text.
        sku = f"forged-{org_id}"
        client.call(save, {"form": {"name": "<img src=x onerror=alert(1)>", "sku": sku, "unit_price": "9",
                                    "id": str(product_id), "active": "", "org_id": str(other_org),
                                    "created_at": "2000-01-01"}})
        client.call(handler_name(StaffPricesState, "load"), {}, router_path=f"/staff/catalogue/prices?org={org_id}")
        assert client.state()[prices]["org_id_rx_state_"] == str(org_id)
        for form in ({"product_id": str(product_id), "price": "-1"}, {"product_id": str(product_id), "price": "x"},
                     {"product_id": str(product_id), "price": ["1"]}):
            client.call(handler_name(StaffPricesState, "set_price"), {"form": form})
            assert f"price-{product_id}" in client.state()[prices]["errors_rx_state_"], form
        for junk in ("101", "-1", ["5"], "abc"):
            client.call(handler_name(StaffPricesState, "set_discount"), {"form": {"discount": junk}})
            assert "discount" in client.state()[prices]["errors_rx_state_"], junk
        # The organisation is the page's, never the form's.
        client.call(handler_name(StaffPricesState, "set_price"), {"form": {
            "product_id": str(product_id), "price": "11", "org_id": str(other_org), "org": str(other_org)}})
        client.call(handler_name(StaffPricesState, "remove_price"), {"product_id": "abc"})
        client.call(handler_name(StaffPricesState, "remove_price"), {"product_id": 7})
    with portal_session(portal) as session:
        made = session.exec(select(Product).where(Product.sku == sku)).one()
        assert (made.name, made.active, made.unit_price) == ("<img src=x onerror=alert(1)>", True, 900)
        assert session.get(Product, product_id).active is True and session.get(Product, product_id).name != "A"
        own = {c.org_id: c.unit_price for c in session.exec(select(CustomerPrice)
                                                             .where(CustomerPrice.product_id == product_id))}
        assert own == {org_id: 1100}
        assert session.get(Organization, org_id).catalogue_discount == 700
        assert session.get(Product, hidden_id).active is False
