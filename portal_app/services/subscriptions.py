"""Subscriptions: an organisation's recurring products, their periods,
changes with proration, cancellation at the period's end, pausing,
renewals (a periodic job) and metered usage.

Who: staff billing and admins start subscriptions and record usage; every
staff member reads them. On the customer's side the people who read the
organisation's invoices (`invoices.check_read_org`: owners, admins, billing
members, plain members where the organisation opens invoices to them) read
its subscriptions; owners, admins and billing members change them
(quantity, plan, cancel, undo, pause, resume).

Periods: a period starts on `period_start` and ends the day before
`next_renewal`. A monthly period ends on the same day of the next month as
the subscription started, clamped to the month's end (started 31 January:
28/29 February, then 31 March); a yearly one the same day next year (29
February clamps to 28 February).

Prices: the unit price is agreed when the subscription starts (or changes
plan) and stays until it changes; the catalogue's later prices do not move
it. Invoices are made through `services/invoices.py` by a system principal
("Subscriptions", staff billing): the customer who changes a quantity does
not write invoices themselves.

Proration (`preview_change`, `do_change`): over the days left in the
period (from today to the day before the renewal) of the days in the
period, the unused part of the old price is credited and the new price for
the rest of the period charged, each line rounded half up on its own:
credit = old quantity × old price × days left / period days, charge = new
quantity × new price × days left / period days. When the charge exceeds
the credit the difference is invoiced at once (one line, the new
product's tax rate). When it is less (a downgrade) nothing is refunded
automatically: the change applies at once and the preview says plainly
that the unused difference is not credited; staff see the amount in the
audit log and may issue a credit note. (No column carries a credit to the
next renewal.)

Renewals (`renew_due`, run by `jobs/periodic.py`): each active subscription
whose renewal day has come is claimed with a conditional UPDATE on
`next_renewal` (two runs at once invoice it once), then invoiced for the
new period (quantity × price) plus the last period's usage at the
product's usage price. A pending cancellation ends it on its renewal day
instead (status cancelled, `ended_on`); paused ones are skipped.

Pausing (pausable products only) stops renewals; resuming after the
renewal day has passed starts a new period on the day of resuming,
invoiced at once; before it, the current (paid) period simply goes on.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, select

from portal_app import routes
from portal_app.models import Organization
from portal_app.models.base import utcnow
from portal_app.models.catalogue import Product, Subscription, UsageRecord
from portal_app.models.quotes import Quote
from portal_app.services import audit, catalogue, invoices, live, money, notifications
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.formatting import format_date, format_money
from portal_app.services.invoices import as_id, today
from portal_app.services.organizations import access_organization
from portal_app.services.principal import Principal, require_role
from portal_app.services.validation import clean_long_text
from portal_app.settings import get_settings

CHANGERS = ("owner", "admin", "billing")  # customers who change their organisation's subscriptions
MANAGERS = invoices.MANAGERS  # staff who start, change and cancel them and record usage
NOT_FOUND = "Subscription not found."
STATUS_WORDS = {"active": "Active", "paused": "Paused", "cancelled": "Cancelled"}
CANCEL_REASONS = {"too_expensive": "Too expensive", "not_using": "Not using it enough",
                  "missing_features": "Missing features", "switching": "Switching to another service",
                  "other": "Other"}
COMMENT_MAX = 1000
QUANTITY_MAX = 10_000
USAGE_DAYS_MAX = 400

# Who writes the invoices a subscription makes (renewals run with nobody signed in; a customer's change is
# invoiced by the business, not by the customer). Not a person: no user id, no session.
SYSTEM = Principal(user_id=None, email="Subscriptions", name="Subscriptions",  # type: ignore[arg-type]
                   email_verified=True, session_id=None, staff_role="billing")


# ---------------------------------------------------------------- periods

def add_months(day: date, months: int, anchor: int | None = None) -> date:
    """`day` moved by `months`, on the `anchor` day of the month (`day`'s by
    default) clamped to the month's end: 31 Jan + 1 = 28/29 Feb."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(anchor or day.day, last))


def next_period_start(start: date, interval: str, anchor: int) -> date:
    """The first day of the period after the one starting on `start`."""
    return add_months(start, 12 if interval == "year" else 1, anchor)


# ---------------------------------------------------------------- who sees what

