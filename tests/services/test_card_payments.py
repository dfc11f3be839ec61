"""Paying an invoice by card against localstripe with the real SDK:
success, a decline at charge time, 3-D Secure passed and failed, double
submits (in a row, and two threads on PostgreSQL: one charge), the amount
and currency from the server, another organisation's invoice or card,
roles, and a portal without Stripe keys."""

from __future__ import annotations

import inspect
import threading

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from portal_app.integrations import stripe_gateway
from portal_app.models import AuditEvent, Invoice, Organization, Payment, PaymentAttempt, User
from portal_app.services import card_payments, invoices, payments
from portal_app.services.errors import (
    ErrorCode, Forbidden, Invalid, NotFound, PaymentInProgress, PaymentsNotSetUp, PortalError,
)
from portal_app.services.cards import MANAGERS
from portal_app.services.principal import Principal, principal_for_user
from portal_app.settings import get_settings
from tests.factories import ours_and_theirs, staff_admin, staff_member
from tests.permissions import Permission, join, permission_tests
from tests.stripe_cards import DECLINED_AT_CHARGE, THREE_D_SECURE, authenticate, payment_intents, save

LINES = [{"description": "Support plan, November", "quantity": "1", "unit_price": "120.00", "tax_rate": "20"}]


def _people(session: Session) -> dict[str, Principal]:
    people = ours_and_theirs(session)
    admin = staff_admin(session)
    people["staff"] = staff_member(session, admin, "billing")
    people["billing"] = join(session, people["owner"], "bill@example.com", "billing", "Bill Payer")
    people["member"] = join(session, people["owner"], "mem@example.com", "member", "Mem Ber")
    session.commit()
    return people


@pytest.fixture
def org(engine, seeded, session, stripe_settings) -> dict[str, Principal]:
    return seeded(engine, _people)


def _ours(people) -> int:
    return people["owner"].current.org_id


def _issued(session: Session, staff: Principal, org_id: int) -> Invoice:
    draft = invoices.do_create_draft(session, staff, org_id, lines=LINES)
    invoice = invoices.do_issue(session, staff, draft.id)
    session.commit()
    return invoice


def _attempts(session: Session, invoice: Invoice) -> list[tuple[int, str]]:
    return [(a.attempt, a.status) for a in session.exec(
        select(PaymentAttempt).where(PaymentAttempt.invoice_id == invoice.id).order_by(PaymentAttempt.attempt))]


def _payments(session: Session, invoice: Invoice) -> list[Payment]:
    return list(session.exec(select(Payment).where(Payment.invoice_id == invoice.id)).all())


def test_paying_with_the_default_card_records_the_payment_once(session, org) -> None:
    ours = _ours(org)
    invoice = _issued(session, org["staff"], ours)
    card = save(session, org["billing"], ours)
    outcome = card_payments.pay_invoice(session, org["billing"], invoice.id)
    session.commit()
    assert outcome.status == "succeeded" and outcome.message == "Paid £144.00. Thank you."
    session.refresh(invoice)
    assert (invoice.status, invoice.paid) == ("paid", 14400)
    [intent] = payment_intents()
    assert (intent.amount, intent.currency, intent.payment_method, intent.status) == (14400, "gbp", card.id,
                                                                                      "succeeded")
    assert intent.customer == session.get(Organization, ours).stripe_customer_id
    assert intent.metadata.to_dict() == {"invoice_id": str(invoice.id), "org_id": str(ours), "attempt": "1"}
    [payment] = _payments(session, invoice)
    assert (payment.method, payment.reference, payment.stripe_payment_intent_id, payment.amount) == \
        ("card", intent.id, intent.id, 14400)
    [attempt] = session.exec(select(PaymentAttempt)).all()
    assert (attempt.status, attempt.stripe_payment_intent_id, attempt.amount, attempt.currency) == \
        ("succeeded", intent.id, 14400, "GBP")
    assert attempt.idempotency_key.endswith(f"-invoice-{invoice.id}-{int(invoice.created_at.timestamp())}-attempt-1")
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.target_type == "invoice",
                                                           AuditEvent.target_id == str(invoice.id))).all()
    assert actions[-2:] == ["payment.card_started", "payment.recorded"]
    # The webhook (or a second confirmation) recording the same intent again does nothing.
    assert card_payments.record_success(session, None, attempt, intent.id) is None
    assert len(_payments(session, invoice)) == 1


