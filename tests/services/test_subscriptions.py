"""Subscriptions: periods and month ends, proration with worked examples,
renewals exactly once (two runs at once on PostgreSQL), cancel, undo,
pause and resume, usage, who sees and changes what, and bad input."""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine
from sqlmodel import Session, select

from portal_app.models import AuditEvent, Invoice, InvoiceLine, Notification, Organization
from portal_app.models.catalogue import CustomerPrice, Product, Subscription, UsageRecord
from portal_app.services import subscriptions as subs
from portal_app.services.errors import Forbidden, Invalid, NotFound
from portal_app.services.principal import Principal
from tests.factories import at_once, ours_and_theirs, staff_admin, staff_member
from tests.permissions import Permission, StaffPermission, join, permission_tests, staff_permission_tests


def _product(session: Session, sku: str, *, price: int = 3000, interval: str = "month", kind: str = "recurring",
             tax: int = 0, usage_unit: str = "", usage_price: int = 0, pausable: bool = False,
             currency: str = "GBP", active: bool = True) -> int:
    product = Product(name=f"Plan {sku}", sku=sku, kind=kind, interval=interval, currency=currency,
                      unit_price=price, tax_rate=tax, usage_unit=usage_unit, usage_unit_price=usage_price,
                      pausable=pausable, active=active)
    session.add(product)
    session.flush()
    return product.id


def _people(session: Session) -> dict:
    people = ours_and_theirs(session)
    admin = staff_admin(session)
    people["staff"] = staff_member(session, admin, "billing")
    people["agent"] = staff_member(session, admin, "agent")
    people["billing"] = join(session, people["owner"], "bill@example.com", "billing", "Bill Payer")
    people["member"] = join(session, people["owner"], "mem@example.com", "member", "Mem Ber")
    people["plan"] = _product(session, "HOST", tax=2000)
    people["big"] = _product(session, "HOST-XL", price=9000, tax=2000)
    people["yearly"] = _product(session, "SUP-Y", price=120000, interval="year")
    people["metered"] = _product(session, "DATA", price=1000, usage_unit="GB", usage_price=250, pausable=True)
    people["one_off"] = _product(session, "ROUTER", kind="one_off", interval="")
    people["euro"] = _product(session, "EU", currency="EUR")
    people["retired"] = _product(session, "OLD", active=False)
    session.commit()
    return people


@pytest.fixture
def org(engine, seeded, session) -> dict:
    return seeded(engine, _people)


def _ours(people) -> int:
    return people["owner"].current.org_id


def _start(session, people, product="plan", quantity=2, when="2026-03-01 10:00Z") -> Subscription:
    with time_machine.travel(when, tick=False):
        sub = subs.do_start(session, people["staff"], _ours(people), people[product], quantity)
        session.commit()
    return sub


def _invoices(session, org_id) -> list[Invoice]:
    return session.exec(select(Invoice).where(Invoice.org_id == org_id).order_by(Invoice.id)).all()


def _lines(session, invoice) -> list[str]:
    return session.exec(select(InvoiceLine.description).where(InvoiceLine.invoice_id == invoice.id)
                        .order_by(InvoiceLine.position)).all()


# ---------------------------------------------------------------- periods

@pytest.mark.parametrize("start, months, anchor, expected", [
    (date(2026, 1, 31), 1, None, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, None, date(2028, 2, 29)),  # a leap year
    (date(2026, 2, 28), 1, 31, date(2026, 3, 31)),  # back to the anchor day after a short month
    (date(2026, 4, 30), 1, 31, date(2026, 5, 31)),
    (date(2026, 12, 15), 1, None, date(2027, 1, 15)),
    (date(2028, 2, 29), 12, None, date(2029, 2, 28)),  # a yearly period from 29 February
    (date(2026, 3, 1), 12, None, date(2027, 3, 1)),
])
def test_periods_move_to_the_same_day_clamped_to_the_month_end(start, months, anchor, expected) -> None:
    assert subs.add_months(start, months, anchor) == expected