def visible_to(principal: Principal):  # noqa: ANN201 — a Select of Subscription
    """Every subscription `principal` may see: staff all; customers those of
    the organisations whose invoices they read."""
    principal.require_mfa_ready()
    stmt = select(Subscription)
    if principal.is_staff:
        return stmt
    by_role, members = invoices.reader_orgs(principal)
    open_orgs = select(Organization.id).where(Organization.id.in_(members), Organization.invoices_open_to_members)
    return stmt.where(Subscription.org_id.in_(by_role) | Subscription.org_id.in_(open_orgs))


def access_subscription(session: Session, principal: Principal, subscription_id: object) -> Subscription:
    """The subscription with that id, if `principal` may see it."""
    wanted = as_id(subscription_id)
    sub = session.exec(visible_to(principal).where(Subscription.id == wanted)).first() if wanted else None
    if sub is None:
        raise NotFound(NOT_FOUND)
    return sub


def check_manage(principal: Principal) -> None:
    """Starting subscriptions and recording usage: staff billing and admins."""
    principal.require_staff(*MANAGERS)


def _changeable(session: Session, principal: Principal, subscription_id: object) -> Subscription:
    """A subscription its organisation's owners, admins and billing members
    may change, and so may staff billing and admins (a customer who phones
    to cancel or add seats); other staff read only. The customer's billing
    people are told either way, and the audit log says who acted."""
    if principal.is_staff:
        check_manage(principal)
        return access_subscription(session, principal, subscription_id)
    sub = access_subscription(session, principal, subscription_id)
    require_role(principal, sub.org_id, *CHANGERS, to="change services", acting=True)
    return sub


# ---------------------------------------------------------------- prices

def _agreed_price(session: Session, org: Organization, product: Product) -> int:
    """The organisation's price for the product today: the catalogue's one rule."""
    return catalogue.price_for(session, org.id, product)


def _recurring(session: Session, product_id: object) -> Product:
    wanted = as_id(product_id)
    product = session.get(Product, wanted) if wanted else None
    if product is None or not product.active or product.kind != "recurring" or \
            product.interval not in ("month", "year"):
        raise Invalid("Choose an active recurring product.", field="product_id")
    return product


def _quantity(value: object) -> int:
    """A whole number of units, 1 to QUANTITY_MAX (typed text or an int)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid("Enter the quantity as a whole number.", field="quantity")
    text = str(value).strip()
    if not text.isdigit() or len(text) > 6:
        raise Invalid("Enter the quantity as a whole number.", field="quantity")
    number = int(text)
    if not 1 <= number <= QUANTITY_MAX:
        raise Invalid(f"The quantity must be between 1 and {QUANTITY_MAX}.", field="quantity")
    return number


def _period_words(start: date, renewal: date) -> str:
    return f"{format_date(start)} – {format_date(renewal - timedelta(days=1))}"


def _invoice(session: Session, sub: Subscription, lines: list[dict]) -> invoices.Invoice:
    """Make and issue one invoice of the subscription (by SYSTEM)."""
    draft = invoices.do_create_draft(session, SYSTEM, sub.org_id, lines=lines)
    return invoices.do_issue(session, SYSTEM, draft.id)


def _line(description: str, quantity: str, unit_price: int, currency: str, tax_rate: int) -> dict:
    return {"description": description[:invoices.DESCRIPTION_MAX], "quantity": quantity,
            "unit_price": money.typed(unit_price, currency), "tax_rate": money.typed_rate(tax_rate)}


def _tell(session: Session, sub: Subscription, product: Product, change: str) -> None:
    """Tell the organisation's billing people; reload open pages."""
    notifications.notify(session, invoices.billing_people(session, sub.org_id),
                         notifications.EVENTS["subscription_changed"],
                         notifications.Target(routes.SERVICES, sub.org_id),
                         facts={"product": product.name, "change": change})
    changed(session, sub)


def changed(session: Session, sub: Subscription) -> None:
    live.changed(session, live.staff_key("subscriptions"), live.org_key(sub.org_id, "subscriptions"))


def _audit(session: Session, action: str, principal: Principal | None, sub: Subscription, product: Product,
           **details: object) -> None:
    audit.record(session, action, actor=principal, actor_label="" if principal else "Subscriptions",
                 org_id=sub.org_id, target_type="subscription", target_id=sub.id, target_label=product.name,
                 details=details)


# ---------------------------------------------------------------- starting

