"""The Stripe webhook over HTTP through the real app, with real
PaymentIntents on localstripe: the event bodies are the intents as the test
server returns them, signed here the way Stripe signs (HMAC-SHA256 over
"<timestamp>.<body>" with the endpoint's secret, `t=…,v1=…`).

Cases: a good event pays the invoice once (one payment, one audit event,
one notification per billing person), the same event twice, a replay with
an old timestamp, a bad and a missing signature, an intent that is not
ours, an amount and an invoice that do not match, the webhook before the
customer's page re-reads after 3-D Secure, a failed payment, an unknown
event type, a portal without Stripe (404) or without the webhook secret
(503), and the 1 MB body cap."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal_app import routes
from portal_app.api.body_limit import body_limit
from portal_app.models import AuditEvent, Invoice, Notification, Payment, PaymentAttempt, StripeEvent
from portal_app.services import card_payments, invoices
from portal_app.settings import get_settings
from tests.factories import register, sign_in, staff_admin, staff_member
from tests.stripe_cards import OK, THREE_D_SECURE, authenticate, save, typed_card

LOCAL = "http://localhost:3000"
LINES = [{"description": "Support plan, November", "quantity": "1", "unit_price": "120.00", "tax_rate": "20"}]
SECRET = "whsec_portal"  # what the stripe_settings fixture sets as PORTAL_STRIPE_WEBHOOK_SECRET


def sign(body: bytes, *, secret: str = SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send with `body`."""
    at = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def intent_json(intent_id: str) -> dict:
    """The PaymentIntent exactly as the test server serves it."""
    settings = get_settings()
    answer = httpx.get(f"{settings.stripe_api_base}/v1/payment_intents/{intent_id}",
                       auth=(settings.stripe_secret_key, ""), timeout=10)
    answer.raise_for_status()
    return answer.json()


def event_body(event_type: str, obj: dict, event_id: str | None = None) -> bytes:
    return json.dumps({"id": event_id or f"evt_{secrets.token_hex(12)}", "object": "event", "type": event_type,
                       "api_version": "2024-06-20", "created": int(time.time()), "livemode": False,
                       "pending_webhooks": 1, "data": {"object": obj}}).encode()


@pytest.fixture
def shop(stripe_settings, http_portal):
    """Ada owns an organisation with a billing member, a saved 4242 card and
    a 3-D Secure card, and one issued invoice of £144.00."""
    client, session = http_portal(LOCAL)
    register(session)
    _, ada = sign_in(session)
    session.commit()
    staff = staff_member(session, staff_admin(session), "billing")
    from tests.permissions import join

    join(session, ada, "bill@example.com", "billing", "Bill Payer")
    org_id = ada.current.org_id
    draft = invoices.do_create_draft(session, staff, org_id, lines=LINES)
    invoice = invoices.do_issue(session, staff, draft.id)
    session.commit()
    return {"client": client, "session": session, "ada": ada, "org_id": org_id, "invoice": invoice}


def _post(shop, body: bytes, signature: str | None = "sign"):
    headers = {"content-type": "application/json"}
    if signature == "sign":
        headers["stripe-signature"] = sign(body)
    elif signature is not None:
        headers["stripe-signature"] = signature
    return shop["client"].post(routes.STRIPE_WEBHOOK_API, content=body, headers=headers)


def _waiting_for_3ds(shop) -> card_payments.Outcome:
    """Ada pays with the 3-D Secure card: the attempt waits for her bank."""
    session = shop["session"]
    card = save(session, shop["ada"], shop["org_id"], THREE_D_SECURE)
    outcome = card_payments.pay_invoice(session, shop["ada"], shop["invoice"].id, card.id)
    session.commit()
    assert outcome.status == "requires_action"
    return outcome


def _state(shop) -> dict:
    session: Session = shop["session"]
    session.expire_all()
    invoice = session.get(Invoice, shop["invoice"].id)
    return {
        "invoice": (invoice.status, invoice.paid),
        "payments": len(session.exec(select(Payment).where(Payment.invoice_id == invoice.id)).all()),
        "attempts": [a.status for a in session.exec(select(PaymentAttempt).order_by(PaymentAttempt.id))],
        "recorded": len(session.exec(select(AuditEvent).where(AuditEvent.action == "payment.recorded")).all()),
        "events": [(e.type, e.outcome) for e in session.exec(select(StripeEvent).order_by(StripeEvent.id))],
    }


