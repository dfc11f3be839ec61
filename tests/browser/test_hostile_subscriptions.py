"""The subscription handlers under a hostile client (Reflex's websocket
spoken directly): no session, another organisation's subscription ids,
customers calling the staff's handlers, staff agents calling them, extra
fields (`unit_price`, `org_id`, `status`) and wrong types. Nothing changes
that should not and nothing leaks."""

from __future__ import annotations

import json

from sqlmodel import select

from portal_app.models import Invoice
from portal_app.models.catalogue import Product, Subscription, UsageRecord
from portal_app.services import subscriptions as subs
from portal_app.state.subscriptions import StaffSubscriptionsState, SubscriptionsState
from tests import factories
from tests.browser.accounts_helpers import portal_session
from tests.browser.test_hostile_client import _person
from tests.browser.test_hostile_console import _staff_cookie
from tests.ws_client import ReflexClient, handler_name

SECRET = "Victim's confidential hosting plan"


def _victim(portal, prefix: str) -> tuple[str, int, int, int]:
    """A new organisation with a metered, pausable subscription: (its owner's
    cookie, org id, subscription id, product id)."""
    cookie, _, victim = _person(portal, prefix)
    with portal_session(portal) as session:
        staff = factories.staff_admin(session, email=f"subs-{prefix}-{victim.user_id}@example.com", name="Sub")
        product = Product(name=SECRET, sku=f"H-{prefix}-{victim.user_id}"[:40], kind="recurring", interval="month",
                          currency="GBP", unit_price=5000, usage_unit="GB", usage_unit_price=100, pausable=True)
        session.add(product)
        session.flush()
        sub = subs.do_start(session, staff, victim.current.org_id, product.id, 2)
        session.commit()
        return cookie, victim.current.org_id, sub.id, product.id


def _row(portal, sub_id: int) -> tuple:
    with portal_session(portal) as session:
        sub = session.get(Subscription, sub_id)
        usage = session.exec(select(UsageRecord.id).where(UsageRecord.subscription_id == sub_id)).all()
        invoices = session.exec(select(Invoice.id).where(Invoice.org_id == sub.org_id)).all()
        return (sub.org_id, sub.quantity, sub.unit_price, sub.status, sub.cancel_at_period_end, sub.next_renewal,
                len(usage), len(invoices))


def _leaked(client: ReflexClient) -> str:
    return json.dumps(client.state()) + json.dumps(client.last_events)


def _customer_calls(client: ReflexClient, sub_id: object) -> None:
    route = "/services"
    call = lambda name, payload: client.call(handler_name(SubscriptionsState, name), payload,  # noqa: E731
                                             router_path=route)
    call("load", {})
    call("open_change", {"sub_id": sub_id})
    call("preview", {"form": {"quantity": "9"}})
    call("confirm_change", {})
    call("open_cancel", {"sub_id": sub_id})
    call("cancel", {"form": {"reason": "too_expensive"}})
    for name in ("undo_cancel", "pause", "resume"):
        call(name, {"sub_id": sub_id})


def _staff_calls(client: ReflexClient, org_id: object, product_id: object, sub_id: object) -> None:
    route = "/staff/subscriptions"
    client.call(handler_name(StaffSubscriptionsState, "load"), {}, router_path=route)
    client.call(handler_name(StaffSubscriptionsState, "start"),
                {"form": {"org_id": str(org_id), "product_id": str(product_id), "quantity": "1"}}, router_path=route)
    client.call(handler_name(StaffSubscriptionsState, "record_usage"),
                {"form": {"subscription_id": str(sub_id), "day": "", "usage_quantity": "5"}}, router_path=route)


def _staff_actions(client: ReflexClient, sub_id: object) -> None:
    """The actions billing staff take for a customer, from the staff's list."""
    route = "/staff/subscriptions"
    call = lambda name, payload: client.call(handler_name(StaffSubscriptionsState, name), payload,  # noqa: E731
                                             router_path=route)
    call("load", {})
    call("open_change", {"sub_id": sub_id})
    call("preview", {"form": {"quantity": "9"}})
    call("confirm_change", {})
    call("open_cancel", {"sub_id": sub_id})
    call("cancel", {"form": {"reason": "too_expensive"}})
    for name in ("undo_cancel", "pause", "resume"):
        call(name, {"sub_id": sub_id})