def do_start(session: Session, staff: Principal, org_id: object, product_id: object,
             quantity: object) -> Subscription:
    """Start `quantity` of a recurring product for organisation `org_id`
    today at its price for the organisation; its first period is invoiced
    and issued at once."""
    check_manage(staff)
    org = access_organization(session, staff, org_id, back_office=True)
    product = _recurring(session, product_id)
    count = _quantity(quantity)
    if product.currency != invoices.org_currency(org):
        raise Invalid(f"{org.name} is invoiced in {invoices.org_currency(org)}: "
                      f"{product.name} is priced in {product.currency}.", field="product_id")
    sub = start(session, staff, org, product, count, _agreed_price(session, org, product))
    session.flush()
    return sub


def start(session: Session, actor: Principal, org: Organization, product: Product, count: int, price: int, *,
          invoice: bool = True, quote_id: int | None = None) -> Subscription:
    """Start `count` of a checked recurring product for `org` today at
    `price` (each unit): audited and told. With `invoice`, its first period
    is invoiced and issued at once; without, the caller invoices it (an
    accepted quote puts it on its one first invoice: `period_words`, and is
    kept as the service's contract: `quote_id`)."""
    day = today()
    sub = Subscription(org_id=org.id, product_id=product.id, quantity=count, unit_price=price,
                       currency=product.currency, started_on=day, period_start=day,
                       next_renewal=next_period_start(day, product.interval, day.day), quote_id=quote_id)
    session.add(sub)
    session.flush()
    if invoice:
        _invoice(session, sub, [_line(f"{product.name} — {period_words(sub)}",
                                      str(count), price, product.currency, product.tax_rate)])
    _audit(session, "subscription.started", actor, sub, product, quantity=count,
           price=format_money(price, product.currency))
    _tell(session, sub, product, f"started, {count} × {format_money(price, product.currency)}, "
                                 f"renews on {format_date(sub.next_renewal)}.")
    return sub


def period_words(sub: Subscription) -> str:
    """Its current period in words: "1 Mar 2026 – 31 Mar 2026"."""
    return _period_words(sub.period_start, sub.next_renewal)


# ---------------------------------------------------------------- changing, with proration

@dataclass(frozen=True)
class Preview:
    """What a change would cost, in minor units and in words."""

    days_left: int
    period_days: int
    credit: int  # the unused part of the old price
    charge: int  # the new price for the rest of the period
    net: int  # charge - credit: invoiced when positive, not refunded when negative
    currency: str
    product_id: int
    quantity: int
    unit_price: int

    @property
    def words(self) -> str:
        m = lambda amount: format_money(amount, self.currency)  # noqa: E731
        base = (f"{self.days_left} of {self.period_days} days left: credit {m(self.credit)} for the unused "
                f"time, charge {m(self.charge)} for the rest of the period.")
        if self.net > 0:
            return f"{base} You will be invoiced {m(self.net)} now."
        if self.net < 0:
            return f"{base} The difference of {m(-self.net)} is not refunded automatically."
        return f"{base} Nothing to pay now."


def prorate(amount_per_period: int, days_left: int, period_days: int) -> int:
    """The part of a period's amount for `days_left` of `period_days`, rounded half up."""
    return money.divide_half_up(amount_per_period * days_left, period_days)


def _plan(session: Session, sub: Subscription, product_id: object) -> Product:
    """The plan to change to: the same product, or another active recurring
    one of the same currency and interval."""
    current = session.get(Product, sub.product_id)
    if product_id in (None, "", sub.product_id):
        return current
    product = _recurring(session, product_id)
    if product.currency != current.currency or product.interval != current.interval:
        raise Invalid("Choose a plan in the same currency that renews as often.", field="product_id")
    return product


def plans_for(session: Session, principal: Principal, subscription_id: object) -> list[tuple[int, str]]:
    """(id, "name — price each") of the plans the service may change to: its
    own first, then the other active recurring products of the same currency
    and interval, at the organisation's price."""
    sub = _changeable(session, principal, subscription_id)
    current = session.get(Product, sub.product_id)
    org = session.get(Organization, sub.org_id)
    others = session.exec(select(Product).where(Product.active, Product.kind == "recurring",
                                                Product.currency == current.currency,
                                                Product.interval == current.interval, Product.id != current.id)
                          .order_by(Product.name)).all()
    return [(current.id, f"{current.name} — {format_money(sub.unit_price, sub.currency)} each (current)")] + [
        (p.id, f"{p.name} — {format_money(_agreed_price(session, org, p), p.currency)} each") for p in others]


