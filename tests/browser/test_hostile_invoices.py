"""The billing handlers under a hostile client (Reflex's websocket spoken
directly): no session, another organisation's invoice ids (in the route
data, which the client writes), customers calling the staff's money
handlers, staff agents calling them, extra fields (`org_id`, `currency`,
`total`, `status`, `paid`) and wrong types. Nothing changes that should
not, nothing leaks, and bad amounts get a message next to their field."""

from __future__ import annotations

import json

from sqlmodel import select

from portal_app.models import Invoice, InvoiceLine, Organization, Payment
from portal_app.services import invoices
from portal_app.state.invoices import BillingState, DraftState, InvoiceState, StaffInvoicesState, StatementState
from tests import factories
from tests.browser.accounts_helpers import portal_session
from tests.browser.test_hostile_client import _person
from tests.browser.test_hostile_console import _staff_cookie
from tests.ws_client import ReflexClient, handler_name

SECRET = "Victim's confidential retainer"
LINES = [{"description": SECRET, "quantity": "1", "unit_price": "999", "tax_rate": "20"}]


def _route(invoice_id: object) -> str:
    return f"/billing/invoices/[invoice_id]?invoice_id={invoice_id}"


def _victim_invoice(portal, prefix: str = "billvictim") -> tuple[str, int, int]:
    """An issued invoice of a new organisation: (its owner's cookie, org id, invoice id)."""
    cookie, _, victim = _person(portal, prefix)
    with portal_session(portal) as session:
        staff = factories.staff_admin(session, email=f"billing-{prefix}-{victim.user_id}@example.com", name="Bill")
        draft = invoices.do_create_draft(session, staff, victim.current.org_id, lines=LINES)
        invoices.do_issue(session, staff, draft.id)
        session.commit()
        return cookie, victim.current.org_id, draft.id


def _rows(portal, invoice_id: int) -> tuple:
    with portal_session(portal) as session:
        invoice = session.get(Invoice, invoice_id)
        paid = session.exec(select(Payment.amount).where(Payment.invoice_id == invoice_id)).all()
        notes = session.exec(select(Invoice.id).where(Invoice.credit_for_id == invoice_id)).all()
        return invoice.status, invoice.paid, invoice.credited, invoice.total, invoice.org_id, sorted(paid), notes


def _leaked(client: ReflexClient) -> str:
    return json.dumps(client.state()) + json.dumps(client.last_events)


def _money_calls(client: ReflexClient, invoice_id: object) -> None:
    route = _route(invoice_id)
    client.call(handler_name(InvoiceState, "load"), {}, router_path=route)
    client.call(handler_name(InvoiceState, "record_payment"), {"form": {"amount": "999", "method": "cash"}},
                router_path=route)
    client.call(handler_name(InvoiceState, "refund"), {"form": {"refund_amount": "1", "refund_method": "cash"}},
                router_path=route)
    client.call(handler_name(InvoiceState, "credit"), {"form": {"credit_amount": "999", "credit_reason": "x"}},
                router_path=route)
    client.call(handler_name(InvoiceState, "void"), {"form": {"void_reason": "x"}}, router_path=route)