def test_paying_twice_in_a_row_charges_once(session, org) -> None:
    ours = _ours(org)
    invoice = _issued(session, org["staff"], ours)
    save(session, org["owner"], ours)
    card_payments.pay_invoice(session, org["owner"], invoice.id)
    session.commit()
    with pytest.raises(Invalid, match="paid in full already"):
        card_payments.pay_invoice(session, org["owner"], invoice.id)
    assert len(payment_intents()) == 1 and _attempts(session, invoice) == [(1, "succeeded")]


def test_a_decline_at_charge_time_records_nothing_and_a_new_try_works(session, org) -> None:
    ours = _ours(org)
    invoice = _issued(session, org["staff"], ours)
    bad = save(session, org["owner"], ours, DECLINED_AT_CHARGE)
    good = save(session, org["owner"], ours)
    outcome = card_payments.pay_invoice(session, org["owner"], invoice.id, bad.id)
    session.commit()
    assert (outcome.status, outcome.message) == ("failed", "Your card was declined.")
    session.refresh(invoice)
    assert (invoice.status, invoice.paid, _payments(session, invoice)) == ("open", 0, [])
    attempt = session.get(PaymentAttempt, outcome.attempt_id)
    assert (attempt.status, attempt.error_message) == ("failed", "Your card was declined.")
    assert session.exec(select(AuditEvent.action).where(AuditEvent.action == "payment.card_failed")).all()
    again = card_payments.pay_invoice(session, org["owner"], invoice.id, good.id)
    session.commit()
    assert again.status == "succeeded" and _attempts(session, invoice) == [(1, "failed"), (2, "succeeded")]
    session.refresh(invoice)
    assert invoice.status == "paid" and len(_payments(session, invoice)) == 1


@pytest.mark.parametrize("passed", [True, False], ids=["passed", "failed"])
def test_three_d_secure_is_completed_in_the_page_then_read_again(session, org, passed) -> None:
    ours = _ours(org)
    invoice = _issued(session, org["staff"], ours)
    card = save(session, org["owner"], ours, THREE_D_SECURE)
    outcome = card_payments.pay_invoice(session, org["owner"], invoice.id, card.id)
    session.commit()
    assert outcome.status == "requires_action" and outcome.client_secret.startswith("pi_")
    session.refresh(invoice)
    assert invoice.paid == 0
    with pytest.raises(PaymentInProgress, match="waiting for your bank") as err:  # a second tab
        card_payments.pay_invoice(session, org["owner"], invoice.id, card.id)
    assert err.value.code == ErrorCode.PAYMENT_IN_PROGRESS
    # Before the bank has answered, reading again changes nothing.
    assert card_payments.confirm_after_action(session, org["owner"], outcome.attempt_id).status == "requires_action"
    authenticate(outcome.client_secret, success=passed)
    after = card_payments.confirm_after_action(session, org["owner"], outcome.attempt_id)
    session.commit()
    session.refresh(invoice)
    if passed:
        assert after.status == "succeeded" and invoice.status == "paid"
        assert [p.stripe_payment_intent_id for p in _payments(session, invoice)] == \
            [outcome.client_secret.split("_secret_")[0]]
    else:
        assert after.status == "failed" and "authentication failed" in after.message
        assert invoice.paid == 0 and _payments(session, invoice) == []
    # Confirming again (a reload) does not record twice.
    card_payments.confirm_after_action(session, org["owner"], outcome.attempt_id)
    assert len(_payments(session, invoice)) == (1 if passed else 0) and len(payment_intents()) == 1