def _preview(session: Session, sub: Subscription, quantity: object, product_id: object) -> tuple[Preview, Product]:
    if sub.status != "active":
        raise Invalid("Only an active service can be changed.")
    count = _quantity(quantity)
    product = _plan(session, sub, product_id)
    price = sub.unit_price if product.id == sub.product_id else \
        _agreed_price(session, session.get(Organization, sub.org_id), product)
    if count == sub.quantity and product.id == sub.product_id:
        raise Invalid("That is what you have now: choose another quantity or plan.", field="quantity")
    day = max(today(), sub.period_start)
    period_days = (sub.next_renewal - sub.period_start).days
    days_left = max(0, (sub.next_renewal - day).days)
    credit = prorate(sub.quantity * sub.unit_price, days_left, period_days)
    charge = prorate(count * price, days_left, period_days)
    return Preview(days_left, period_days, credit, charge, charge - credit, sub.currency, product.id, count,
                   price), product


def preview_change(session: Session, principal: Principal, subscription_id: object, *, quantity: object,
                   product_id: object = None) -> Preview:
    """What changing to `quantity` (of plan `product_id`, else the same) would cost now."""
    sub = _changeable(session, principal, subscription_id)
    return _preview(session, sub, quantity, product_id)[0]


def do_change(session: Session, principal: Principal, subscription_id: object, *, quantity: object,
              product_id: object = None) -> Preview:
    """Change the quantity (and plan) now; a positive proration is invoiced at once."""
    sub = _changeable(session, principal, subscription_id)
    preview, product = _preview(session, sub, quantity, product_id)
    old_product = session.get(Product, sub.product_id)
    before = f"{sub.quantity} × {old_product.name}"
    sub.quantity, sub.product_id, sub.unit_price = preview.quantity, product.id, preview.unit_price
    sub.updated_at = utcnow()
    session.add(sub)
    session.flush()
    if preview.net > 0:
        _invoice(session, sub, [_line(f"{product.name} — change from {before} to {preview.quantity}, "
                                      f"{_period_words(max(today(), sub.period_start), sub.next_renewal)}",
                                      "1", preview.net, sub.currency, product.tax_rate)])
    after = f"{preview.quantity} × {product.name}"
    _audit(session, "subscription.changed", principal, sub, product, **{
        "from": before, "to": after, "charge": format_money(preview.charge, sub.currency),
        "credit": format_money(preview.credit, sub.currency),
        "net": format_money(preview.net, sub.currency) if preview.net >= 0
        else "-" + format_money(-preview.net, sub.currency)})
    _tell(session, sub, product, f"changed from {before} to {after}.")
    return preview


# ---------------------------------------------------------------- cancelling, pausing

def do_cancel(session: Session, principal: Principal, subscription_id: object, *, reason: object,
              comment: object = "") -> Subscription:
    """Cancel at the end of the current period, with a reason from
    CANCEL_REASONS (a comment is required for "other")."""
    sub = _changeable(session, principal, subscription_id)
    if not isinstance(reason, str) or reason not in CANCEL_REASONS:
        raise Invalid("Choose a reason.", field="reason")
    text = clean_long_text(comment, field="comment", label="Comment", max_length=COMMENT_MAX,
                           required=reason == "other")
    if sub.status == "cancelled" or sub.cancel_at_period_end:
        raise Invalid("This service is already cancelled.")
    sub.cancel_at_period_end, sub.cancel_reason, sub.cancel_comment = True, reason, text
    sub.updated_at = utcnow()
    session.add(sub)
    product = session.get(Product, sub.product_id)
    _audit(session, "subscription.cancel_requested", principal, sub, product, reason=CANCEL_REASONS[reason])
    _tell(session, sub, product, f"cancelled: it ends on {format_date(sub.next_renewal)}.")
    return sub