def test_proration_rounds_half_up_per_line() -> None:
    assert subs.prorate(6000, 15, 31) == 2903  # 2903.23
    assert subs.prorate(15000, 15, 31) == 7258  # 7258.06
    assert subs.prorate(1, 1, 2) == 1  # a half rounds up
    assert subs.prorate(3, 1, 2) == 2  # 1.5 -> 2
    assert subs.prorate(3000, 0, 31) == 0 and subs.prorate(3000, 31, 31) == 3000


# ---------------------------------------------------------------- starting

def test_starting_invoices_the_first_period_at_once(session, org) -> None:
    sub = _start(session, org)
    assert (sub.quantity, sub.unit_price, sub.status) == (2, 3000, "active")
    assert (sub.started_on, sub.period_start, sub.next_renewal) == (date(2026, 3, 1), date(2026, 3, 1),
                                                                    date(2026, 4, 1))
    [invoice] = _invoices(session, _ours(org))
    assert invoice.status == "open" and invoice.number == "INV-2026-0001"
    assert (invoice.subtotal, invoice.tax, invoice.total) == (6000, 1200, 7200)
    assert _lines(session, invoice) == ["Plan HOST — 1 Mar 2026 – 31 Mar 2026"]
    told = set(session.exec(select(Notification.user_id).where(Notification.event == "subscription_changed")).all())
    assert told == {org["owner"].user_id, org["billing"].user_id}
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "subscription.started")).one().org_id \
        == _ours(org)


def test_a_yearly_subscription_started_on_the_31st(session, org) -> None:
    sub = _start(session, org, "yearly", 1, when="2026-01-31 10:00Z")
    assert sub.next_renewal == date(2027, 1, 31)


def test_the_agreed_price_is_the_organisations_own_or_discounted(session, org) -> None:
    session.add(CustomerPrice(org_id=_ours(org), product_id=org["plan"], unit_price=2500))
    session.commit()
    assert _start(session, org).unit_price == 2500
    ours = session.get(Organization, _ours(org))
    ours.catalogue_discount = 1000  # 10 %
    session.add(ours)
    session.commit()
    assert _start(session, org, "big", 1).unit_price == 8100


@pytest.mark.parametrize("product, quantity, message", [
    ("one_off", 1, "active recurring product"), ("retired", 1, "active recurring product"),
    ("euro", 1, "priced in EUR"), ("plan", 0, "between 1 and"), ("plan", "-1", "whole number"),
    ("plan", "1.5", "whole number"), ("plan", True, "whole number"), ("plan", None, "whole number"),
    ("plan", 10_001, "between 1 and"), ("plan", "9" * 30, "whole number"),
])
def test_bad_starts_are_refused(session, org, product, quantity, message) -> None:
    with pytest.raises(Invalid, match=message):
        subs.do_start(session, org["staff"], _ours(org), org[product], quantity)
    for bogus in (None, "1", True, 10**20):
        with pytest.raises(Invalid, match="active recurring"):
            subs.do_start(session, org["staff"], _ours(org), bogus, 1)


# ---------------------------------------------------------------- changing

def test_a_bigger_quantity_previews_and_invoices_the_proration(session, org) -> None:
    sub = _start(session, org)
    with time_machine.travel("2026-03-17 10:00Z", tick=False):
        preview = subs.preview_change(session, org["billing"], sub.id, quantity="5")
        # 15 of 31 days left: credit 2 x 30.00 x 15/31 = 29.03, charge 5 x 30.00 x 15/31 = 72.58
        assert (preview.days_left, preview.period_days, preview.credit, preview.charge, preview.net) == \
            (15, 31, 2903, 7258, 4355)
        assert "You will be invoiced £43.55 now." in preview.words
        assert len(_invoices(session, _ours(org))) == 1  # a preview changes nothing
        subs.do_change(session, org["billing"], sub.id, quantity="5")
        session.commit()
    session.refresh(sub)
    assert sub.quantity == 5 and sub.unit_price == 3000
    last = _invoices(session, _ours(org))[-1]
    assert (last.subtotal, last.tax, last.total) == (4355, 871, 5226)
    assert _lines(session, last) == ["Plan HOST — change from 2 × Plan HOST to 5, 17 Mar 2026 – 31 Mar 2026"]