def test_nobody_and_another_organisation_get_nothing(portal):
    _, _, victim_id = _victim_invoice(portal)
    thief_cookie, _, _ = _person(portal, "billthief")
    before = _rows(portal, victim_id)
    for who in (None, thief_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate(_route(victim_id))
            for wanted in (victim_id, f"{victim_id} OR 1=1", "", "0", "-1", "1e3", 10**30, True, "abc"):
                _money_calls(client, wanted)
                assert client.state().get(InvoiceState.get_full_name(), {}).get("found_rx_state_", False) is False
            client.call(handler_name(BillingState, "load"), {}, router_path="/billing")
            client.call(handler_name(BillingState, "filter"), {"status": "unpaid"}, router_path="/billing")
            client.call(handler_name(BillingState, "go_to"), {"page": 2}, router_path="/billing")
            client.call(handler_name(StaffInvoicesState, "load"), {}, router_path="/staff/invoices")
            client.call(handler_name(StaffInvoicesState, "apply"), {"form": {"status": "", "org": ""}},
                        router_path="/staff/invoices")
            assert SECRET not in _leaked(client)
    assert _rows(portal, victim_id) == before


def test_customers_cannot_record_money_or_write_drafts(portal):
    cookie, org_id, invoice_id = _victim_invoice(portal, "billcustomer")
    before = _rows(portal, invoice_id)
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(_route(invoice_id))
        client.call(handler_name(InvoiceState, "load"), {})
        page = client.state()[InvoiceState.get_full_name()]
        assert page["found_rx_state_"] is True and page["may_manage_rx_state_"] is False
        _money_calls(client, invoice_id)
        client.call(handler_name(DraftState, "load"), {}, router_path="/staff/invoices/draft")
        client.call(handler_name(DraftState, "save"), {"form": {"org": str(org_id), "line-1-description": "Free",
                                                                "line-1-unit_price": "0"}},
                    router_path="/staff/invoices/draft")
        client.call(handler_name(DraftState, "find_org"), {"words": ""}, router_path="/staff/invoices/draft")
        assert client.state().get(DraftState.get_full_name(), {}).get("orgs_rx_state_", []) == []
        client.call(handler_name(DraftState, "issue"), {}, router_path=f"/staff/invoices/draft?id={invoice_id}")
        client.call(handler_name(DraftState, "delete"), {}, router_path=f"/staff/invoices/draft?id={invoice_id}")
    assert _rows(portal, invoice_id) == before
    with portal_session(portal) as session:
        assert session.exec(select(Invoice).where(Invoice.org_id == org_id)).all()[-1].id == invoice_id


def test_staff_agents_read_but_cannot_record_money(portal):
    _, _, invoice_id = _victim_invoice(portal, "billagent")
    before = _rows(portal, invoice_id)
    cookie, _ = _staff_cookie(portal, "agent")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(_route(invoice_id))
        _money_calls(client, invoice_id)
        page = client.state()[InvoiceState.get_full_name()]
        assert page["found_rx_state_"] is True and page["may_manage_rx_state_"] is False
        client.call(handler_name(DraftState, "load"), {}, router_path="/staff/invoices/draft")
        assert client.state()[DraftState.get_full_name()]["allowed_rx_state_"] is False
    assert _rows(portal, invoice_id) == before


def test_billing_staff_extra_fields_and_bad_amounts(portal):
    _, org_id, invoice_id = _victim_invoice(portal, "billforger")
    _, other_org, other_id = _victim_invoice(portal, "billother")
    cookie, _ = _staff_cookie(portal, "billing")
    state = InvoiceState.get_full_name()
    pay = handler_name(InvoiceState, "record_payment")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(_route(invoice_id))
        client.call(handler_name(InvoiceState, "load"), {})
        assert client.state()[state]["may_manage_rx_state_"] is True
        for form, field in (({"amount": "", "method": "cash"}, "amount"), ({"amount": "-5", "method": "cash"}, "amount"),
                            ({"amount": "1.001", "method": "cash"}, "amount"), ({"amount": ["5"], "method": "cash"}, "amount"),
                            ({"amount": "1e9", "method": "cash"}, "amount"), ({"amount": "NaN", "method": "cash"}, "amount"),
                            ({"amount": "5", "method": "bitcoin"}, "method"), ({"amount": "5", "method": 1}, "method"),
                            ({"amount": "5", "method": "cash", "received_on": "tomorrow"}, "received_on"),
                            ({"amount": "5", "method": "cash", "reference": "x" * 101}, "reference")):
            client.call(pay, {"form": form})
            assert field in client.state()[state]["errors_rx_state_"], form
        client.call(pay, {"form": "amount=5"})  # not a form
        client.call(pay, {"form": {"amount": "5", "method": "cash"}, "invoice_id": other_id})  # extra argument: refused
        assert _rows(portal, invoice_id)[1] == 0
        # Fields the form does not have are ignored: the invoice is the page's, the currency the invoice's.
        client.call(pay, {"form": {"amount": "5", "method": "cash", "org_id": str(other_org), "currency": "JPY",
                                   "invoice_id": str(other_id), "status": "paid", "paid": "1198800"}})
        client.call(handler_name(InvoiceState, "credit"), {"form": {"credit_amount": "1", "credit_reason":
                                                                    "<script>alert(1)</script>"}})
    status, paid, credited, total, owner, amounts, notes = _rows(portal, invoice_id)
    assert (status, paid, credited, owner, amounts) == ("partially_paid", 500, 100, org_id, [500])
    assert _rows(portal, other_id)[1:3] == (0, 0)
    with portal_session(portal) as session:
        note = session.get(Invoice, notes[0])
        assert note.memo == "<script>alert(1)</script>" and note.currency == "GBP"


def test_draft_editor_takes_only_its_fields(portal):
    _, org_id, _ = _victim_invoice(portal, "billdraft")
    cookie, _ = _staff_cookie(portal, "billing")
    save = handler_name(DraftState, "save")
    with portal_session(portal) as session:
        before = set(session.exec(select(Invoice.id)).all())
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/staff/invoices/draft")
        client.call(handler_name(DraftState, "load"), {})
        assert client.state()[DraftState.get_full_name()]["allowed_rx_state_"] is True
        for form in ({"org": "abc", "line-1-description": "x", "line-1-unit_price": "1"},
                     {"org": "99999999", "line-1-description": "x", "line-1-unit_price": "1"},
                     {"org": str(org_id), "line-1-description": "x", "line-1-unit_price": "-1"},
                     {"org": str(org_id)}, "org=1", {"org": [str(org_id)], "line-1-description": "x"}):
            client.call(save, {"form": form})
        for _ in range(invoices.LINES_MAX + 5):
            client.call(handler_name(DraftState, "add_line"), {})
        assert len(client.state()[DraftState.get_full_name()]["lines_rx_state_"]) == invoices.LINES_MAX
        client.call(save, {"form": {"org": str(org_id), "line-1-description": "Consulting", "line-1-unit_price": "10",
                                    "line-1-quantity": "2", "total": "1", "status": "paid",
                                    "number": "INV-1999-0001", "created_by_id": "1"}})
        # The currency is a field of the form, but not while the organisation owes in its own.
        client.call(save, {"form": {"org": str(org_id), "currency": "JPY", "line-1-description": "Yen",
                                    "line-1-unit_price": "10"}})
        assert "currency" in client.state()[DraftState.get_full_name()]["errors_rx_state_"]
    with portal_session(portal) as session:
        made = [i for i in session.exec(select(Invoice)).all() if i.id not in before]
        assert len(made) == 1
        draft = made[0]
        assert (draft.status, draft.number, draft.total, draft.currency, draft.org_id) == (
            "draft", None, 2000, "GBP", org_id)
        assert [line.description for line in session.exec(
            select(InvoiceLine).where(InvoiceLine.invoice_id == draft.id)).all()] == ["Consulting"]


def test_only_owners_and_admins_share_invoices_with_members(portal):
    cookie, org_id, _ = _victim_invoice(portal, "billshare")
    with portal_session(portal) as session:
        owner = session.exec(select(Organization).where(Organization.id == org_id)).one()
        assert owner.invoices_open_to_members is False
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/billing")
        client.call(handler_name(BillingState, "load"), {})
        for junk in ("yes", 1, None, ["true"], {"value": True}):
            client.call(handler_name(BillingState, "set_shared"), {"value": junk})
        billing = BillingState.get_full_name()
        for junk in ("draft", "paid' OR 1=1"):  # not a customer's filter: said so, nothing listed
            client.call(handler_name(BillingState, "filter"), {"status": junk})
            assert client.state()[billing]["error_rx_state_"] == "Choose a status from the list."
            assert client.state()[billing]["rows_rx_state_"] == []
        for junk in (7, None, ["paid"]):  # not text: the whole list
            client.call(handler_name(BillingState, "filter"), {"status": junk})
            assert [row["status"] for row in client.state()[billing]["rows_rx_state_"]] == ["Open"]
    with portal_session(portal) as session:
        assert session.get(Organization, org_id).invoices_open_to_members is False


def test_the_statement_shows_only_the_persons_own_organisation(portal):
    owner_cookie, org_id, invoice_id = _victim_invoice(portal, "billstatement")
    thief_cookie, _, _ = _person(portal, "billstatementthief")
    state = StatementState.get_full_name()
    for who in (None, thief_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate("/billing/statement")
            client.call(handler_name(StatementState, "load"), {})
            for form in ({"since": "2000-01-01", "until": ""}, {"since": "2000-01-01", "org": str(org_id)},
                         {"org_id": org_id}, "since=2000-01-01"):
                client.call(handler_name(StatementState, "apply"), {"form": form})
                assert client.state().get(state, {}).get("entries_rx_state_", []) == []
            for page in (2, -1, "1", None, [1], 10**12):  # another page of nothing
                client.call(handler_name(StatementState, "go_to"), {"page": page})
                assert client.state().get(state, {}).get("entries_rx_state_", []) == []
            assert SECRET not in _leaked(client)
    with ReflexClient(portal.url, cookie=owner_cookie) as client:
        client.hydrate("/billing/statement")
        client.call(handler_name(StatementState, "load"), {})
        assert [e["number"] for e in client.state()[state]["entries_rx_state_"]] != []
        for form, field in (({"since": "yesterday"}, "since"), ({"since": ["2026-01-01"]}, "since"),
                            ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
                            ({"since": "1900-01-01", "until": "2026-01-01"}, "until")):
            client.call(handler_name(StatementState, "apply"), {"form": form})
            assert field in client.state()[state]["errors_rx_state_"], form
        for page in (10**12, -1, "2", None, True):  # clamped to the one page there is
            client.call(handler_name(StatementState, "go_to"), {"page": page})
            assert client.state()[state]["page_rx_state_"] == 1
            assert [e["number"] for e in client.state()[state]["entries_rx_state_"]] != []
        links = client.state()[state]["downloads_rx_state_"]
        assert links["csv"].startswith("/api/statement?org=") and links["csv"].endswith("&format=csv")


def test_card_handlers_take_nothing_from_the_client(portal):
    """Saved cards and paying by card: no session, another organisation's
    invoice, a member, forged Stripe answers. No attempt, card or payment
    appears that should not."""
    from portal_app.models import PaymentAttempt
    from portal_app.state.cards import CardPaymentState, CardsState

    owner_cookie, org_id, invoice_id = _victim_invoice(portal, "cardvictim")
    thief_cookie, _, _ = _person(portal, "cardthief")
    cards_state, pay_state = CardsState.get_full_name(), CardPaymentState.get_full_name()
    for who in (None, thief_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate(_route(invoice_id))
            client.call(handler_name(CardPaymentState, "load"), {})
            client.call(handler_name(CardPaymentState, "pay"), {"form": {"card": "pm_x"}})
            client.call(handler_name(CardPaymentState, "authenticated"), {"result": {"ok": True}})
            client.call(handler_name(CardsState, "load"), {}, router_path="/billing")
            client.call(handler_name(CardsState, "start_adding"), {}, router_path="/billing")
            client.call(handler_name(CardsState, "saved"), {"result": {"id": "seti_forged"}}, router_path="/billing")
            client.call(handler_name(CardsState, "make_default"), {"card_id": "pm_forged"}, router_path="/billing")
            client.call(handler_name(CardsState, "remove"), {"card_id": "pm_forged"}, router_path="/billing")
            assert client.state().get(pay_state, {}).get("status_rx_state_", "") in ("", "failed")
            assert SECRET not in _leaked(client)
    with ReflexClient(portal.url, cookie=owner_cookie) as client:
        client.hydrate("/billing")
        client.call(handler_name(CardsState, "load"), {})
        assert client.state()[cards_state]["enabled_rx_state_"] is True
        for result in ({"id": 7}, "seti_x", None, {"error": ["x"]}, {"id": "seti_" + "x" * 300}):
            client.call(handler_name(CardsState, "saved"), {"result": result})
            assert client.state()[cards_state]["error_rx_state_"] != ""
            assert client.state()[cards_state]["cards_rx_state_"] == []
        client.call(handler_name(CardsState, "saved"), {"result": {"error": "<b>Declined</b>"}})
        assert client.state()[cards_state]["error_rx_state_"] == "<b>Declined</b>"  # shown as text
        client.call(handler_name(CardPaymentState, "pay"), {"form": {"card": "pm_forged", "amount": "1"}},
                    router_path=_route(invoice_id))
        assert client.state()[pay_state]["status_rx_state_"] == "failed"
    with portal_session(portal) as session:
        assert session.exec(select(PaymentAttempt).where(PaymentAttempt.org_id == org_id)).all() == []
        assert session.get(Invoice, invoice_id).paid == 0


def test_the_organisation_finders_are_for_staff_only(portal):
    """The three pages that choose an organisation (a draft, a price list,
    a new subscription) list names only to staff."""
    from portal_app.state.catalogue import StaffPricesState
    from portal_app.state.subscriptions import StaffSubscriptionsState

    cookie, _, _ = _person(portal, "orgfinder")
    for who in (None, cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate("/staff/catalogue/prices")
            for state, path in ((DraftState, "/staff/invoices/draft"), (StaffPricesState, "/staff/catalogue/prices"),
                                (StaffSubscriptionsState, "/staff/subscriptions")):
                for words in ("", "Ltd", ["x"], None):
                    client.call(handler_name(state, "find_org"), {"words": words}, router_path=path)
                assert client.state().get(state.get_full_name(), {}).get("orgs_rx_state_", []) == []