def _attempt_intent(shop) -> str:
    shop["session"].expire_all()
    return shop["session"].exec(select(PaymentAttempt)).one().stripe_payment_intent_id


def test_the_webhook_before_the_page_pays_the_invoice_once(shop) -> None:
    """3-D Secure passed, and Stripe's event arrives before the customer's
    page re-reads: the webhook records the payment; the page's confirm then
    finds it done and does not record it again."""
    outcome = _waiting_for_3ds(shop)
    authenticate(outcome.client_secret, success=True)
    intent_id = _attempt_intent(shop)
    obj = intent_json(intent_id)
    assert obj["status"] == "succeeded"
    answer = _post(shop, event_body("payment_intent.succeeded", obj))
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "recorded: succeeded"
    assert answer.headers["cache-control"] == "no-store"
    assert _state(shop) == {"invoice": ("paid", 14400), "payments": 1, "attempts": ["succeeded"], "recorded": 1,
                            "events": [("payment_intent.succeeded", "recorded: succeeded")]}
    session = shop["session"]
    [payment] = session.exec(select(Payment)).all()
    assert (payment.method, payment.amount, payment.stripe_payment_intent_id) == ("card", 14400, intent_id)
    [audit] = session.exec(select(AuditEvent).where(AuditEvent.action == "payment.recorded")).all()
    assert audit.actor_id is None and audit.target_id == str(shop["invoice"].id)
    told = [n.user_id for n in session.exec(select(Notification).where(Notification.event == "invoice_paid"))]
    people = invoices.billing_people(session, shop["org_id"])
    assert len(people) == 2 and sorted(told) == people  # Ada and Bill, once each

    later = card_payments.confirm_after_action(session, shop["ada"], outcome.attempt_id)
    session.commit()
    assert later.status == "succeeded"
    assert _state(shop)["payments"] == 1 and _state(shop)["recorded"] == 1


def test_the_same_event_twice_is_processed_once(shop) -> None:
    outcome = _waiting_for_3ds(shop)
    authenticate(outcome.client_secret, success=True)
    body = event_body("payment_intent.succeeded", intent_json(_attempt_intent(shop)))
    assert _post(shop, body).json()["status"] == "recorded: succeeded"
    again = _post(shop, body)  # Stripe retrying: the same body, newly signed
    assert again.status_code == 200 and again.json()["status"] == "already processed"
    state = _state(shop)
    assert (state["invoice"], state["payments"], state["recorded"]) == (("paid", 14400), 1, 1)
    assert state["events"] == [("payment_intent.succeeded", "recorded: succeeded")]


def test_an_event_after_the_portal_recorded_the_charge_adds_nothing(shop) -> None:
    """The usual order: the charge succeeded in the payer's request, then
    Stripe's event arrives."""
    session = shop["session"]
    save(session, shop["ada"], shop["org_id"], OK)
    assert card_payments.pay_invoice(session, shop["ada"], shop["invoice"].id).status == "succeeded"
    session.commit()
    answer = _post(shop, event_body("payment_intent.succeeded", intent_json(_attempt_intent(shop))))
    assert answer.status_code == 200 and answer.json()["status"] == "recorded already"
    state = _state(shop)
    assert (state["invoice"], state["payments"], state["recorded"]) == (("paid", 14400), 1, 1)


@pytest.mark.parametrize("case", ["old timestamp", "other secret", "missing header", "garbled header",
                                  "body changed"])
def test_an_unverified_event_is_refused_and_nothing_is_written(shop, case) -> None:
    outcome = _waiting_for_3ds(shop)
    authenticate(outcome.client_secret, success=True)
    body = event_body("payment_intent.succeeded", intent_json(_attempt_intent(shop)))
    signature = {"old timestamp": sign(body, at=int(time.time()) - 301),
                 "other secret": sign(body, secret="whsec_someone_else"),
                 "missing header": None, "garbled header": "v1=abc",
                 "body changed": sign(body.replace(b'"livemode": false', b'"livemode": true'))}[case]
    answer = _post(shop, body, signature)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "bad_signature" and problem["status"] == 400
    assert problem["detail"] == ("The Stripe-Signature header is too old." if case == "old timestamp" else
                                 "The Stripe-Signature header is missing." if case == "missing header" else
                                 "The Stripe-Signature header is not valid.")
    assert SECRET not in answer.text
    assert _state(shop) == {"invoice": ("open", 0), "payments": 0, "attempts": ["requires_action"], "recorded": 0,
                            "events": []}