def do_undo_cancel(session: Session, principal: Principal, subscription_id: object) -> Subscription:
    """Keep a service whose cancellation has not taken effect yet."""
    sub = _changeable(session, principal, subscription_id)
    if sub.status == "cancelled" or not sub.cancel_at_period_end:
        raise Invalid("This service has no pending cancellation.")
    sub.cancel_at_period_end, sub.cancel_reason, sub.cancel_comment = False, "", ""
    sub.updated_at = utcnow()
    session.add(sub)
    product = session.get(Product, sub.product_id)
    _audit(session, "subscription.cancel_undone", principal, sub, product)
    _tell(session, sub, product, f"no longer cancelled: it renews on {format_date(sub.next_renewal)}.")
    return sub


def do_pause(session: Session, principal: Principal, subscription_id: object) -> Subscription:
    """Pause a pausable service: no renewals until it is resumed."""
    sub = _changeable(session, principal, subscription_id)
    product = session.get(Product, sub.product_id)
    if not product.pausable:
        raise Invalid(f"{product.name} cannot be paused.")
    if sub.status != "active":
        raise Invalid("Only an active service can be paused.")
    sub.status, sub.updated_at = "paused", utcnow()
    session.add(sub)
    _audit(session, "subscription.paused", principal, sub, product)
    _tell(session, sub, product, "paused.")
    return sub


def do_resume(session: Session, principal: Principal, subscription_id: object) -> Subscription:
    """Resume a paused service; past its renewal day a new period starts today (invoiced now)."""
    sub = _changeable(session, principal, subscription_id)
    if sub.status != "paused":
        raise Invalid("Only a paused service can be resumed.")
    product = session.get(Product, sub.product_id)
    day = today()
    sub.status, sub.updated_at = "active", utcnow()
    if sub.next_renewal <= day:
        sub.period_start, sub.next_renewal = day, next_period_start(day, product.interval, sub.started_on.day)
        session.add(sub)
        session.flush()
        _invoice(session, sub, [_line(f"{product.name} — {_period_words(day, sub.next_renewal)}",
                                      str(sub.quantity), sub.unit_price, sub.currency, product.tax_rate)])
    session.add(sub)
    _audit(session, "subscription.resumed", principal, sub, product)
    _tell(session, sub, product, f"resumed: it renews on {format_date(sub.next_renewal)}.")
    return sub


# ---------------------------------------------------------------- renewals

def _usage_total(session: Session, sub_id: int, since: date, until: date) -> int:
    """Thousandths of the usage unit recorded from `since` up to (not including) `until`."""
    return int(session.exec(select(func.coalesce(func.sum(UsageRecord.quantity), 0)).where(
        UsageRecord.subscription_id == sub_id, UsageRecord.day >= since, UsageRecord.day < until)).one())


def renew_due(session: Session, day: date | None = None) -> int:
    """Renew (or end, where cancelled) every active subscription whose
    renewal day is `day` or before; returns how many periods were invoiced.
    Each renewal is claimed by moving `next_renewal` with a conditional
    UPDATE, so runs at once never invoice a period twice."""
    day = day or today()
    renewed = 0
    due = session.exec(select(Subscription.id).where(Subscription.status == "active",
                                                     Subscription.next_renewal <= day)
                       .order_by(Subscription.id)).all()
    for sub_id in due:
        while True:
            sub = session.exec(select(Subscription).where(Subscription.id == sub_id)
                               .execution_options(populate_existing=True)).one()
            if sub.status != "active" or sub.next_renewal > day:
                break
            product = session.get(Product, sub.product_id)
            if sub.cancel_at_period_end:
                ended = session.execute(
                    update(Subscription).where(Subscription.id == sub.id, Subscription.status == "active",
                                               Subscription.next_renewal == sub.next_renewal)
                    .values(status="cancelled", ended_on=sub.next_renewal).returning(Subscription.id)
                    .execution_options(synchronize_session=False)).scalars().all()
                if ended:
                    session.refresh(sub)
                    _audit(session, "subscription.ended", None, sub, product)
                    _tell(session, sub, product, f"ended on {format_date(sub.ended_on)} as cancelled.")
                break
            old_start, start = sub.period_start, sub.next_renewal
            following = next_period_start(start, product.interval, sub.started_on.day)
            claimed = session.execute(
                update(Subscription).where(Subscription.id == sub.id, Subscription.status == "active",
                                           Subscription.next_renewal == start)
                .values(period_start=start, next_renewal=following).returning(Subscription.id)
                .execution_options(synchronize_session=False)).scalars().all()
            if not claimed:
                break  # another run renewed it
            session.refresh(sub)
            lines = [_line(f"{product.name} — {_period_words(start, following)}", str(sub.quantity),
                           sub.unit_price, sub.currency, product.tax_rate)]
            used = _usage_total(session, sub.id, old_start, start)
            if used and product.usage_unit_price:
                lines.append(_line(f"{product.name} usage ({product.usage_unit}) — {_period_words(old_start, start)}",
                                   money.typed_quantity(used), product.usage_unit_price, sub.currency,
                                   product.tax_rate))
            _invoice(session, sub, lines)
            _audit(session, "subscription.renewed", None, sub, product,
                   until=format_date(following - timedelta(days=1)))
            changed(session, sub)
            renewed += 1
    return renewed