def test_nobody_and_another_organisation_get_nothing(portal):
    _, org_id, sub_id, product_id = _victim(portal, "subvictim")
    thief_cookie, _, _ = _person(portal, "subthief")
    before = _row(portal, sub_id)
    for who in (None, thief_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate("/services")
            for wanted in (str(sub_id), sub_id, f"{sub_id} OR 1=1", "", "0", "-1", 10**30, True, None, ["1"]):
                _customer_calls(client, wanted)
                state = client.state().get(SubscriptionsState.get_full_name(), {})
                assert state.get("rows_rx_state_", []) == []
            _staff_calls(client, org_id, product_id, sub_id)
            _staff_actions(client, str(sub_id))
            assert SECRET not in _leaked(client)
    assert _row(portal, sub_id) == before


def test_customers_and_agents_cannot_use_the_staff_forms(portal):
    cookie, org_id, sub_id, product_id = _victim(portal, "subcustomer")
    before = _row(portal, sub_id)
    agent_cookie, _ = _staff_cookie(portal, "agent")
    for who in (cookie, agent_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate("/staff/subscriptions")
            _staff_calls(client, org_id, product_id, sub_id)
            _staff_actions(client, str(sub_id))  # the customer's own: not from the staff's page; agents read only
    assert _row(portal, sub_id) == before
    with ReflexClient(portal.url, cookie=agent_cookie) as client:  # agents read, and change no customer's service
        client.hydrate("/services")
        _customer_calls(client, str(sub_id))
    assert _row(portal, sub_id) == before


def test_the_owner_changes_only_what_the_form_has(portal):
    cookie, org_id, sub_id, _ = _victim(portal, "subowner")
    _, other_org, other_id, _ = _victim(portal, "subother")
    state = SubscriptionsState.get_full_name()
    call = lambda client, name, payload: client.call(handler_name(SubscriptionsState, name), payload)  # noqa: E731
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/services")
        call(client, "load", {})
        assert [row["id"] for row in client.state()[state]["rows_rx_state_"]] == [str(sub_id)]
        # Another organisation's id opens nothing; confirming without a preview changes nothing.
        call(client, "open_change", {"sub_id": str(other_id)})
        assert client.state()[state]["change_for_rx_state_"] == ""
        call(client, "open_change", {"sub_id": str(sub_id)})
        call(client, "confirm_change", {})
        assert client.state()[state]["error_rx_state_"] == "Preview the change first."
        for quantity in ("", "-1", "0", "1.5", ["3"], 3.5, None, "9" * 40, "2"):
            call(client, "preview", {"form": {"quantity": quantity}})
            assert "quantity" in client.state()[state]["errors_rx_state_"], quantity
        call(client, "preview", {"form": "quantity=3"})  # not a form
        call(client, "preview", {"form": {"quantity": "3"}, "sub_id": str(other_id)})  # extra argument: refused
        call(client, "preview", {"form": {"quantity": "3", "product_id": "99999999"}})  # no such plan
        assert "product_id" in client.state()[state]["errors_rx_state_"]
        for plan in ("abc", ["1"], 7):  # not an id: the plan it has
            call(client, "preview", {"form": {"quantity": "3", "product_id": plan}})
            assert client.state()[state]["preview_words_rx_state_"].startswith(f"Change to 3 × {SECRET}:")
        call(client, "preview", {"form": {"quantity": "3", "unit_price": "1", "org_id": str(other_org),
                                          "status": "cancelled", "next_renewal": "2000-01-01"}})
        assert "Change to 3 × " in client.state()[state]["preview_words_rx_state_"]
        call(client, "confirm_change", {})
        # Cancelling: a reason from the list, a comment for "other"; extra fields ignored.
        call(client, "open_cancel", {"sub_id": str(sub_id)})
        for form, field in (({"reason": "bored"}, "reason"), ({"reason": ["other"]}, "reason"),
                            ({"reason": "other", "comment": ""}, "comment"),
                            ({"reason": "other", "comment": "x" * 1001}, "comment")):
            call(client, "cancel", {"form": form})
            assert field in client.state()[state]["errors_rx_state_"], form
        call(client, "cancel", {"form": {"reason": "switching", "status": "cancelled", "ended_on": "2000-01-01",
                                         "org_id": str(other_org)}})
        for junk in (sub_id, None, ["1"], {"id": 1}):
            call(client, "pause", {"sub_id": junk})
        call(client, "pause", {"sub_id": str(other_id)})
    org, quantity, price, status, cancelling, _, _, invoices = _row(portal, sub_id)
    assert (org, quantity, price, status, cancelling, invoices) == (org_id, 3, 5000, "active", True, 2)
    other = _row(portal, other_id)
    assert other[1:5] == (2, 5000, "active", False)


def test_billing_staff_extra_fields_and_bad_input(portal):
    _, org_id, sub_id, product_id = _victim(portal, "substaff")
    cookie, _ = _staff_cookie(portal, "billing")
    state = StaffSubscriptionsState.get_full_name()
    start = handler_name(StaffSubscriptionsState, "start")
    usage = handler_name(StaffSubscriptionsState, "record_usage")
    with portal_session(portal) as session:
        before = len(session.exec(select(Subscription.id).where(Subscription.org_id == org_id)).all())
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/staff/subscriptions")
        client.call(handler_name(StaffSubscriptionsState, "load"), {})
        assert client.state()[state]["can_write_rx_state_"] is True
        for form, field in (({"org_id": str(org_id), "product_id": "abc", "quantity": "1"}, "product_id"),
                            ({"org_id": str(org_id), "product_id": str(product_id), "quantity": "0"}, "quantity"),
                            ({"org_id": str(org_id), "product_id": str(product_id), "quantity": ["1"]}, "quantity")):
            client.call(start, {"form": form})
            assert field in client.state()[state]["start_errors_rx_state_"], form
        client.call(start, {"form": {"org_id": "99999999", "product_id": str(product_id), "quantity": "1"}})
        assert client.state()[state]["start_error_rx_state_"] == "Organisation not found."
        client.call(start, {"form": "org_id=1"})
        client.call(start, {"form": {"org_id": str(org_id), "product_id": str(product_id), "quantity": "4",
                                     "unit_price": "1", "status": "cancelled", "next_renewal": "2000-01-01"}})
        for form, field in (({"subscription_id": str(sub_id), "day": "tomorrow", "usage_quantity": "1"}, "day"),
                            ({"subscription_id": str(sub_id), "day": "2000-01-01", "usage_quantity": "1"}, "day"),
                            ({"subscription_id": str(sub_id), "day": subs.today().isoformat(),
                              "usage_quantity": "-1"}, "usage_quantity")):
            client.call(usage, {"form": form})
            assert field in client.state()[state]["usage_errors_rx_state_"], form
        client.call(usage, {"form": {"subscription_id": str(sub_id), "day": subs.today().isoformat(),
                                     "usage_quantity": "2.5", "recorded_by_id": "1", "quantity": "999"}})
    with portal_session(portal) as session:
        made = session.exec(select(Subscription).where(Subscription.org_id == org_id)
                            .order_by(Subscription.id)).all()
        assert len(made) == before + 1
        assert (made[-1].quantity, made[-1].unit_price, made[-1].status) == (4, 5000, "active")
        assert session.exec(select(UsageRecord.quantity).where(UsageRecord.subscription_id == sub_id)).all() == [2500]


def test_billing_staff_cancel_for_a_customer_with_only_what_the_form_has(portal):
    """Billing staff act for a customer who phones: junk ids open nothing,
    the reason is checked, forged fields are ignored, and only the
    subscription opened is cancelled."""
    _, org_id, sub_id, _ = _victim(portal, "substaffcancel")
    _, _, other_id, _ = _victim(portal, "substaffother")
    cookie, _ = _staff_cookie(portal, "billing")
    other_before = _row(portal, other_id)
    state = StaffSubscriptionsState.get_full_name()
    call = lambda client, name, payload: client.call(handler_name(StaffSubscriptionsState, name), payload)  # noqa: E731
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/staff/subscriptions")
        call(client, "load", {})
        assert client.state()[state]["can_change_rx_state_"] is True
        for junk in (sub_id, None, ["1"], "999999999", f"{sub_id} OR 1=1"):
            call(client, "open_cancel", {"sub_id": junk})
            assert client.state()[state]["cancel_for_rx_state_"] == ""
        call(client, "open_cancel", {"sub_id": str(sub_id)})
        for form, field in (({"reason": "bored"}, "reason"), ({"reason": "other", "comment": ""}, "comment")):
            call(client, "cancel", {"form": form})
            assert field in client.state()[state]["errors_rx_state_"], form
        call(client, "cancel", {"form": {"reason": "other", "comment": "Phoned: moving <b>abroad</b>",
                                         "status": "cancelled", "sub_id": str(other_id)}})
        assert client.state()[state]["cancel_for_rx_state_"] == ""
    org, quantity, _, status, cancelling, _, _, _ = _row(portal, sub_id)
    assert (org, quantity, status, cancelling) == (org_id, 2, "active", True)
    with portal_session(portal) as session:
        assert session.get(Subscription, sub_id).cancel_comment == "Phoned: moving <b>abroad</b>"  # text, shown as text
    assert _row(portal, other_id) == other_before
