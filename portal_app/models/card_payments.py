"""Card payments through Stripe: one row per try at paying an invoice by
card, and the Stripe events the webhook has seen.

A `PaymentAttempt` is written (and flushed) before Stripe is called, with
the next attempt number of its invoice: unique (invoice, attempt), so two
requests racing to pay one invoice cannot both get as far as Stripe
(services/card_payments.py). Money is integer minor units in the invoice's
currency, as everywhere."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.base import UTCDateTime, utcnow

ATTEMPT_STATUSES = ("pending", "processing", "succeeded", "failed", "requires_action")


class PaymentAttempt(SQLModel, table=True):
    """One try at paying an invoice by card: pending before Stripe answers,
    then requires_action (3-D Secure in the page), processing (Stripe has it,
    the webhook will say), succeeded or failed (with the message shown)."""

    __tablename__ = "payment_attempts"
    __table_args__ = (
        UniqueConstraint("invoice_id", "attempt", name="uq_payment_attempts_invoice_attempt"),
        Index("ix_payment_attempts_org_created", "org_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(sa_column=Column(Integer, ForeignKey("invoices.id", ondelete="CASCADE"),
                                             nullable=False))
    org_id: int = Field(sa_column=Column(Integer, ForeignKey("organizations.id", ondelete="CASCADE"),
                                         nullable=False))
    attempt: int  # 1, 2, ... per invoice
    amount: int  # minor units, from the invoice's balance when the attempt began
    currency: str = Field(max_length=3)
    status: str = Field(default="pending", max_length=20)  # ATTEMPT_STATUSES
    stripe_payment_intent_id: str | None = Field(default=None, max_length=255, unique=True)
    payment_method_id: str = Field(default="", max_length=255)
    idempotency_key: str = Field(max_length=255, unique=True)
    error_message: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class StripeEvent(SQLModel, table=True):
    """A webhook event from Stripe, recorded once per event id (the webhook
    slice ignores one it has seen), with what the portal did with it."""

    __tablename__ = "stripe_events"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=255, unique=True)
    type: str = Field(max_length=100)
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    # What the webhook did (api/stripe_webhook.py): "recorded: <attempt status>", "recorded already",
    # "ignored", "ignored: not ours", "refused: <why>".
    outcome: str = Field(default="", max_length=200)