def test_a_plan_change_uses_the_new_plans_price(session, org) -> None:
    sub = _start(session, org, quantity=1)
    with time_machine.travel("2026-03-01 12:00Z", tick=False):  # the whole period left
        preview = subs.preview_change(session, org["owner"], sub.id, quantity=1, product_id=org["big"])
    assert (preview.credit, preview.charge, preview.net) == (3000, 9000, 6000)
    with pytest.raises(Invalid, match="same currency"):
        subs.preview_change(session, org["owner"], sub.id, quantity=1, product_id=org["yearly"])


def test_a_smaller_quantity_is_not_refunded_and_says_so(session, org) -> None:
    sub = _start(session, org, quantity=4)
    with time_machine.travel("2026-03-17 10:00Z", tick=False):
        preview = subs.do_change(session, org["owner"], sub.id, quantity=1)
        session.commit()
    assert preview.net == 1452 - 5806  # 30.00 x 15/31 = 14.52; 120.00 x 15/31 = 58.06
    assert "£43.54 is not refunded automatically" in preview.words
    assert len(_invoices(session, _ours(org))) == 1
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "subscription.changed")).one()
    assert json.loads(event.details)["net"] == "-£43.54"


def test_the_same_quantity_or_a_paused_service_cannot_change(session, org) -> None:
    sub = _start(session, org, "metered")
    with pytest.raises(Invalid, match="what you have now"):
        subs.preview_change(session, org["owner"], sub.id, quantity=2)
    subs.do_pause(session, org["owner"], sub.id)
    with pytest.raises(Invalid, match="Only an active"):
        subs.preview_change(session, org["owner"], sub.id, quantity=3)


# ---------------------------------------------------------------- cancelling, pausing

def test_cancel_needs_a_reason_and_a_comment_for_other(session, org) -> None:
    sub = _start(session, org)
    for reason in ("", "bored", None, 3):
        with pytest.raises(Invalid, match="Choose a reason"):
            subs.do_cancel(session, org["owner"], sub.id, reason=reason)
    with pytest.raises(Invalid) as err:
        subs.do_cancel(session, org["owner"], sub.id, reason="other", comment="  ")
    assert err.value.field == "comment"
    subs.do_cancel(session, org["owner"], sub.id, reason="too_expensive")
    session.commit()
    assert sub.cancel_at_period_end and sub.cancel_reason == "too_expensive"
    with pytest.raises(Invalid, match="already cancelled"):
        subs.do_cancel(session, org["owner"], sub.id, reason="other", comment="again")
    subs.do_undo_cancel(session, org["owner"], sub.id)
    session.commit()
    assert not sub.cancel_at_period_end and sub.cancel_reason == ""
    with pytest.raises(Invalid, match="no pending cancellation"):
        subs.do_undo_cancel(session, org["owner"], sub.id)


def test_a_cancellation_takes_effect_at_the_period_end_without_an_invoice(session, org) -> None:
    sub = _start(session, org)
    subs.do_cancel(session, org["owner"], sub.id, reason="other", comment="Moving in-house")
    session.commit()
    assert subs.renew_due(session, date(2026, 3, 31)) == 0 and sub.status == "active"
    assert subs.renew_due(session, date(2026, 4, 1)) == 0
    session.commit()
    session.refresh(sub)
    assert sub.status == "cancelled" and sub.ended_on == date(2026, 4, 1)
    assert len(_invoices(session, _ours(org))) == 1
    with pytest.raises(Invalid, match="no pending cancellation"):
        subs.do_undo_cancel(session, org["owner"], sub.id)