def test_an_abandoned_three_d_secure_can_be_cancelled_and_paid_afresh(session, org) -> None:
    ours = _ours(org)
    invoice = _issued(session, org["staff"], ours)
    strict = save(session, org["owner"], ours, THREE_D_SECURE)
    plain = save(session, org["owner"], ours)
    waiting = card_payments.pay_invoice(session, org["owner"], invoice.id, strict.id)
    session.commit()
    with pytest.raises(NotFound):
        card_payments.cancel_attempt(session, org["theirs"], waiting.attempt_id)
    cancelled = card_payments.cancel_attempt(session, org["owner"], waiting.attempt_id)
    session.commit()
    assert cancelled.status == "failed" and "nothing was charged" in cancelled.message
    first = waiting.client_secret.split("_secret_")[0]
    assert {i.id: i.status for i in payment_intents()} == {first: "canceled"}
    assert card_payments.pay_invoice(session, org["owner"], invoice.id, plain.id).status == "succeeded"
    assert _attempts(session, invoice) == [(1, "failed"), (2, "succeeded")]


def test_a_waiting_payment_finished_elsewhere_is_settled_before_a_new_one(session, org) -> None:
    """The bank confirmed in the page, but the page never called back: the
    next "pay" asks Stripe, records the first payment, and charges nothing more."""
    ours = _ours(org)
    invoice = _issued(session, org["staff"], ours)
    card = save(session, org["owner"], ours, THREE_D_SECURE)
    waiting = card_payments.pay_invoice(session, org["owner"], invoice.id, card.id)
    session.commit()
    authenticate(waiting.client_secret, success=True)
    again = card_payments.pay_invoice(session, org["owner"], invoice.id, card.id)
    assert (again.attempt_id, again.status) == (waiting.attempt_id, "succeeded")
    session.commit()
    session.refresh(invoice)
    assert invoice.status == "paid" and len(_payments(session, invoice)) == 1 and len(payment_intents()) == 1


def test_the_webhook_before_the_customer_returns_records_once(session, org) -> None:
    """`settle_intent` is what the webhook slice calls with the event's
    PaymentIntent: here it arrives before the page calls back."""
    ours = _ours(org)
    invoice = _issued(session, org["staff"], ours)
    card = save(session, org["owner"], ours, THREE_D_SECURE)
    waiting = card_payments.pay_invoice(session, org["owner"], invoice.id, card.id)
    session.commit()
    authenticate(waiting.client_secret, success=True)
    intent = stripe_gateway.retrieve_payment_intent(waiting.client_secret.split("_secret_")[0])
    assert card_payments.settle_intent(session, intent).status == "succeeded"
    assert card_payments.settle_intent(session, intent).message == "Recorded already."  # a duplicate event
    back = card_payments.confirm_after_action(session, org["owner"], waiting.attempt_id)
    session.commit()
    assert back.status == "succeeded" and len(_payments(session, invoice)) == 1
    [payment] = _payments(session, invoice)
    assert payment.recorded_by_id is None  # the system recorded it


def test_an_intent_that_is_not_ours_or_does_not_match_is_not_recorded(session, org) -> None:
    ours = _ours(org)
    invoice = _issued(session, org["staff"], ours)
    card = save(session, org["owner"], ours, THREE_D_SECURE)
    waiting = card_payments.pay_invoice(session, org["owner"], invoice.id, card.id)
    session.commit()
    customer = session.get(Organization, ours).stripe_customer_id
    stranger = stripe_gateway.client().v1.payment_intents.create(params={
        "amount": 100, "currency": "gbp", "customer": customer, "payment_method": save(session, org["owner"], ours).id,
        "confirm": True, "metadata": {"invoice_id": str(invoice.id), "org_id": str(ours), "attempt": "9"}})
    assert card_payments.settle_intent(session, stranger) is None
    authenticate(waiting.client_secret, success=True)
    intent = stripe_gateway.retrieve_payment_intent(waiting.client_secret.split("_secret_")[0])
    intent.amount = 1  # as if the event said another amount
    assert card_payments.settle_intent(session, intent).status == "failed"
    session.refresh(invoice)
    assert invoice.paid == 0 and _payments(session, invoice) == []