def remind_due(session: Session, day: date | None = None) -> int:
    """Remind the billing people PORTAL_RENEWAL_REMINDER_DAYS before a
    renewal, once per period: each reminder is claimed by setting
    `reminded_for` to the renewal day with a conditional UPDATE, so two runs
    at once (or a run repeated) send it once."""
    days = get_settings().renewal_reminder_days
    if days <= 0:
        return 0
    day = day or today()
    due = session.exec(select(Subscription.id).where(
        Subscription.status == "active", Subscription.cancel_at_period_end.is_(False),
        Subscription.next_renewal > day, Subscription.next_renewal <= day + timedelta(days=days),
        or_(Subscription.reminded_for.is_(None), Subscription.reminded_for != Subscription.next_renewal))
        .order_by(Subscription.id)).all()
    sent = 0
    for sub_id in due:
        claimed = session.execute(
            update(Subscription).where(Subscription.id == sub_id, or_(
                Subscription.reminded_for.is_(None), Subscription.reminded_for != Subscription.next_renewal))
            .values(reminded_for=Subscription.next_renewal).returning(Subscription.id)
            .execution_options(synchronize_session=False)).first()
        if claimed is None:
            continue  # another run sent it
        sub = session.get(Subscription, sub_id, populate_existing=True)
        product = session.get(Product, sub.product_id)
        _audit(session, "subscription.reminded", None, sub, product, renewal=sub.next_renewal.isoformat())
        notifications.notify(session, invoices.billing_people(session, sub.org_id),
                             notifications.EVENTS["subscription_reminder"],
                             notifications.Target(routes.SERVICES, sub.org_id),
                             facts={"product": product.name, "renewal": format_date(sub.next_renewal)})
        sent += 1
    return sent


# ---------------------------------------------------------------- usage