def test_a_body_that_is_not_an_event_is_refused(shop) -> None:
    answer = _post(shop, b"\xff\xfe not json")
    assert answer.status_code == 400 and answer.json()["detail"] == "The body is not a Stripe event."
    assert _state(shop)["events"] == []


def test_an_intent_that_is_not_ours_is_recorded_as_ignored(shop) -> None:
    """A charge made on the same Stripe account by something else."""
    from portal_app.integrations import stripe_gateway

    other = stripe_gateway.client().v1.payment_intents.create(params={
        "amount": 14400, "currency": "gbp", "payment_method": typed_card(OK), "payment_method_types": ["card"],
        "confirm": True, "metadata": {"order": "elsewhere"}})
    answer = _post(shop, event_body("payment_intent.succeeded", intent_json(other.id)))
    assert answer.status_code == 200 and answer.json()["status"] == "ignored: not ours"
    assert _state(shop) == {"invoice": ("open", 0), "payments": 0, "attempts": [], "recorded": 0,
                            "events": [("payment_intent.succeeded", "ignored: not ours")]}


@pytest.mark.parametrize("forged, why", [({"amount": 14401}, "amount or currency mismatch"),
                                         ({"currency": "eur"}, "amount or currency mismatch"),
                                         ({"metadata": {"invoice_id": "999999"}}, "invoice mismatch")])
def test_an_event_that_does_not_match_the_attempt_is_refused(shop, forged, why, caplog) -> None:
    outcome = _waiting_for_3ds(shop)
    authenticate(outcome.client_secret, success=True)
    obj = intent_json(_attempt_intent(shop))
    if "metadata" in forged:
        forged = {"metadata": {**obj["metadata"], **forged["metadata"]}}
    answer = _post(shop, event_body("payment_intent.succeeded", {**obj, **forged}))
    assert answer.status_code == 200 and answer.json()["status"] == f"refused: {why}"
    assert _state(shop) == {"invoice": ("open", 0), "payments": 0, "attempts": ["failed"], "recorded": 0,
                            "events": [("payment_intent.succeeded", f"refused: {why}")]}
    session = shop["session"]
    [failed] = session.exec(select(AuditEvent).where(AuditEvent.action == "payment.card_failed")).all()
    assert json.loads(failed.details)["reason"] == card_payments.MISMATCH
    [line] = [r.getMessage() for r in caplog.records if r.name == "portal_app.api.stripe_webhook"]
    assert why in line and obj["id"] in line and SECRET not in line and "client_secret" not in line


def test_a_failed_payment_fails_the_attempt_and_leaves_the_invoice(shop) -> None:
    outcome = _waiting_for_3ds(shop)
    authenticate(outcome.client_secret, success=False)
    answer = _post(shop, event_body("payment_intent.payment_failed", intent_json(_attempt_intent(shop))))
    assert answer.status_code == 200 and answer.json()["status"] == "recorded: failed"
    assert _state(shop) == {"invoice": ("open", 0), "payments": 0, "attempts": ["failed"], "recorded": 0,
                            "events": [("payment_intent.payment_failed", "recorded: failed")]}
    # The page's re-read afterwards changes nothing, and Stripe's retry of
    # another event about it neither.
    later = card_payments.confirm_after_action(shop["session"], shop["ada"], outcome.attempt_id)
    assert later.status == "failed"
    again = _post(shop, event_body("payment_intent.payment_failed", intent_json(_attempt_intent(shop))))
    assert again.json()["status"] == "recorded already"
    session = shop["session"]
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "payment.card_failed")).all()) == 1


def test_a_processing_event_marks_the_attempt_processing(shop) -> None:
    outcome = _waiting_for_3ds(shop)
    obj = {**intent_json(_attempt_intent(shop)), "status": "processing"}
    answer = _post(shop, event_body("payment_intent.processing", obj))
    assert answer.status_code == 200 and answer.json()["status"] == "recorded: processing"
    assert _state(shop)["attempts"] == ["processing"] and _state(shop)["invoice"] == ("open", 0)
    authenticate(outcome.client_secret, success=True)  # then the bank confirms: the page's re-read records it
    assert card_payments.confirm_after_action(shop["session"], shop["ada"], outcome.attempt_id).status == "succeeded"
    shop["session"].commit()
    assert _state(shop)["invoice"] == ("paid", 14400)