def test_settle_intent_says_why_it_refused_and_fails_an_attempt_once(session, org) -> None:
    """An event naming another invoice is refused like a wrong amount, and
    says which (the webhook records it); a second failure event about an
    attempt that failed already neither fails nor audits it again."""
    ours = _ours(org)
    invoice = _issued(session, org["staff"], ours)
    card = save(session, org["owner"], ours, THREE_D_SECURE)
    waiting = card_payments.pay_invoice(session, org["owner"], invoice.id, card.id)
    session.commit()
    authenticate(waiting.client_secret, success=True)
    intent = stripe_gateway.retrieve_payment_intent(waiting.client_secret.split("_secret_")[0])
    intent.metadata["invoice_id"] = str(invoice.id + 1000)
    refused = card_payments.settle_intent(session, intent)
    assert (refused.status, refused.refused, refused.message) == ("failed", "invoice mismatch", card_payments.MISMATCH)
    intent.metadata["invoice_id"] = str(invoice.id)
    intent.amount += 1
    assert card_payments.settle_intent(session, intent).refused == "amount or currency mismatch"
    session.commit()
    failed = stripe_gateway.retrieve_payment_intent(intent.id)
    failed.status = "requires_payment_method"  # a payment_failed event about it, later
    assert card_payments.settle_intent(session, failed).message == card_payments.ALREADY
    session.commit()
    session.refresh(invoice)
    assert invoice.paid == 0 and _payments(session, invoice) == []
    assert _attempts(session, invoice) == [(1, "failed")]
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "payment.card_failed")).all()) == 2


def test_the_amount_and_currency_come_from_the_invoice(session, org) -> None:
    ours = _ours(org)
    session.exec(update(Organization).where(Organization.id == ours).values(currency="EUR"))
    session.commit()
    invoice = _issued(session, org["staff"], ours)
    payments.do_record_payment(session, org["staff"], invoice.id, amount="44.00", method="bank_transfer")
    session.commit()
    save(session, org["owner"], ours)
    assert set(inspect.signature(card_payments.pay_invoice).parameters) == \
        {"session", "principal", "invoice_id", "payment_method_id"}  # nothing else is taken from a page
    with pytest.raises(TypeError):
        card_payments.pay_invoice(session, org["owner"], invoice.id, amount=1, currency="JPY")
    card_payments.pay_invoice(session, org["owner"], invoice.id)
    [intent] = payment_intents()
    assert (intent.amount, intent.currency) == (10000, "eur")


def test_another_organisations_invoice_or_card_is_not_found(session, org) -> None:
    ours, theirs = _ours(org), org["theirs"].current.org_id
    our_invoice, their_invoice = _issued(session, org["staff"], ours), _issued(session, org["staff"], theirs)
    save(session, org["owner"], ours)
    their_card = save(session, org["theirs"], theirs)
    session.commit()
    for invoice_id, card_id in ((their_invoice.id, None), (our_invoice.id, their_card.id), (True, None),
                                (str(our_invoice.id), None), (our_invoice.id, "pm_card_visa")):
        with pytest.raises(NotFound):
            card_payments.pay_invoice(session, org["owner"], invoice_id, card_id)
    assert payment_intents() == [] and session.exec(select(PaymentAttempt)).all() == []
    outcome = card_payments.pay_invoice(session, org["theirs"], their_invoice.id)
    with pytest.raises(NotFound):
        card_payments.confirm_after_action(session, org["owner"], outcome.attempt_id)


