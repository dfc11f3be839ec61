"""The catalogue and customer price lists: the price rule (with hypothesis),
who reads and writes what, isolation between organisations, bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from sqlalchemy import event
from sqlmodel import Session, select

from portal_app.models import AuditEvent, Organization
from portal_app.models.catalogue import CustomerPrice, Product
from portal_app.services import catalogue, money
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound
from portal_app.services.principal import Principal
from tests.factories import ours_and_theirs, staff_admin, staff_member
from tests.permissions import Permission, StaffPermission, join, permission_tests, staff_permission_tests

ROUTER = {"name": "Edge router", "sku": "router-x1", "description": "A small router.", "kind": "one_off",
          "unit_price": "120.00", "tax_rate": "20", "stock": "3"}
SUPPORT = {"name": "Support, gold", "sku": "support-gold-m", "kind": "recurring", "interval": "month",
           "unit_price": "49.99", "tax_rate": "20", "pausable": "on"}
HOSTING = {"name": "Hosting", "sku": "hosting", "kind": "recurring", "interval": "month", "unit_price": "10",
           "usage_unit": "GB", "usage_unit_price": "0.05"}


# ---------------------------------------------------------------- the rule, as properties

@given(st.integers(0, money.AMOUNT_MAX), st.integers(0, money.RATE_SCALE))
def test_a_discounted_price_is_within_half_a_unit_and_never_more(price, discount) -> None:
    result = catalogue.discounted(price, discount)
    assert abs(result - price * (money.RATE_SCALE - discount) / money.RATE_SCALE) <= 0.5
    assert 0 <= result <= price


def test_discount_rounding_examples() -> None:
    assert catalogue.discounted(4999, 1000) == 4499  # 44.991 -> 44.99
    assert catalogue.discounted(5, 1000) == 5  # 4.5 -> 5: halves away from zero
    assert catalogue.discounted(15, 5000) == 8  # 7.5 -> 8
    assert catalogue.discounted(1000, 10_000) == 0
    assert catalogue.discounted(1000, 0) == 1000


# ---------------------------------------------------------------- the people

def _people(session: Session) -> dict[str, Principal]:
    people = ours_and_theirs(session)
    admin = staff_admin(session)
    people["staff"] = staff_member(session, admin, "billing")
    people["agent"] = staff_member(session, admin, "agent")
    people["member"] = join(session, people["owner"], "mem@example.com", "member", "Mem Ber")
    session.commit()
    return people


@pytest.fixture
def org(engine, seeded, session) -> dict[str, Principal]:
    return seeded(engine, _people)


def _ours(people) -> int:
    return people["owner"].current.org_id


def _theirs(people) -> int:
    return people["theirs"].current.org_id


def _add(session: Session, staff: Principal, form: dict) -> Product:
    product = catalogue.do_create_product(session, staff, form)
    session.commit()
    return product


# ---------------------------------------------------------------- writing products

def test_staff_add_products_of_each_kind_and_it_is_audited(session, org) -> None:
    router = _add(session, org["staff"], ROUTER)
    support = _add(session, org["staff"], SUPPORT)
    hosting = _add(session, org["staff"], HOSTING)
    assert (router.kind, router.interval, router.unit_price, router.tax_rate, router.stock, router.currency) == (
        "one_off", "", 12000, 2000, 3, "GBP")
    assert (support.interval, support.unit_price, support.pausable, support.stock) == ("month", 4999, True, None)
    assert (hosting.usage_unit, hosting.usage_unit_price) == ("GB", 5)
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "product.created")).all()
    assert [e.target_label for e in events] == ["Edge router", "Support, gold", "Hosting"]


def test_one_off_fields_are_dropped_from_recurring_products_and_back(session, org) -> None:
    product = _add(session, org["staff"], {**SUPPORT, "stock": "5"})
    assert product.stock is None
    router = _add(session, org["staff"], {**ROUTER, "pausable": "on", "usage_unit": "GB", "interval": "year"})
    assert (router.pausable, router.usage_unit, router.interval) == (False, "", "")


def test_a_duplicate_sku_is_refused_on_its_field(session, org) -> None:
    _add(session, org["staff"], ROUTER)
    with pytest.raises(Invalid) as err:
        catalogue.do_create_product(session, org["staff"], {**SUPPORT, "sku": "ROUTER-X1"})
    assert err.value.field == "sku" and "Another product" in err.value.message


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "name"), ({"name": "x" * 121}, "name"), ({"name": ["a"]}, "name"),
    ({"sku": "has space"}, "sku"), ({"sku": "-x"}, "sku"), ({"sku": "x" * 41}, "sku"), ({"sku": 7}, "sku"),
    ({"unit_price": "-1"}, "unit_price"), ({"unit_price": "1.234"}, "unit_price"), ({"unit_price": 1.5}, "unit_price"),
    ({"unit_price": ""}, "unit_price"), ({"tax_rate": "101"}, "tax_rate"), ({"tax_rate": "-1"}, "tax_rate"),
    ({"kind": "lease"}, "kind"), ({"kind": ["one_off"]}, "kind"), ({"currency": "XXQ"}, "currency"),
    ({"stock": "-1"}, "stock"), ({"stock": "1.5"}, "stock"), ({"stock": True}, "stock"),
    ({"description": "x" * 2001}, "description"), ({"description": 3}, "description"),
])
def test_bad_product_input_is_refused_on_its_field(session, org, change, field) -> None:
    with pytest.raises(Invalid) as err:
        catalogue.do_create_product(session, org["staff"], {**ROUTER, **change})
    assert err.value.field == field
    assert session.exec(select(Product)).all() == []


@pytest.mark.parametrize("change, field", [
    ({"interval": "week"}, "interval"), ({"usage_unit_price": "-2"}, "usage_unit_price"),
    ({"usage_unit": "", "usage_unit_price": "1"}, "usage_unit"), ({"pausable": "maybe"}, "pausable"),
])
def test_bad_recurring_input_is_refused_on_its_field(session, org, change, field) -> None:
    with pytest.raises(Invalid) as err:
        catalogue.do_create_product(session, org["staff"], {**HOSTING, **change})
    assert err.value.field == field


def test_a_form_that_is_not_a_dict_is_refused(session, org) -> None:
    with pytest.raises(Invalid):
        catalogue.do_create_product(session, org["staff"], ["name", "sku"])


def test_hostile_html_is_kept_as_text(session, org) -> None:
    product = _add(session, org["staff"], {**ROUTER, "name": "<img src=x onerror=alert(1)>",
                                           "description": "<script>alert(1)</script>"})
    assert product.name == "<img src=x onerror=alert(1)>" and product.description == "<script>alert(1)</script>"
    row = catalogue.catalogue_for(session, org["owner"], _ours(org)).rows[0]
    assert row.name == "<img src=x onerror=alert(1)>"


def test_edit_archive_and_restore(session, org) -> None:
    router = _add(session, org["staff"], ROUTER)
    catalogue.do_update_product(session, org["staff"], router.id, {**ROUTER, "name": "Edge router 2",
                                                                  "unit_price": "130"})
    session.commit()
    assert (router.name, router.unit_price) == ("Edge router 2", 13000)
    catalogue.do_set_active(session, org["staff"], router.id, active=False)
    session.commit()
    assert catalogue.catalogue_for(session, org["owner"], _ours(org)).rows == []
    with pytest.raises(NotFound):
        catalogue.access_product(session, org["owner"], router.id)
    assert catalogue.access_product(session, org["agent"], router.id).active is False
    catalogue.do_set_active(session, org["staff"], router.id, active=True)
    session.commit()
    assert [r.name for r in catalogue.catalogue_for(session, org["owner"], _ours(org)).rows] == ["Edge router 2"]
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.target_type == "product"))]
    assert actions == ["product.created", "product.updated", "product.archived", "product.restored"]
    with pytest.raises(Invalid):
        catalogue.do_set_active(session, org["staff"], router.id, active="no")


def test_stock_is_adjusted_and_shown(session, org) -> None:
    router = _add(session, org["staff"], ROUTER)
    assert catalogue.catalogue_for(session, org["owner"], _ours(org)).rows[0].stock == "3 in stock"
    catalogue.do_set_stock(session, org["staff"], router.id, stock="0")
    session.commit()
    assert catalogue.catalogue_for(session, org["owner"], _ours(org)).rows[0].stock == "Out of stock"
    catalogue.do_set_stock(session, org["staff"], router.id, stock="")
    session.commit()
    assert router.stock is None and catalogue.catalogue_for(session, org["owner"], _ours(org)).rows[0].stock == ""
    support = _add(session, org["staff"], SUPPORT)
    with pytest.raises(Invalid):
        catalogue.do_set_stock(session, org["staff"], support.id, stock="4")
    with pytest.raises(Invalid):
        catalogue.do_set_stock(session, org["staff"], router.id, stock="-4")


# ---------------------------------------------------------------- prices

def test_the_price_rule_own_price_else_discount_else_list(session, org) -> None:
    support = _add(session, org["staff"], SUPPORT)  # 49.99
    router = _add(session, org["staff"], ROUTER)  # 120.00
    ours = _ours(org)
    assert catalogue.price_for(session, ours, support) == 4999
    catalogue.do_set_discount(session, org["staff"], ours, discount="10")
    session.commit()
    assert catalogue.price_for(session, ours, support) == 4499  # 44.991
    assert catalogue.price_for(session, ours, router) == 10800
    catalogue.do_set_price(session, org["staff"], ours, router.id, price="99.50")
    session.commit()
    assert catalogue.price_for(session, ours, router) == 9950  # its own price wins over the discount
    assert catalogue.prices_for(session, ours, [support, router]) == {support.id: 4499, router.id: 9950}
    assert catalogue.price_for(session, _theirs(org), router) == 12000
    catalogue.do_remove_price(session, org["staff"], ours, router.id)
    session.commit()
    assert catalogue.price_for(session, ours, router) == 10800
    with pytest.raises(NotFound):
        catalogue.do_remove_price(session, org["staff"], ours, router.id)
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.org_id == ours)
                                              .order_by(AuditEvent.id))]
    assert actions[-3:] == ["org.catalogue_discount_changed", "customer_price.set", "customer_price.removed"]


def test_prices_for_a_page_are_two_statements_whatever_its_size(engine, session, org) -> None:
    products = [_add(session, org["staff"], {**ROUTER, "sku": f"r-{i}", "name": f"R {i}"}) for i in range(8)]
    catalogue.do_set_discount(session, org["staff"], _ours(org), discount="5")
    catalogue.do_set_price(session, org["staff"], _ours(org), products[0].id, price="1")
    session.commit()
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        prices = catalogue.prices_for(session, _ours(org), products)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(statements) == 2
    assert prices[products[0].id] == 100 and prices[products[1].id] == 11400


def test_a_customer_sees_their_price_and_the_list_price_struck(session, org) -> None:
    support = _add(session, org["staff"], SUPPORT)
    _add(session, org["staff"], HOSTING)
    catalogue.do_set_price(session, org["staff"], _ours(org), support.id, price="40")
    session.commit()
    rows = {r.sku: r for r in catalogue.catalogue_for(session, org["member"], _ours(org)).rows}
    assert (rows["support-gold-m"].price, rows["support-gold-m"].list_price) == ("£40.00 a month",
                                                                                 "£49.99 a month")
    assert (rows["hosting"].price, rows["hosting"].list_price, rows["hosting"].usage) == (
        "£10.00 a month", "", "plus £0.05 per GB")
    # Another organisation's own price is never shown to them, nor theirs to us.
    theirs = {r.sku: r for r in catalogue.catalogue_for(session, org["theirs"], _theirs(org)).rows}
    assert (theirs["support-gold-m"].price, theirs["support-gold-m"].list_price) == ("£49.99 a month", "")


def test_one_organisations_price_cannot_be_read_through_another(session, org) -> None:
    support = _add(session, org["staff"], SUPPORT)
    catalogue.do_set_price(session, org["staff"], _theirs(org), support.id, price="1")
    session.commit()
    with pytest.raises(NotFound):
        catalogue.catalogue_for(session, org["owner"], _theirs(org))
    assert catalogue.catalogue_for(session, org["owner"], _ours(org)).rows[0].price == "£49.99 a month"


@pytest.mark.parametrize("discount", ["101", "-5", "abc", True, 12.5, None, "1.234"])
def test_a_bad_discount_is_refused(session, org, discount) -> None:
    with pytest.raises(Invalid) as err:
        catalogue.do_set_discount(session, org["staff"], _ours(org), discount=discount)
    assert err.value.field == "discount"


@pytest.mark.parametrize("price", ["-1", "", "1.001", 3.5, None, "1e400"])
def test_a_bad_own_price_is_refused(session, org, price) -> None:
    support = _add(session, org["staff"], SUPPORT)
    with pytest.raises(Invalid) as err:
        catalogue.do_set_price(session, org["staff"], _ours(org), support.id, price=price)
    assert err.value.field == "price"
    assert session.exec(select(CustomerPrice)).all() == []


def test_prices_for_a_missing_organisation_or_product_are_not_found(session, org) -> None:
    support = _add(session, org["staff"], SUPPORT)
    for org_id, product_id in ((10**9, support.id), (True, support.id), (str(_ours(org)), support.id),
                               (_ours(org), 10**9), (_ours(org), True), (_ours(org), str(support.id))):
        with pytest.raises(NotFound):
            catalogue.do_set_price(session, org["staff"], org_id, product_id, price="1")


def test_the_staff_price_list_of_an_organisation(session, org) -> None:
    support = _add(session, org["staff"], SUPPORT)
    _add(session, org["staff"], ROUTER)
    catalogue.do_set_discount(session, org["staff"], _ours(org), discount="12.5")
    catalogue.do_set_price(session, org["staff"], _ours(org), support.id, price="40")
    session.commit()
    prices = catalogue.org_prices(session, org["staff"], _ours(org))
    assert prices.org_name == "Ours" and prices.discount == "12.5"
    rows = {r.sku: r for r in prices.rows}
    assert (rows["support-gold-m"].own, rows["support-gold-m"].price) == ("40.00", "£40.00 a month")
    assert (rows["router-x1"].own, rows["router-x1"].price) == ("", "£105.00")


# ---------------------------------------------------------------- staff lists

def test_the_staff_list_searches_and_filters(session, org) -> None:
    router = _add(session, org["staff"], ROUTER)
    _add(session, org["staff"], SUPPORT)
    _add(session, org["staff"], HOSTING)
    catalogue.do_set_active(session, org["staff"], router.id, active=False)
    session.commit()
    names = lambda **kw: [r.name for r in catalogue.list_products(session, org["agent"], **kw).rows]  # noqa: E731
    assert names() == ["Hosting", "Support, gold"]
    assert names(shown="archived") == ["Edge router"]
    assert names(shown="") == ["Edge router", "Hosting", "Support, gold"]
    assert names(shown="", search="GOLD") == ["Support, gold"]
    assert names(shown="", search="router-") == ["Edge router"]
    assert names(search="100%_") == []
    with pytest.raises(Invalid):
        names(shown="deleted")
    with pytest.raises(Invalid):
        names(search=["x"])
    with pytest.raises(Forbidden):
        catalogue.list_products(session, org["owner"])


# ---------------------------------------------------------------- permissions

def _a_product(session: Session, owner: Principal) -> int:
    return catalogue.do_create_product(session, _the_admin(session), {**SUPPORT, "sku": f"p-{owner.user_id}"}).id


def _the_admin(session: Session) -> Principal:
    from portal_app.models import User
    from portal_app.services.principal import principal_for_user

    user = session.exec(select(User).where(User.staff_role == "admin")).first()
    return principal_for_user(session, user, None)


def _org_with_a_product(session: Session, owner: Principal) -> int:
    _a_product(session, owner)
    return owner.current.org_id


def _listed(session, actor, org_id, result) -> None:  # noqa: ANN001
    assert [row.sku for row in result.rows] and all(row.price for row in result.rows)


test_catalogue_permissions = permission_tests(
    # Every member reads their organisation's catalogue, at its prices; another organisation's is not found;
    # staff read the catalogue in the back office, not through an organisation's page.
    Permission("catalogue", lambda s, p, o: catalogue.catalogue_for(s, p, o), ("owner", "admin", "billing", "member"),
               target_row=_org_with_a_product, check=_listed),
)


def _staff_product(session: Session, admin: Principal) -> int:
    return catalogue.do_create_product(session, admin, {**ROUTER, "sku": "perm-router"}).id


def _first_org(session: Session, admin: Principal) -> int:
    return session.exec(select(Organization.id).order_by(Organization.id)).first()


def _priced(session: Session, admin: Principal) -> tuple[int, int]:
    product_id = _staff_product(session, admin)
    org_id = _first_org(session, admin)
    catalogue.do_set_price(session, admin, org_id, product_id, price="5")
    return org_id, product_id


test_staff_catalogue_permissions = staff_permission_tests(
    StaffPermission("create", lambda s, p, _: catalogue.do_create_product(s, p, ROUTER), lambda s, p: None,
                    allowed=catalogue.MANAGERS, takes_id=False),
    StaffPermission("update", lambda s, p, i: catalogue.do_update_product(s, p, i, {**ROUTER, "sku": "perm-router",
                                                                                    "name": "Renamed"}),
                    _staff_product, allowed=catalogue.MANAGERS),
    StaffPermission("archive", lambda s, p, i: catalogue.do_set_active(s, p, i, active=False), _staff_product,
                    allowed=catalogue.MANAGERS),
    StaffPermission("stock", lambda s, p, i: catalogue.do_set_stock(s, p, i, stock="9"), _staff_product,
                    allowed=catalogue.MANAGERS),
    StaffPermission("discount", lambda s, p, o: catalogue.do_set_discount(s, p, o, discount="5"), _first_org,
                    allowed=catalogue.MANAGERS),
    StaffPermission("own price", lambda s, p, i: catalogue.do_set_price(s, p, _first_org(s, p), i, price="7"),
                    _staff_product, allowed=catalogue.MANAGERS),
    StaffPermission("remove own price", lambda s, p, t: catalogue.do_remove_price(
        s, p, *(t if isinstance(t, tuple) else (_first_org(s, p), t))), _priced, allowed=catalogue.MANAGERS,
                    takes_id=False),
    StaffPermission("staff list", lambda s, p, _: catalogue.list_products(s, p), lambda s, p: None,
                    allowed=("admin", "agent", "billing"), takes_id=False),
    StaffPermission("price list", lambda s, p, o: catalogue.org_prices(s, p, o), _first_org,
                    allowed=catalogue.MANAGERS),
)


def test_agents_read_but_never_write(session, org) -> None:
    router = _add(session, org["staff"], ROUTER)
    assert catalogue.access_product(session, org["agent"], router.id).id == router.id
    for attempt in (lambda: catalogue.do_create_product(session, org["agent"], SUPPORT),
                    lambda: catalogue.do_set_price(session, org["agent"], _ours(org), router.id, price="1"),
                    lambda: catalogue.do_set_discount(session, org["agent"], _ours(org), discount="1")):
        with pytest.raises(Forbidden) as err:
            attempt()
        assert err.value.code == ErrorCode.STAFF_ONLY


def test_a_subscribed_product_keeps_its_kind_and_currency_and_is_archived_not_deleted(session, org) -> None:
    from datetime import date

    from portal_app.models.catalogue import Subscription

    support = _add(session, org["staff"], SUPPORT)
    day = date(2026, 1, 1)
    session.add(Subscription(org_id=_ours(org), product_id=support.id, unit_price=4999, currency="GBP",
                             started_on=day, period_start=day, next_renewal=day))
    session.commit()
    for change, field in (({"kind": "one_off"}, "kind"), ({"currency": "EUR"}, "currency")):
        with pytest.raises(Invalid) as err:
            catalogue.do_update_product(session, org["staff"], support.id, {**SUPPORT, **change})
        assert err.value.field == field
    session.rollback()
    catalogue.do_update_product(session, org["staff"], support.id, {**SUPPORT, "unit_price": "55"})
    catalogue.do_set_active(session, org["staff"], support.id, active=False)
    session.commit()
    assert session.get(Product, support.id).active is False
    assert session.exec(select(Subscription).where(Subscription.product_id == support.id)).one().unit_price == 4999