def test_an_unknown_event_type_is_recorded_as_ignored(shop) -> None:
    answer = _post(shop, event_body("customer.created", {"id": "cus_123", "object": "customer"}))
    assert answer.status_code == 200 and answer.json()["status"] == "ignored"
    assert _state(shop)["events"] == [("customer.created", "ignored")]


def test_without_stripe_the_route_is_not_there(http_portal) -> None:
    client, _ = http_portal(LOCAL)
    body = event_body("customer.created", {"id": "cus_123", "object": "customer"})
    answer = client.post(routes.STRIPE_WEBHOOK_API, content=body, headers={"stripe-signature": sign(body)})
    assert answer.status_code == 404
    assert answer.json() == client.post("/api/no/such/route").json()


def test_without_the_webhook_secret_it_answers_503(stripe_settings, http_portal, monkeypatch, caplog) -> None:
    monkeypatch.delenv("PORTAL_STRIPE_WEBHOOK_SECRET")
    client, session = http_portal(LOCAL)
    assert get_settings().stripe_enabled and not get_settings().stripe_webhook_secret
    body = event_body("customer.created", {"id": "cus_123", "object": "customer"})
    answer = client.post(routes.STRIPE_WEBHOOK_API, content=body, headers={"stripe-signature": sign(body)})
    assert answer.status_code == 503 and answer.json()["code"] == "webhook_not_set_up"
    assert any("PORTAL_STRIPE_WEBHOOK_SECRET" in r.getMessage() for r in caplog.records)
    assert session.exec(select(StripeEvent)).all() == []


def test_the_webhook_takes_at_most_one_megabyte(shop) -> None:
    from portal_app.api.app import api

    client = TestClient(body_limit(api), base_url=LOCAL)
    big = event_body("customer.created", {"id": "cus_123", "object": "customer", "note": "x" * (1024 * 1024)})
    answer = client.post(routes.STRIPE_WEBHOOK_API, content=big, headers={"stripe-signature": sign(big)})
    assert answer.status_code == 413
    small = event_body("customer.created", {"id": "cus_123", "object": "customer"})
    assert client.post(routes.STRIPE_WEBHOOK_API, content=small,
                       headers={"stripe-signature": sign(small)}).status_code == 200


def test_localstripe_delivers_events_the_portal_verifies_and_applies(shop, stripe_settings) -> None:
    """The whole way: localstripe signs and posts its own event, about 1 s
    after the bank's answer, to a loopback HTTP server that hands each
    delivery to the app (the same client as above). Registrations outlive
    the test server's flushes, so this one is switched off afterwards, and
    deliveries are told apart by the PaymentIntent's id."""
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from portal_app.api.stripe_webhook import SETTLED

    client = shop["client"]
    delivered: list[tuple[str, str, int, dict]] = []

    class Forward(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 — the stdlib's name
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            answer = client.post(self.path, content=body, headers={
                "content-type": "application/json", "stripe-signature": self.headers.get("stripe-signature", "")})
            event = json.loads(body)
            delivered.append((event["data"]["object"]["id"], event["type"], answer.status_code, answer.json()))
            self.send_response(answer.status_code)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Forward)  # one delivery at a time
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook = f"{stripe_settings.stripe_api_base}/_config/webhooks/portal-webhook-test"
    url = f"http://127.0.0.1:{server.server_address[1]}{routes.STRIPE_WEBHOOK_API}"
    try:
        httpx.post(hook, json={"url": url, "secret": SECRET, "events": list(SETTLED)}, timeout=10).raise_for_status()
        outcome = _waiting_for_3ds(shop)
        authenticate(outcome.client_secret, success=True)
        intent_id = _attempt_intent(shop)
        deadline = time.monotonic() + 15
        while not [d for d in delivered if d[0] == intent_id] and time.monotonic() < deadline:
            time.sleep(0.1)
        ours = [d for d in delivered if d[0] == intent_id]
        assert ours == [(intent_id, "payment_intent.succeeded", 200,
                         {"status": "recorded: succeeded", "event": ours[0][3]["event"]})]
        assert ours[0][3]["event"].startswith("evt_")
        state = _state(shop)
        assert (state["invoice"], state["payments"], state["attempts"], state["recorded"]) == (
            ("paid", 14400), 1, ["succeeded"], 1)
    finally:
        httpx.post(hook, json={"url": url, "secret": SECRET, "events": ["portal.test.switched_off"]}, timeout=10)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