@pytest.mark.parametrize("who", ["member", "staff"])
def test_members_and_staff_cannot_pay_by_card(session, org, who) -> None:
    ours = _ours(org)
    invoices.set_open_to_members(session, org["owner"], ours, value=True)  # members may read, still not pay
    invoice = _issued(session, org["staff"], ours)
    save(session, org["owner"], ours)
    session.commit()
    with pytest.raises(PortalError) as err:
        card_payments.pay_invoice(session, org[who], invoice.id)
    if who == "member":
        assert type(err.value) is Forbidden and err.value.code == ErrorCode.ROLE_REQUIRED
    else:
        assert type(err.value) is NotFound
    assert payment_intents() == [] and session.exec(select(PaymentAttempt)).all() == []


def test_no_card_saved_yet_says_so(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    with pytest.raises(Invalid, match="Save a card first"):
        card_payments.pay_invoice(session, org["owner"], invoice.id)


def test_without_stripe_keys_card_payments_are_not_set_up(session, org, monkeypatch) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    monkeypatch.delenv("PORTAL_STRIPE_PUBLISHABLE_KEY")
    get_settings.cache_clear()
    try:
        with pytest.raises(PaymentsNotSetUp, match="Card payments are not set up on this portal"):
            card_payments.pay_invoice(session, org["owner"], invoice.id)
    finally:
        monkeypatch.setenv("PORTAL_STRIPE_PUBLISHABLE_KEY", "pk_test_portal")
        get_settings.cache_clear()
    assert session.exec(select(PaymentAttempt)).all() == []


@pytest.mark.postgres
def test_two_tabs_paying_at_once_charge_once(pg_migrated_url, stripe_settings) -> None:
    from portal_app.db import make_engine

    engine = make_engine(pg_migrated_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            people = _people(session)
            ours = _ours(people)
            invoice = _issued(session, people["staff"], ours)
            save(session, people["owner"], ours)
            session.commit()
        barrier, results = threading.Barrier(2), []

        def pay() -> None:
            with Session(engine, expire_on_commit=False) as session:
                barrier.wait()
                try:
                    results.append(card_payments.pay_invoice(session, people["owner"], invoice.id).status)
                    session.commit()
                except PortalError as err:
                    session.rollback()
                    results.append(type(err).__name__)

        threads = [threading.Thread(target=pay) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(results) in (["PaymentInProgress", "succeeded"], ["Invalid", "succeeded"])
        assert len(payment_intents()) == 1
        with Session(engine) as session:
            assert _attempts(session, invoice) == [(1, "succeeded")]
            assert len(_payments(session, invoice)) == 1
            assert session.get(Invoice, invoice.id).status == "paid"
    finally:
        engine.dispose()


# ---------------------------------------------------------------- the three cases, NetBox style

def _payable_invoice(session: Session, owner: Principal) -> int:
    """An issued invoice of the owner's organisation, with a card saved."""
    admin = session.exec(select(User).where(User.staff_role == "admin")).first()
    staff = principal_for_user(session, admin, None)
    org_id = owner.current.org_id
    draft = invoices.do_create_draft(session, staff, org_id, lines=LINES)
    invoices.do_issue(session, staff, draft.id)
    save(session, owner, org_id)
    return draft.id


def _paid(session: Session, actor: Principal, invoice_id: int, result: object) -> None:
    assert result.status == "succeeded" and session.get(Invoice, invoice_id).status == "paid"
    assert len(payment_intents()) == 1


# Plain members do not see the invoice at all here (the organisation does not
# open invoices to members): not found, like any invoice they may not read.
test_pay_permissions = pytest.mark.usefixtures("stripe_settings")(permission_tests(
    Permission("pay", card_payments.pay_invoice, MANAGERS, target_row=_payable_invoice, check=_paid,
               refused=NotFound),
))