def test_pause_only_where_pausable_and_paused_ones_do_not_renew(session, org) -> None:
    plain = _start(session, org)
    with pytest.raises(Invalid, match="cannot be paused"):
        subs.do_pause(session, org["owner"], plain.id)
    sub = _start(session, org, "metered", 1)
    subs.do_pause(session, org["owner"], sub.id)
    session.commit()
    with pytest.raises(Invalid, match="Only an active"):
        subs.do_pause(session, org["owner"], sub.id)
    before = len(_invoices(session, _ours(org)))
    subs.renew_due(session, date(2026, 4, 1))
    session.commit()
    session.refresh(sub)
    assert sub.next_renewal == date(2026, 4, 1) and len(_invoices(session, _ours(org))) == before + 1  # plain's
    with time_machine.travel("2026-04-10 10:00Z", tick=False):
        subs.do_resume(session, org["owner"], sub.id)
        session.commit()
    assert (sub.status, sub.period_start, sub.next_renewal) == ("active", date(2026, 4, 10), date(2026, 5, 1))
    assert _lines(session, _invoices(session, _ours(org))[-1]) == ["Plan DATA — 10 Apr 2026 – 30 Apr 2026"]
    with pytest.raises(Invalid, match="Only a paused"):
        subs.do_resume(session, org["owner"], sub.id)


# ---------------------------------------------------------------- renewals and usage

def test_renewal_invoices_the_period_and_last_periods_usage_once(session, org) -> None:
    sub = _start(session, org, "metered", 3, when="2026-01-31 10:00Z")
    with time_machine.travel("2026-02-10 10:00Z", tick=False):
        subs.do_record_usage(session, org["staff"], sub.id, "2026-02-03", "1.5")
        subs.do_record_usage(session, org["staff"], sub.id, date(2026, 2, 10), "2")
        session.commit()
        points = subs.usage_by_day(session, org["owner"], sub.id, "2026-02-02", "2026-02-04")
        assert points == [{"day": "2 Feb", "quantity": 0}, {"day": "3 Feb", "quantity": 1.5},
                          {"day": "4 Feb", "quantity": 0}]
        assert subs.running_cost(session, sub, session.get(Product, org["metered"])) == (3500, 875)
    assert subs.renew_due(session, date(2026, 2, 27)) == 0
    assert subs.renew_due(session, date(2026, 2, 28)) == 1
    assert subs.renew_due(session, date(2026, 2, 28)) == 0  # again: nothing
    session.commit()
    session.refresh(sub)
    assert (sub.period_start, sub.next_renewal) == (date(2026, 2, 28), date(2026, 3, 31))  # back to the 31st
    last = _invoices(session, _ours(org))[-1]
    assert _lines(session, last) == ["Plan DATA — 28 Feb 2026 – 30 Mar 2026",
                                     "Plan DATA usage (GB) — 31 Jan 2026 – 27 Feb 2026"]
    assert last.subtotal == 3 * 1000 + 875  # 3.5 GB at 2.50
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "subscription.renewed")).one().actor_id is None


def test_a_late_run_catches_up_every_missed_period(session, org) -> None:
    sub = _start(session, org)
    assert subs.renew_due(session, date(2026, 6, 2)) == 3  # April, May, June
    session.commit()
    session.refresh(sub)
    assert sub.next_renewal == date(2026, 7, 1)


def test_reminders_go_once_per_period(session, org, monkeypatch) -> None:
    _start(session, org)
    assert subs.remind_due(session, date(2026, 3, 20)) == 0  # 12 days before
    assert subs.remind_due(session, date(2026, 3, 25)) == 1
    assert subs.remind_due(session, date(2026, 3, 26)) == 0
    session.commit()
    told = session.exec(select(Notification).where(Notification.event == "subscription_reminder")).all()
    assert {n.user_id for n in told} == {org["owner"].user_id, org["billing"].user_id}