def _day(value: object, field: str = "day") -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) > 10:
        raise Invalid("Enter the day as a date.", field=field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("Enter the day as a date.", field=field) from None


def do_record_usage(session: Session, staff: Principal, subscription_id: object, day: object,
                    quantity: object) -> UsageRecord:
    """Staff record a metered quantity (typed, up to 3 decimals) on a day of the subscription."""
    check_manage(staff)
    sub = access_subscription(session, staff, subscription_id)
    product = session.get(Product, sub.product_id)
    if not product.usage_unit:
        raise Invalid(f"{product.name} is not metered.")
    when = _day(day)
    if when < sub.started_on or when > today():
        raise Invalid("The day must be between the start of the service and today.", field="day")
    amount = money.parse_quantity(quantity, field="quantity", label="Quantity")
    row = UsageRecord(subscription_id=sub.id, day=when, quantity=amount, recorded_by_id=staff.user_id)
    session.add(row)
    _audit(session, "subscription.usage_recorded", staff, sub, product, day=format_date(when),
           quantity=f"{money.typed_quantity(amount)} {product.usage_unit}")
    changed(session, sub)
    session.flush()
    return row


def usage_by_day(session: Session, principal: Principal, subscription_id: object, since: object,
                 until: object) -> list[dict]:
    """Usage per day from `since` to `until` (both included), every day
    listed (nil where nothing was recorded): [{"day": "3 Mar", "quantity": 1.5}]."""
    sub = access_subscription(session, principal, subscription_id)
    start, end = _day(since, "since"), _day(until, "until")
    if end < start or (end - start).days > USAGE_DAYS_MAX:
        raise Invalid(f"Choose at most {USAGE_DAYS_MAX} days, the first before the last.", field="since")
    rows = session.exec(select(UsageRecord.day, func.sum(UsageRecord.quantity)).where(
        UsageRecord.subscription_id == sub.id, UsageRecord.day >= start, UsageRecord.day <= end)
        .group_by(UsageRecord.day)).all()
    by_day = {d: int(q) for d, q in rows}
    out = []
    for n in range((end - start).days + 1):
        d = start + timedelta(days=n)
        out.append({"day": d.strftime("%-d %b"), "quantity": by_day.get(d, 0) / money.QUANTITY_SCALE})
    return out


def running_cost(session: Session, sub: Subscription, product: Product) -> tuple[int, int]:
    """(usage so far this period in thousandths, its cost in minor units, rounded half up)."""
    used = _usage_total(session, sub.id, sub.period_start, sub.next_renewal)
    return used, money.divide_half_up(used * product.usage_unit_price, money.QUANTITY_SCALE)


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class SubscriptionView:
    id: int
    org_id: int
    org_name: str
    product: str
    product_id: int
    quantity: int
    price: str
    period_total: str
    started: str
    period: str
    next_renewal: str
    status: str
    status_word: str
    pending_cancel: bool
    cancel_reason: str
    pausable: bool
    metered: bool
    usage_unit: str
    usage_so_far: str
    running_cost: str
    contract: str = ""  # the accepted quote's number it was started from ("" if none)
    contract_id: int = 0  # that quote's id: its PDF is the contract


def _view(session: Session, sub: Subscription, product: Product, org_name: str,
          contract: str = "") -> SubscriptionView:
    used, cost = running_cost(session, sub, product)
    m = lambda amount: format_money(amount, sub.currency)  # noqa: E731
    return SubscriptionView(
        id=sub.id, org_id=sub.org_id, org_name=org_name, product=product.name, product_id=product.id,
        quantity=sub.quantity, price=m(sub.unit_price), period_total=m(sub.quantity * sub.unit_price),
        started=format_date(sub.started_on), period=_period_words(sub.period_start, sub.next_renewal),
        next_renewal="" if sub.status == "cancelled" else format_date(sub.next_renewal), status=sub.status,
        status_word=STATUS_WORDS.get(sub.status, sub.status), pending_cancel=sub.cancel_at_period_end
        and sub.status != "cancelled", cancel_reason=CANCEL_REASONS.get(sub.cancel_reason, ""),
        pausable=product.pausable, metered=bool(product.usage_unit), usage_unit=product.usage_unit,
        usage_so_far=money.typed_quantity(used) if used else "0", running_cost=m(cost),
        contract=contract if sub.quote_id else "", contract_id=sub.quote_id if contract and sub.quote_id else 0)


def list_for_org(session: Session, principal: Principal, org_id: object) -> list[SubscriptionView]:
    """An organisation's subscriptions, newest first, for those who read its invoices."""
    invoices.check_read_org(session, principal, org_id)
    org = session.get(Organization, org_id)
    rows = session.exec(select(Subscription, Product, Quote.number)
                        .join(Product, Product.id == Subscription.product_id)
                        .outerjoin(Quote, Quote.id == Subscription.quote_id)
                        .where(Subscription.org_id == org_id).order_by(Subscription.id.desc())).all()
    # The contract (the accepted quote's PDF) for those who read quotes: members who see services do not.
    contracts = principal.is_staff or principal.role_in(org.id) in invoices.READERS
    return [_view(session, sub, product, org.name, (number or "") if contracts else "")
            for sub, product, number in rows]


def list_all(session: Session, principal: Principal, limit: int = 200) -> list[SubscriptionView]:
    """Every organisation's subscriptions (staff), newest first."""
    principal.require_staff()
    rows = session.exec(select(Subscription, Product, Organization.name, Quote.number)
                        .join(Product, Product.id == Subscription.product_id)
                        .join(Organization, Organization.id == Subscription.org_id)
                        .outerjoin(Quote, Quote.id == Subscription.quote_id)
                        .order_by(Subscription.id.desc()).limit(limit)).all()
    return [_view(session, sub, product, name, number or "") for sub, product, name, number in rows]


def recurring_products(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """(id, "name — price / interval") of every active recurring product (staff's start form)."""
    principal.require_staff()
    rows = session.exec(select(Product).where(Product.active, Product.kind == "recurring",
                                              Product.interval.in_(("month", "year")))
                        .order_by(Product.name)).all()
    return [(p.id, f"{p.name} — {format_money(p.unit_price, p.currency)} / {p.interval}") for p in rows]
