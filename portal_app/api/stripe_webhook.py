"""The inbound Stripe webhook: `POST /api/stripe/webhook`.

Stripe posts each event here, signed with the endpoint's secret
(`PORTAL_STRIPE_WEBHOOK_SECRET`). No session and no Origin: the signature is
the only authority, so this route has no origin check (the portal's origin
checks are per route, `api/auth.py` and `api/files.py`; nothing global needs
an exemption). The body is capped at 1 MB by `api/body_limit.py`.

1. **Verify** the raw body against the `Stripe-Signature` header
   (`stripe_gateway.verify_event`: `construct_event`, 300 s tolerance). A
   missing or wrong signature, an old timestamp (a replay) or a body that is
   not an event: 400 problem+json, nothing written.
2. **Once per event id**, in ONE transaction: a `StripeEvent` row is inserted
   first; its event id is unique, so a duplicate (Stripe retrying, a
   replay inside the tolerance, two deliveries racing: on PostgreSQL the
   second waits for the first, then fails) answers 200 "already processed"
   and writes nothing else.
3. **Settle**: `payment_intent.succeeded`, `.payment_failed` and `.processing`
   go to `card_payments.settle_intent` with the event's PaymentIntent, which
   finds our attempt and records the payment once (`payments._apply`: the
   Payment, the invoice's figures, the audit event and the billing people's
   notification, in this same transaction). The outcome is written on the
   StripeEvent row: "recorded: <status>", "recorded already",
   "ignored: not ours", "refused: <why>"; any other type is "ignored".

**A mismatch answers 200.** An event whose amount, currency, invoice or
organisation is not the attempt's is refused: nothing is recorded on the
invoice, the attempt fails with a "did not match" message and a
`payment.card_failed` audit event staff see in the audit log, and a warning
is logged (event id, type, intent id and reason: no secret, no body). It is
still answered 200 because the answer would not change: Stripe retries a
non-2xx for up to three days, and every retry would be refused the same way
(and, being the same event id, could not be processed anyway once recorded).
A 5xx is kept for what a retry can fix: an error in our own processing rolls
the whole transaction back (the StripeEvent row too), so Stripe's retry
finds the event new.

**Not set up**: without Stripe (no keys) the route answers 404, like any
path the portal does not serve: there is nothing here to post to. With keys
but no webhook secret it answers 503 and logs an error: that is a
misconfiguration, and Stripe's retries deliver the events once the secret
is set."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from portal_app import routes
from portal_app.db import session_scope
from portal_app.integrations import stripe_gateway
from portal_app.models import StripeEvent
from portal_app.services import card_payments
from portal_app.services.errors import BadSignature
from portal_app.settings import get_settings

log = logging.getLogger(__name__)
router = APIRouter()

SETTLED = ("payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.processing")
OUTCOME_MAX = 200


def _answer(body: dict[str, str]) -> JSONResponse:
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post(routes.STRIPE_WEBHOOK_API, include_in_schema=False)
async def stripe_webhook(request: Request) -> JSONResponse:
    settings = get_settings()
    if not settings.stripe_enabled:  # the same answer as a path the portal does not serve
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    if not settings.stripe_webhook_secret:
        log.error("A Stripe webhook arrived but PORTAL_STRIPE_WEBHOOK_SECRET is not set: it was not accepted")
    payload = await request.body()
    event = stripe_gateway.verify_event(payload, request.headers.get("stripe-signature"))
    event_id, event_type = getattr(event, "id", None), getattr(event, "type", None)
    if not isinstance(event_id, str) or not isinstance(event_type, str) or not event_id:
        raise BadSignature("The body is not a Stripe event.")
    # The database work off the event loop, like FastAPI's sync routes.
    return _answer(await run_in_threadpool(_process, event, event_id[:255], event_type[:100]))


def _process(event, event_id: str, event_type: str) -> dict[str, str]:  # noqa: ANN001
    """One transaction: the event's row, and what it settles."""
    with session_scope() as session:
        row = StripeEvent(event_id=event_id, type=event_type, outcome="received")
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            return {"status": "already processed", "event": event_id}
        outcome = _settle(session, event, event_id, event_type)
        row.outcome = outcome[:OUTCOME_MAX]
        session.add(row)
    return {"status": outcome, "event": event_id}


def _settle(session, event, event_id: str, event_type: str) -> str:  # noqa: ANN001
    if event_type not in SETTLED:
        return "ignored"
    intent = getattr(getattr(event, "data", None), "object", None)
    if intent is None or getattr(intent, "object", None) != "payment_intent":
        return "ignored: not a payment intent"
    done = card_payments.settle_intent(session, intent)
    if done is None:
        return "ignored: not ours"
    if done.refused:
        log.warning("Stripe event %s (%s) for %s refused: %s", event_id, event_type, intent.id, done.refused)
        return f"refused: {done.refused}"
    if done.message == card_payments.ALREADY:
        return "recorded already"
    return f"recorded: {done.status}"