def test_the_job_runs_hourly_and_renews_through_the_engine(engine, org) -> None:
    from datetime import datetime, timedelta, timezone

    from portal_app.jobs.periodic import renew_subscriptions
    from portal_app.jobs.queue import huey

    with Session(engine, expire_on_commit=False) as session:
        sub = _start(session, org)
    with time_machine.travel("2026-04-01 10:00Z", tick=False):
        assert renew_subscriptions(engine) == (1, 0)
        assert renew_subscriptions(engine) == (0, 0)
    with Session(engine) as session:
        assert session.get(Subscription, sub.id).next_renewal == date(2026, 5, 1)
    hour = datetime(2026, 4, 1, 10, 15, tzinfo=timezone.utc)
    assert "subscriptions.renew" in {task.name for task in huey.read_periodic(hour)}
    assert "subscriptions.renew" not in {task.name for task in huey.read_periodic(hour + timedelta(minutes=1))}


def test_usage_rules(session, org) -> None:
    plain = _start(session, org)
    sub = _start(session, org, "metered", 1)
    with time_machine.travel("2026-03-05 10:00Z", tick=False):
        with pytest.raises(Invalid, match="not metered"):
            subs.do_record_usage(session, org["staff"], plain.id, "2026-03-02", "1")
        for day in ("2026-02-28", "2026-03-06", "yesterday", None, 5):
            with pytest.raises(Invalid):
                subs.do_record_usage(session, org["staff"], sub.id, day, "1")
        for quantity in ("-1", "abc", "", None):
            with pytest.raises(Invalid):
                subs.do_record_usage(session, org["staff"], sub.id, "2026-03-02", quantity)
        with pytest.raises(Invalid):
            subs.usage_by_day(session, org["owner"], sub.id, "2026-03-05", "2026-03-01")
        with pytest.raises(Forbidden):
            subs.do_record_usage(session, org["owner"], sub.id, "2026-03-02", "1")
    assert session.exec(select(UsageRecord)).all() == []


@pytest.mark.postgres
def test_two_renewal_runs_at_once_invoice_once(pg_migrated_url) -> None:
    from portal_app.db import make_engine

    engine = make_engine(pg_migrated_url)
    with Session(engine, expire_on_commit=False) as session:
        people = _people(session)
        ids = [_start(session, people, quantity=n).id for n in (1, 2, 3)]
    counts = at_once(engine, lambda s, n: subs.renew_due(s, date(2026, 4, 1)), 2)
    errors = [c for c in counts if isinstance(c, BaseException)]
    with Session(engine) as session:
        renewals = session.exec(select(Invoice).where(Invoice.org_id == people["owner"].current.org_id)).all()
        renewed = session.exec(select(Subscription.next_renewal).where(Subscription.id.in_(ids))).all()
    engine.dispose()
    assert not errors and sum(counts) == 3
    assert len(renewals) == 6  # three first invoices, three renewals
    assert set(renewed) == {date(2026, 5, 1)}


@pytest.mark.postgres
def test_two_reminder_runs_at_once_remind_once(pg_migrated_url) -> None:
    from portal_app.db import make_engine

    engine = make_engine(pg_migrated_url)
    with Session(engine, expire_on_commit=False) as session:
        people = _people(session)
        for n in (1, 2, 3):
            _start(session, people, quantity=n)
    counts = at_once(engine, lambda s, n: subs.remind_due(s, date(2026, 3, 25)), 2)
    errors = [c for c in counts if isinstance(c, BaseException)]
    with Session(engine) as session:
        told = session.exec(select(Notification).where(Notification.event == "subscription_reminder")).all()
    engine.dispose()
    assert not errors and sum(counts) == 3
    assert len(told) == 3 * 2  # each subscription's reminder once, to the owner and the billing member


# ---------------------------------------------------------------- who sees and changes what

def test_other_organisations_and_members_see_nothing(session, org) -> None:
    sub = _start(session, org)
    for who in ("theirs", "member"):
        with pytest.raises(NotFound):
            subs.access_subscription(session, org[who], sub.id)
        with pytest.raises(NotFound):
            subs.do_cancel(session, org[who], sub.id, reason="not_using")
    with pytest.raises(Forbidden):
        subs.do_cancel(session, org["agent"], sub.id, reason="not_using")  # staff who only read
    assert [v.id for v in subs.list_all(session, org["agent"])] == [sub.id]
    ours = session.get(Organization, _ours(org))
    ours.invoices_open_to_members = True
    session.add(ours)
    session.commit()
    assert [v.id for v in subs.list_for_org(session, org["member"], _ours(org))] == [sub.id]
    with pytest.raises(Forbidden):
        subs.do_cancel(session, org["member"], sub.id, reason="not_using")
    view = subs.list_for_org(session, org["owner"], _ours(org))[0]
    assert (view.product, view.quantity, view.price, view.next_renewal, view.status_word) == \
        ("Plan HOST", 2, "£30.00", "1 Apr 2026", "Active")


def _a_subscription(session: Session, owner: Principal) -> int:
    product = session.exec(select(Product).where(Product.sku == "P-PERM")).first()
    if product is None:
        product = Product(name="Hosting", sku="P-PERM", kind="recurring", interval="month", currency="GBP",
                          unit_price=1000, pausable=True)
        session.add(product)
        session.flush()
    sub = Subscription(org_id=owner.current.org_id, product_id=product.id, quantity=2, unit_price=1000,
                       currency="GBP", started_on=date(2026, 1, 1), period_start=date(2026, 1, 1),
                       next_renewal=date(2099, 1, 1))
    session.add(sub)
    session.flush()
    return sub.id


def _org_with_one(session: Session, owner: Principal) -> int:
    _a_subscription(session, owner)
    return owner.current.org_id


def _cancelled(session, actor, sub_id, result) -> None:
    assert session.get(Subscription, sub_id).cancel_at_period_end


test_subscription_permissions = permission_tests(
    # Owners, admins and billing members read and change; a plain member does not even see them (the
    # organisation keeps invoices to owners, admins and billing); staff billing and admins too (below).
    Permission("list", lambda s, p, o: subs.list_for_org(s, p, o), subs.CHANGERS, target_row=_org_with_one,
               check=lambda s, a, o, rows: len(rows) == 1 or pytest.fail("one row")),
    Permission("cancel", lambda s, p, i: subs.do_cancel(s, p, i, reason="switching"), subs.CHANGERS,
               target_row=_a_subscription, refused=NotFound, check=_cancelled, staff_allowed=True),
    Permission("preview", lambda s, p, i: subs.preview_change(s, p, i, quantity=3), subs.CHANGERS,
               target_row=_a_subscription, refused=NotFound, staff_allowed=True),
    Permission("pause", lambda s, p, i: subs.do_pause(s, p, i), subs.CHANGERS, target_row=_a_subscription,
               refused=NotFound, staff_allowed=True),
)


def test_staff_billing_and_admins_change_and_cancel_for_the_customer(session, org) -> None:
    """A customer phones: billing staff act on their behalf; the customer's
    billing people are told and the audit log names the staff member."""
    sub = _start(session, org)
    told_before = len(session.exec(select(Notification.id)).all())
    with time_machine.travel("2026-03-16 10:00Z", tick=False):
        preview = subs.preview_change(session, org["staff"], sub.id, quantity=3)
        assert preview.quantity == 3
        subs.do_change(session, org["staff"], sub.id, quantity=3)
        subs.do_cancel(session, org["staff"], sub.id, reason="other", comment="Phoned to say they are moving")
    session.commit()
    row = session.get(Subscription, sub.id)
    assert (row.quantity, row.cancel_at_period_end, row.cancel_comment) == (3, True,
                                                                             "Phoned to say they are moving")
    actors = session.exec(select(AuditEvent.actor_id).where(
        AuditEvent.action.in_(("subscription.changed", "subscription.cancel_requested")))).all()
    assert actors == [org["staff"].user_id] * 2
    assert len(session.exec(select(Notification.id)).all()) > told_before
    subs.do_undo_cancel(session, org["staff"], sub.id)
    assert not session.get(Subscription, sub.id).cancel_at_period_end
    for reader in ("agent",):
        for act in (lambda: subs.do_cancel(session, org[reader], sub.id, reason="other", comment="x"),
                    lambda: subs.do_change(session, org[reader], sub.id, quantity=1),
                    lambda: subs.plans_for(session, org[reader], sub.id)):
            with pytest.raises(Forbidden):
                act()
    for wrong in ("1", None, True, 10**9):
        with pytest.raises(NotFound):
            subs.do_cancel(session, org["staff"], wrong, reason="switching")


def _staff_product(session: Session, admin: Principal) -> int:
    return _product(session, "S-PERM", usage_unit="GB", usage_price=100)


def _first_org(session: Session, admin: Principal) -> int:
    return session.exec(select(Organization.id).order_by(Organization.id)).first()


def _staff_subscription(session: Session, admin: Principal) -> int:
    product_id = _staff_product(session, admin)
    return subs.do_start(session, admin, _first_org(session, admin), product_id, 1).id


test_staff_subscription_permissions = staff_permission_tests(
    StaffPermission("start", lambda s, p, product_id: subs.do_start(s, p, _first_org(s, p), product_id, 1),
                    _staff_product, allowed=subs.MANAGERS, takes_id=False),
    StaffPermission("record usage", lambda s, p, i: subs.do_record_usage(s, p, i, subs.today(), "1"),
                    _staff_subscription, allowed=subs.MANAGERS),
    StaffPermission("staff list", lambda s, p, _: subs.list_all(s, p), lambda s, p: None,
                    allowed=("admin", "agent", "billing"), takes_id=False),
)


def test_the_demo_has_running_subscriptions_and_removing_it_removes_them(engine) -> None:
    from portal_app.services.demo import remove_demo, seed_if_empty
    from portal_app.services.principal import principal_for_user
    from portal_app.models import User

    with Session(engine, expire_on_commit=False) as session:
        lines = seed_if_empty(session)
        session.commit()
        assert "created a demo subscription to Managed hosting for Acme Ltd" in lines
        alice = principal_for_user(session, session.exec(select(User).where(
            User.email == "alice@acme.example.com")).one(), None)
        [view] = subs.list_for_org(session, alice, alice.current.org_id)
        assert (view.product, view.quantity, view.status, view.metered) == ("Managed hosting", 1, "active", True)
        sub = session.get(Subscription, view.id)
        assert sub.period_start <= subs.today() < sub.next_renewal
        assert subs.renew_due(session) == 0  # nothing overdue in the demo
        remove_demo(session)
        session.commit()
        assert session.exec(select(Subscription)).all() == []
        assert session.exec(select(UsageRecord)).all() == []


def test_the_plans_offered_are_the_same_currency_and_interval(session, org) -> None:
    sub = _start(session, org)
    plans = subs.plans_for(session, org["owner"], sub.id)
    assert plans == [(org["plan"], "Plan HOST — £30.00 each (current)"), (org["metered"], "Plan DATA — £10.00 each"),
                     (org["big"], "Plan HOST-XL — £90.00 each")]  # not the yearly, euro, one-off or retired ones
    with pytest.raises(NotFound):
        subs.plans_for(session, org["theirs"], sub.id)
