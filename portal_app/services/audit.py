"""The one audit helper: `record()` adds an event to the caller's transaction
(so it commits or rolls back with the change), and the two readers show an
organisation's log to its owners and admins, and everything to staff admins.

Each row is shown as a sentence ("Ada Lovelace invited bob@example.com as
member"), built here from the event's actor, action, target and details, with
people's and organisations' names looked up for the whole page at once (two
queries, however many rows). Detail values come from whoever caused the event
(a name, a device): they only ever become plain text, never markup."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select
from sqlmodel import Session, select

from portal_app.models import AuditEvent, Organization, User
from portal_app.services import live
from portal_app.services.errors import Invalid
from portal_app.services.formatting import current_zone, format_date, format_number, zone_name
from portal_app.services.paging import Keys, Page, paginate
from portal_app.services.principal import Principal, require_role
from portal_app.services.validation import contains_pattern

# Every action name, with the words the log shows for it.
ACTIONS: dict[str, str] = {
    "account.registered": "registered",
    "account.email_confirmed": "confirmed their email address",
    "account.profile_updated": "updated their profile",
    "account.email_change_requested": "asked to change their email address",
    "account.email_changed": "changed their email address",
    "session.started": "signed in",
    "session.ended": "signed out",
    "session.revoked": "signed out a session",
    "session.others_revoked": "signed out all other sessions",
    "sign_in.failed": "failed to sign in",
    "password.changed": "changed their password",
    "password.reset_requested": "asked for a password reset link",
    "sign_in.link_requested": "asked for a sign-in link",
    "account.verification_resent": "asked for a new confirmation link",
    "password.reset": "reset their password",
    "mfa.enabled": "turned on two-step verification",
    "mfa.disabled": "turned off two-step verification",
    "mfa.recovery_codes_renewed": "made new recovery codes",
    "org.mfa_required": "changed the two-step requirement",
    "org.renamed": "renamed the organisation",
    "org.profile_updated": "updated the organisation profile",
    "org.logo_changed": "changed the logo",
    "org.logo_removed": "removed the logo",
    "member.invited": "invited someone",
    "member.invitation_withdrawn": "withdrew an invitation",
    "member.joined": "joined the organisation",
    "member.role_changed": "changed a role",
    "member.removed": "removed a member",
    "member.left": "left the organisation",
    "staff.added": "added a staff member",
    "staff.admin_created": "created an admin (command line)",
    "staff.owner_assigned": "gave an organisation an owner",
    "mail.resent": "sent a failed mail again",
    "org.tickets_shared": "changed who sees support requests",
    "org.invoices_shared": "changed who sees invoices",
    "org.currency_changed": "changed the invoicing currency",
    "invoice.created": "drafted an invoice",
    "invoice.updated": "changed a draft invoice",
    "invoice.deleted": "deleted a draft invoice",
    "invoice.issued": "issued an invoice",
    "invoice.voided": "voided an invoice",
    "invoice.credited": "issued a credit note",
    "invoice.overdue": "marked an invoice overdue",
    "subscription.started": "started a subscription",
    "subscription.changed": "changed a subscription",
    "subscription.cancel_requested": "cancelled a subscription",
    "subscription.cancel_undone": "undid a subscription's cancellation",
    "subscription.paused": "paused a subscription",
    "subscription.resumed": "resumed a subscription",
    "subscription.renewed": "renewed a subscription",
    "subscription.ended": "ended a subscription",
    "subscription.usage_recorded": "recorded usage on a subscription",
    "subscription.reminded": "sent a renewal reminder",
    "order.placed": "placed an order",
    "order.created_from_quote": "made an order from a quote",
    "order.confirmed": "confirmed an order",
    "order.shipped": "shipped an order",
    "order.delivered": "delivered an order",
    "order.cancelled": "cancelled an order",
    "quote.created": "drafted a quote",
    "quote.updated": "changed a draft quote",
    "quote.deleted": "deleted a draft quote",
    "quote.sent": "sent a quote",
    "quote.revised": "revised a quote",
    "quote.accepted": "accepted a quote",
    "quote.declined": "declined a quote",
    "quote.changes_requested": "asked for changes to a quote",
    "payment.recorded": "recorded a payment",
    "payment.refunded": "recorded a refund",
    "payment.card_started": "started a card payment",
    "payment.card_failed": "had a card payment fail",
    "card.saved": "saved a card",
    "card.default_changed": "chose the default card",
    "card.removed": "removed a saved card",
    "product.created": "added a product to the catalogue",
    "product.updated": "changed a product",
    "product.archived": "archived a product",
    "product.restored": "restored a product",
    "product.stock_changed": "changed a product's stock",
    "customer_price.set": "set a customer's own price",
    "customer_price.removed": "removed a customer's own price",
    "org.catalogue_discount_changed": "changed a catalogue discount",
    "ticket.raised": "raised a support request",
    "ticket.replied": "replied to a support request",
    "ticket.noted": "wrote an internal note",
    "ticket.status_changed": "changed a request's status",
    "ticket.assigned": "assigned a support request",
    "ticket.triaged": "triaged a support request",
    "ticket.merged": "merged a support request",
    "canned_reply.created": "created a canned reply",
    "canned_reply.updated": "edited a canned reply",
    "canned_reply.deleted": "deleted a canned reply",
    "document.folder_created": "created a document folder",
    "document.folder_changed": "changed a document folder",
    "document.uploaded": "uploaded a document",
    "document.version_added": "added a document version",
    "document.deleted": "deleted a document",
    "article.created": "wrote a help article",
    "article.updated": "edited a help article",
    "article.published": "published a help article",
    "article.unpublished": "unpublished a help article",
    "article.archived": "archived a help article",
    "article.deleted": "deleted a help article",
    "article_category.created": "added a help category",
    "article_category.renamed": "renamed a help category",
    "article_category.deleted": "deleted a help category",
    "notification.setting_changed": "changed a notification setting",
    "notification.unsubscribed": "stopped an email notification",
    "demo.seeded": "added the demo data",
    "demo.removed": "removed the demo data",
    "ticket_category.added": "added a support category",
    "ticket_category.changed": "changed a support category",
    "ticket_category.archived": "archived a support category",
    "ticket_category.restored": "restored a support category",
    "ticket_category.moved": "reordered support categories",
    "ticket_field.added": "added a form question",
    "ticket_field.changed": "changed a form question",
    "ticket_field.removed": "removed a form question",
    "ticket_field.restored": "restored a form question",
    "ticket_field.moved": "moved a form question",
}
PAGE_SIZE = 50
READERS = ("owner", "admin")  # of an organisation's log


def record(session: Session, action: str, *, actor: Principal | None = None, actor_id: int | None = None,
           actor_label: str = "", org_id: int | None = None, target_type: str = "", target_id: object = "",
           target_label: str = "", ip: str | None = None, details: dict | None = None) -> AuditEvent:
    """Write one event in the current transaction. Never put secrets in
    `details`: the log is shown to people."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        action=action, org_id=org_id,
        actor_id=actor.user_id if actor else actor_id,
        actor_label=(actor.email if actor else actor_label)[:254],
        target_type=target_type, target_id=str(target_id or "")[:40], target_label=target_label[:254],
        ip=((actor.ip if actor and ip is None else ip) or "")[:64],
        details=json.dumps(details or {}, sort_keys=True, default=str),
    )
    session.add(event)
    live.changed(session, live.staff_key("audit"), *([live.org_key(org_id, "audit")] if org_id else []))
    return event


@dataclass(frozen=True)
class EventRow:
    id: int
    occurred_at: datetime
    actor: str  # the actor's email (or "command line", "system"): what the person filter matches
    action: str
    description: str  # the action's words, as in the filter's list
    target: str
    ip: str
    details: dict
    sentence: str = ""  # "Ada Lovelace invited bob@example.com as member"
    org: str = ""  # the organisation's name, for the staff log


@dataclass(frozen=True)
class Said:
    """What a sentence is made of: names already resolved, details as stored."""

    actor: str  # the person's name, else their email, else "Someone"
    target: str  # a person's name, else the target's label, else ""
    org: str  # the organisation's name, else ""
    details: dict


def _text(details: dict, key: str, default: str = "") -> str:
    """A detail as text: strings as they are, numbers and flags written out,
    anything else (a list, a nested object, a missing key) the default."""
    value = details.get(key, default)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return format_number(value)
    return value if isinstance(value, str) else default


def _count(details: dict, key: str) -> int | None:
    value = details.get(key)
    return value if type(value) is int else None  # noqa: E721


def _quoted(value: str) -> str:
    return f"\u201c{value}\u201d"


def _possessive(name: str) -> str:
    return f"{name}'s"


def _as_role(s: Said) -> str:
    role = _text(s.details, "role")
    return f" as {role}" if role else ""


def _whom(s: Said) -> str:
    return s.target or "someone"


def _the_org(s: Said) -> str:
    return s.org or "the organisation"


def _profile_updated(s: Said) -> str:
    name = s.details.get("name")
    if isinstance(name, list) and len(name) == 2 and all(isinstance(n, str) for n in name):
        return f"{s.actor} changed their name from {_quoted(name[0])} to {_quoted(name[1])}"
    return f"{s.actor} updated their profile"


def _session_started(s: Said) -> str:
    device = _text(s.details, "device")
    return f"{s.actor} signed in" + (f" on {device}" if device else "")


def _others_revoked(s: Said) -> str:
    n = _count(s.details, "sessions")
    if n is None:
        return f"{s.actor} signed out all their other sessions"
    return f"{s.actor} signed out {format_number(n)} other session{'' if n == 1 else 's'}"


def _renamed(s: Said) -> str:
    old, new = _text(s.details, "from"), _text(s.details, "to")
    if old and new:
        return f"{s.actor} renamed the organisation from {_quoted(old)} to {_quoted(new)}"
    return f"{s.actor} renamed the organisation"


def _org_profile_updated(s: Said) -> str:
    fields = s.details.get("fields")
    names = [f.replace("_", " ") for f in fields if isinstance(f, str)] if isinstance(fields, list) else []
    return f"{s.actor} updated the organisation profile" + (f" ({', '.join(names)})" if names else "")


def _logo_changed(s: Said) -> str:
    size = _count(s.details, "bytes")
    return f"{s.actor} uploaded a new logo" + (f" ({format_number(size)} bytes)" if size is not None else "")


def _mfa_required(s: Said) -> str:
    required = s.details.get("required")
    if required is True:
        return f"{s.actor} made two-step verification required for every member of {_the_org(s)}"
    if required is False:
        return f"{s.actor} made two-step verification optional in {_the_org(s)}"
    return f"{s.actor} changed the two-step verification requirement of {_the_org(s)}"


def _role_changed(s: Said) -> str:
    old, new = _text(s.details, "from"), _text(s.details, "to")
    if old and new:
        return f"{s.actor} changed {_possessive(_whom(s))} role from {old} to {new}"
    return f"{s.actor} changed {_possessive(_whom(s))} role"


def _total(s: Said) -> str:
    return f" ({_text(s.details, 'total')})" if _text(s.details, "total") else ""


def _tickets_shared(s: Said) -> str:
    shared = s.details.get("shared")
    if shared is True:
        return f"{s.actor} let every member of {_the_org(s)} see all support requests"
    if shared is False:
        return f"{s.actor} made support requests of {_the_org(s)} visible to those who raised or follow them"
    return f"{s.actor} changed who sees support requests of {_the_org(s)}"


def _ticket_triaged(s: Said) -> str:
    field, old, new = _text(s.details, "field"), _text(s.details, "from"), _text(s.details, "to")
    if field in ("priority", "category") and old and new:
        return f"{s.actor} changed the {field} of {_request(s)} from {old} to {new}"
    return f"{s.actor} changed {_request(s)}"


def _request(s: Said) -> str:
    return s.target or "a support request"  # "T-1042"


def _ticket_raised(s: Said) -> str:
    subject = _text(s.details, "subject")
    return f"{s.actor} raised {_request(s)}" + (f": {_quoted(subject)}" if subject else "")


def _ticket_status(s: Said) -> str:
    old, new = _text(s.details, "from"), _text(s.details, "to")
    what = _request(s)
    return f"{s.actor} changed {what} from {old} to {new}" if old and new else f"{s.actor} changed {what}"


def _in_folder(s: Said, word: str) -> str:
    folder = _text(s.details, "folder")
    return f" {word} {_quoted(folder)}" if folder else ""


def _canned(s: Said) -> str:
    return f"the canned reply {_quoted(s.target)}" if s.target else "a canned reply"


def _article(s: Said) -> str:
    return f"the help article {_quoted(s.target)}" if s.target else "a help article"


def _canned_reply_updated(s: Said) -> str:
    old = _text(s.details, "from")
    if old and s.target:
        return f"{s.actor} edited the canned reply {_quoted(old)}, now {_quoted(s.target)}"
    return f"{s.actor} edited {_canned(s)}"


def _removed(s: Said) -> str:
    role = _text(s.details, "role")
    return f"{s.actor} removed {_whom(s)} from {_the_org(s)}" + (f" (they were {role})" if role else "")


def _owner_assigned(s: Said) -> str:
    old = _text(s.details, "from")
    return f"{s.actor} made {_whom(s)} the owner of {_the_org(s)}" + (f" (they were {old})" if old else "")


def _notification_kind(s: Said) -> str:
    kind = _text(s.details, "event")
    return f"\u201c{kind}\u201d" if kind else "a kind of notification"


def _notification_setting(s: Said) -> str:
    old, new = _text(s.details, "from").lower(), _text(s.details, "to").lower()
    change = f" from {old} to {new}" if old and new else f" to {new}" if new else ""
    return f"{s.actor} changed how they hear about {_notification_kind(s)}{change}"


def _category_changed(s: Said) -> str:
    old = _text(s.details, "from")
    what = f"renamed the support category {_quoted(old)} to {_quoted(s.target)}" if old else \
        f"changed the support category {_quoted(s.target)}"
    billing = s.details.get("billing")
    return f"{s.actor} {what}" + ("" if billing is None else " (now a billing category)" if billing is True
                                  else " (no longer a billing category)")


def _question_changed(s: Said) -> str:
    old = _text(s.details, "from")
    if old:
        return f"{s.actor} renamed the question {_quoted(old)} to {_quoted(s.target)}"
    return f"{s.actor} changed the question {_quoted(s.target)}"


def _product(s: Said) -> str:
    return f"the product {_quoted(s.target)}" if s.target else "a product"


def _order(s: Said) -> str:
    return f"order {s.target}" if s.target else "an order"


def _service(s: Said) -> str:
    return f"the subscription to {s.target}" if s.target else "a subscription"


# One sentence per action in ACTIONS (a test checks that none is missing).
# Sentences are English, like the rest of the interface; dates and numbers
# in them follow PORTAL_LOCALE.
SENTENCES: dict[str, Callable[[Said], str]] = {
    "account.registered": lambda s: f"{s.actor} registered" + (f" and created {s.target}" if s.target else ""),
    "account.email_confirmed": lambda s: f"{s.actor} confirmed their email address",
    "account.profile_updated": _profile_updated,
    "account.email_change_requested": lambda s: f"{s.actor} asked to change their email address"
                                                + (f" to {_text(s.details, 'to')}" if _text(s.details, "to") else ""),
    "account.email_changed": lambda s: f"{s.actor} changed their email address"
                                       + (f" from {_text(s.details, 'from')}" if _text(s.details, "from") else ""),
    "session.started": _session_started,
    "session.ended": lambda s: f"{s.actor} signed out",
    "session.revoked": lambda s: f"{s.actor} signed out their session" + (f" on {s.target}" if s.target else ""),
    "session.others_revoked": _others_revoked,
    "sign_in.failed": lambda s: f"A sign-in to {_possessive(s.actor)} account failed",
    "password.changed": lambda s: f"{s.actor} changed their password",
    "password.reset_requested": lambda s: f"A password reset link was requested for {s.actor}",
    "sign_in.link_requested": lambda s: f"A sign-in link was requested for {s.actor}",
    "account.verification_resent": lambda s: f"{s.actor} asked for a new confirmation link",
    "password.reset": lambda s: f"{s.actor} reset their password with a link",
    "mfa.enabled": lambda s: f"{s.actor} turned on two-step verification",
    "mfa.disabled": lambda s: f"{s.actor} turned off two-step verification",
    "mfa.recovery_codes_renewed": lambda s: f"{s.actor} made new recovery codes",
    "org.mfa_required": _mfa_required,
    "org.renamed": _renamed,
    "org.profile_updated": _org_profile_updated,
    "org.logo_changed": _logo_changed,
    "org.logo_removed": lambda s: f"{s.actor} removed the logo of {_the_org(s)}",
    "member.invited": lambda s: f"{s.actor} invited {_whom(s)} to {_the_org(s)}{_as_role(s)}",
    "member.invitation_withdrawn": lambda s: f"{s.actor} withdrew the invitation for {_whom(s)}",
    "member.joined": lambda s: f"{s.actor} joined {_the_org(s)}{_as_role(s)}",
    "member.role_changed": _role_changed,
    "member.removed": _removed,
    "member.left": lambda s: f"{s.actor} left {_the_org(s)}",
    "staff.added": lambda s: f"{s.actor} added {_whom(s)} to the staff{_as_role(s)}",
    "staff.owner_assigned": _owner_assigned,
    "staff.admin_created": lambda s: f"{s.target or 'Someone'} was made a staff admin from the command line",
    "mail.resent": lambda s: f"{s.actor} sent the failed mail to {_whom(s)} again",
    "org.tickets_shared": _tickets_shared,
    "org.invoices_shared": lambda s: (f"{s.actor} let every member of {_the_org(s)} see its invoices"
                                      if s.details.get("members") is True else
                                      f"{s.actor} let only owners, admins and billing members of {_the_org(s)} "
                                      "see its invoices"),
    "org.currency_changed": lambda s: f"{s.actor} changed the currency {_the_org(s)} is invoiced in"
                                      + (f" from {_text(s.details, 'from')}" if _text(s.details, "from") else "")
                                      + (f" to {_text(s.details, 'to')}" if _text(s.details, "to") else ""),
    "product.created": lambda s: f"{s.actor} added {_product(s)} to the catalogue"
                                 + (f" at {_text(s.details, 'price')}" if _text(s.details, "price") else ""),
    "product.updated": lambda s: (f"{s.actor} renamed the product {_quoted(_text(s.details, 'from'))} to "
                                  f"{_quoted(s.target)}" if _text(s.details, "from") and s.target
                                  else f"{s.actor} changed {_product(s)}")
                                 + (f" ({_text(s.details, 'fields')})" if _text(s.details, "fields") else ""),
    "product.archived": lambda s: f"{s.actor} archived {_product(s)}",
    "product.restored": lambda s: f"{s.actor} restored {_product(s)}",
    "product.stock_changed": lambda s: f"{s.actor} set the stock of {_product(s)} to "
                                       + (_text(s.details, "to") or "not tracked"),
    "customer_price.set": lambda s: f"{s.actor} set {_the_org(s)}’s own price for {_product(s)}"
                                    + (f" to {_text(s.details, 'price')}" if _text(s.details, "price") else ""),
    "customer_price.removed": lambda s: f"{s.actor} removed {_the_org(s)}’s own price for {_product(s)}",
    "org.catalogue_discount_changed": lambda s: f"{s.actor} set the catalogue discount of {_the_org(s)}"
                                                + (f" to {_text(s.details, 'to')}" if _text(s.details, "to")
                                                   else ""),
    "invoice.created": lambda s: f"{s.actor} drafted an invoice for {_the_org(s)}" + _total(s),
    "invoice.updated": lambda s: f"{s.actor} changed a draft invoice for {_the_org(s)}" + _total(s),
    "invoice.deleted": lambda s: f"{s.actor} deleted a draft invoice for {_the_org(s)}" + _total(s),
    "invoice.issued": lambda s: f"{s.actor} issued {s.target or 'an invoice'}" + _total(s),
    "invoice.voided": lambda s: f"{s.actor} voided {s.target or 'an invoice'}"
                                + (f": {_quoted(_text(s.details, 'reason'))}" if _text(s.details, "reason") else ""),
    "invoice.credited": lambda s: f"{s.actor} issued "
                                  + (f"credit note {_text(s.details, 'credit_note')}" if _text(s.details, "credit_note")
                                     else "a credit note")
                                  + f" for {_text(s.details, 'amount', 'an amount')} against {s.target or 'an invoice'}",
    "quote.created": lambda s: f"{s.actor} drafted a quote for {_the_org(s)}" + _total(s),
    "quote.updated": lambda s: f"{s.actor} changed a draft quote for {_the_org(s)}" + _total(s),
    "quote.deleted": lambda s: f"{s.actor} deleted a draft quote for {_the_org(s)}" + _total(s),
    "quote.sent": lambda s: f"{s.actor} sent {s.target or 'a quote'}" + _total(s),
    "quote.revised": lambda s: f"{s.actor} revised {s.target or 'a quote'}"
                               + (f" (version {_text(s.details, 'version')})" if _text(s.details, "version") else "")
                               + _total(s),
    "quote.accepted": lambda s: f"{s.actor} accepted {s.target or 'a quote'}"
                                + (f" as {_quoted(_text(s.details, 'name'))}" if _text(s.details, "name") else ""),
    "quote.declined": lambda s: f"{s.actor} declined {s.target or 'a quote'}"
                                + (f" ({_text(s.details, 'reason')})" if _text(s.details, "reason") else ""),
    "quote.changes_requested": lambda s: f"{s.actor} asked for changes to {s.target or 'a quote'}"
                                         + (f": {_quoted(_text(s.details, 'comment'))}"
                                            if _text(s.details, "comment") else ""),
    "subscription.started": lambda s: f"{s.actor} started {_service(s)} for {_the_org(s)}"
                                      + (f" ({_text(s.details, 'quantity')} × {_text(s.details, 'price')})"
                                         if _text(s.details, "quantity") and _text(s.details, "price") else ""),
    "subscription.changed": lambda s: f"{s.actor} changed {_service(s)}"
                                      + (f" from {_text(s.details, 'from')}" if _text(s.details, "from") else "")
                                      + (f" to {_text(s.details, 'to')}" if _text(s.details, "to") else ""),
    "subscription.cancel_requested": lambda s: f"{s.actor} cancelled {_service(s)} at the end of its period"
                                               + (f" ({_text(s.details, 'reason')})" if _text(s.details, "reason")
                                                  else ""),
    "subscription.cancel_undone": lambda s: f"{s.actor} undid the cancellation of {_service(s)}",
    "subscription.paused": lambda s: f"{s.actor} paused {_service(s)}",
    "subscription.resumed": lambda s: f"{s.actor} resumed {_service(s)}",
    "subscription.renewed": lambda s: f"{_service(s)[:1].upper()}{_service(s)[1:]} renewed"
                                      + (f" until {_text(s.details, 'until')}" if _text(s.details, "until") else ""),
    "subscription.ended": lambda s: f"{_service(s)[:1].upper()}{_service(s)[1:]} ended as cancelled",
    "subscription.usage_recorded": lambda s: f"{s.actor} recorded usage on {_service(s)}"
                                             + (f": {_text(s.details, 'quantity')} on {_text(s.details, 'day')}"
                                                if _text(s.details, "quantity") and _text(s.details, "day") else ""),
    "subscription.reminded": lambda s: f"A renewal reminder for {_service(s)} was sent",
    "order.placed": lambda s: f"{s.actor} placed {_order(s)}" + _total(s)
                              + (f" (reference {_quoted(_text(s.details, 'po_reference'))})"
                                 if _text(s.details, "po_reference") else ""),
    "order.created_from_quote": lambda s: f"{_order(s)[:1].upper()}{_order(s)[1:]} was made from an accepted quote"
                                          + _total(s),
    "order.confirmed": lambda s: f"{s.actor} confirmed {_order(s)}"
                                 + (f" and issued {_text(s.details, 'invoice')}"
                                    if _text(s.details, "invoice") else ""),
    "order.shipped": lambda s: f"{s.actor} shipped {_order(s)}"
                               + (f" with {_text(s.details, 'carrier')}" if _text(s.details, "carrier") else ""),
    "order.delivered": lambda s: f"{s.actor} marked {_order(s)} delivered",
    "order.cancelled": lambda s: f"{s.actor} cancelled {_order(s)}"
                                 + (f": {_quoted(_text(s.details, 'reason'))}" if _text(s.details, "reason") else ""),
    "invoice.overdue": lambda s: f"{s.target or 'An invoice'} became overdue"
                                 + (f": {_text(s.details, 'amount')} was due on {_text(s.details, 'due')}"
                                    if _text(s.details, "amount") and _text(s.details, "due") else ""),
    "payment.recorded": lambda s: f"{s.actor} recorded a payment of {_text(s.details, 'amount', 'an amount')} "
                                  f"on {s.target or 'an invoice'}",
    "payment.refunded": lambda s: f"{s.actor} recorded a refund of {_text(s.details, 'amount', 'an amount')} "
                                  f"on {s.target or 'an invoice'}",
    "payment.card_started": lambda s: f"{s.actor} started paying {_text(s.details, 'amount', 'an amount')} "
                                      f"on {s.target or 'an invoice'}"
                                      + (f" with {_text(s.details, 'card')}" if _text(s.details, "card") else ""),
    "payment.card_failed": lambda s: f"A card payment of {_text(s.details, 'amount', 'an amount')} "
                                     f"on {s.target or 'an invoice'} failed"
                                     + (f": {_text(s.details, 'reason')}" if _text(s.details, "reason") else ""),
    "card.saved": lambda s: f"{s.actor} saved {s.target or 'a card'} for {_the_org(s)}",
    "card.default_changed": lambda s: f"{s.actor} made {s.target or 'a card'} the default card of {_the_org(s)}",
    "card.removed": lambda s: f"{s.actor} removed {s.target or 'a saved card'} from {_the_org(s)}",
    "ticket.raised": _ticket_raised,
    "ticket.replied": lambda s: f"{s.actor} replied to {_request(s)}",
    "ticket.noted": lambda s: f"{s.actor} wrote an internal note on {_request(s)}",
    "ticket.status_changed": _ticket_status,
    "ticket.assigned": lambda s: f"{s.actor} assigned {_request(s)}",
    "ticket.triaged": _ticket_triaged,
    "ticket.merged": lambda s: f"{s.actor} merged {_request(s)} into "
                               f"{_text(s.details, 'into') or 'another support request'}",
    "canned_reply.created": lambda s: f"{s.actor} created {_canned(s)}",
    "canned_reply.updated": _canned_reply_updated,
    "canned_reply.deleted": lambda s: f"{s.actor} deleted {_canned(s)}",
    "document.folder_created": lambda s: f"{s.actor} created the folder {_quoted(s.target)}"
                                         + (f" for {_text(s.details, 'audience').lower()}"
                                            if _text(s.details, "audience") else ""),
    "document.folder_changed": lambda s: f"{s.actor} changed the folder {_quoted(s.target)}"
                                         + (f" (was {_quoted(_text(s.details, 'from'))})"
                                            if _text(s.details, "from") and _text(s.details, "from") != s.target
                                            else ""),
    "document.uploaded": lambda s: f"{s.actor} uploaded {_quoted(s.target)}" + _in_folder(s, "to"),
    "document.version_added": lambda s: f"{s.actor} added version {_text(s.details, 'version') or '?'} of "
                                        f"{_quoted(s.target)}",
    "document.deleted": lambda s: f"{s.actor} deleted {_quoted(s.target)}" + _in_folder(s, "from"),
    "article.created": lambda s: f"{s.actor} wrote {_article(s)}",
    "article.updated": lambda s: f"{s.actor} edited {_article(s)}",
    "article.published": lambda s: f"{s.actor} published {_article(s)}",
    "article.unpublished": lambda s: f"{s.actor} unpublished {_article(s)}",
    "article.archived": lambda s: f"{s.actor} archived {_article(s)}",
    "article.deleted": lambda s: f"{s.actor} deleted {_article(s)}",
    "article_category.created": lambda s: f"{s.actor} added the help category {_quoted(s.target)}",
    "article_category.renamed": lambda s: f"{s.actor} renamed the help category "
                                          f"{_quoted(_text(s.details, 'from') or s.target)} to {_quoted(s.target)}",
    "article_category.deleted": lambda s: f"{s.actor} deleted the help category {_quoted(s.target)}",
    "notification.setting_changed": _notification_setting,
    "notification.unsubscribed": lambda s: f"{s.actor} stopped emails about {_notification_kind(s)}"
                                           " from an email's unsubscribe link",
    "demo.seeded": lambda s: "The demo data was added from the command line",
    "demo.removed": lambda s: "The demo data was removed from the command line",
    "ticket_category.added": lambda s: f"{s.actor} added the support category {_quoted(s.target)}",
    "ticket_category.changed": _category_changed,
    "ticket_category.archived": lambda s: f"{s.actor} archived the support category {_quoted(s.target)}",
    "ticket_category.restored": lambda s: f"{s.actor} restored the support category {_quoted(s.target)}",
    "ticket_category.moved": lambda s: f"{s.actor} moved the support category {_quoted(s.target)} "
                                       f"{_text(s.details, 'direction', 'up or down')}",
    "ticket_field.added": lambda s: f"{s.actor} added the question {_quoted(s.target)}"
                                    + (f" to {_quoted(_text(s.details, 'category'))}"
                                       if _text(s.details, "category") else ""),
    "ticket_field.changed": _question_changed,
    "ticket_field.removed": lambda s: f"{s.actor} removed the question {_quoted(s.target)}"
                                      + (" (kept on the requests that answered it)"
                                         if s.details.get("answered") is True else ""),
    "ticket_field.restored": lambda s: f"{s.actor} restored the question {_quoted(s.target)}",
    "ticket_field.moved": lambda s: f"{s.actor} moved the question {_quoted(s.target)} "
                                    f"{_text(s.details, 'direction', 'up or down')}",
}


def sentence(action: str, said: Said) -> str:
    """The event as a sentence. An action without its own sentence (a test
    keeps there being none) still reads: "Ada did <the action's words>"."""
    build = SENTENCES.get(action)
    if build is None:
        return f"{said.actor} {ACTIONS.get(action, action)}"
    return build(said)


def _day(value: object, field: str) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Invalid("Enter a date like 2026-11-26.", field=field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("Enter a date like 2026-11-26.", field=field) from None


def _filtered(stmt, *, person: object, action: object, since: object, until: object):
    if person not in (None, ""):
        if not isinstance(person, str) or len(person) > 254:
            raise Invalid("Enter part of an email address.", field="person")
        stmt = stmt.where(AuditEvent.actor_label.like(contains_pattern(person), escape="\\"))
    if action not in (None, ""):
        if action not in ACTIONS:
            raise Invalid("Choose an action from the list.", field="action")
        stmt = stmt.where(AuditEvent.action == action)
    start, end = _day(since, "since"), _day(until, "until")
    if start and end and end < start:
        raise Invalid("The end date is before the start date.", field="until")
    zone = current_zone()  # a day is the instance's day (PORTAL_TIMEZONE), as the times are shown
    if start:
        stmt = stmt.where(AuditEvent.occurred_at >= datetime.combine(start, time.min, zone))
    if end:
        stmt = stmt.where(AuditEvent.occurred_at < datetime.combine(end + timedelta(days=1), time.min, zone))
    return stmt


def _target_user(event: AuditEvent) -> int | None:
    digits = event.target_id
    return int(digits) if event.target_type == "user" and digits.isascii() and digits.isdigit() else None


def _names(session: Session, events: list[AuditEvent]) -> tuple[dict[int, str], dict[int, str]]:
    """The name (else email) of everyone and every organisation a page of
    events mentions, in two queries whatever the page's length (no query per
    row); only those columns are read."""
    user_ids = {e.actor_id for e in events if e.actor_id is not None} | {
        uid for uid in map(_target_user, events) if uid is not None}
    org_ids = {e.org_id for e in events if e.org_id is not None}
    users = {uid: name or email for uid, name, email in session.exec(
        select(User.id, User.name, User.email).where(User.id.in_(user_ids)))} if user_ids else {}
    orgs = dict(session.exec(select(Organization.id, Organization.name).where(Organization.id.in_(org_ids))).all()) \
        if org_ids else {}
    return users, orgs


def _row(event: AuditEvent, users: dict[int, str], orgs: dict[int, str]) -> EventRow:
    try:
        details = json.loads(event.details)
    except ValueError:
        details = {}
    details = details if isinstance(details, dict) else {}
    actor = users.get(event.actor_id) or event.actor_label or "Someone"
    target = users.get(_target_user(event)) or event.target_label
    org = orgs.get(event.org_id, "") if event.org_id is not None else ""
    return EventRow(
        event.id, event.occurred_at, event.actor_label or "system", event.action,
        ACTIONS.get(event.action, event.action),
        event.target_label or (f"{event.target_type} {event.target_id}".strip()), event.ip, details,
        sentence=sentence(event.action, Said(actor=actor, target=target, org=org, details=details)),
        org=org,
    )


# Newest first; the id breaks ties between events of the same instant. The
# indexes (org_id, occurred_at, id) and (occurred_at, id) serve both readers.
ORDER = Keys((AuditEvent.occurred_at, AuditEvent.id), descending=True)


def _page(session: Session, stmt, page: object, cursor: object) -> Page:
    result = paginate(session, stmt, page, PAGE_SIZE, keys=ORDER, cursor=cursor)
    users, orgs = _names(session, result.rows)
    return result.mapped(lambda e: _row(e, users, orgs))


def period(since: object = "", until: object = "") -> str:
    """The filter's days in words, in the instance's locale and zone ("from
    1 Nov 2026 to 26 Nov 2026 (UTC)"), or "" without dates. Raises Invalid
    like the readers do."""
    start, end = _day(since, "since"), _day(until, "until")
    if not start and not end:
        return ""
    words = " ".join(part for part in (
        f"from {format_date(start)}" if start else "", f"to {format_date(end)}" if end else "") if part)
    return f"{words} ({zone_name()})"


def visible_to(principal: Principal) -> Select:
    """The events a principal may read: every one for staff admins, those of
    the organisations they own or administer for customers, none otherwise."""
    if principal.staff_role == "admin":
        return select(AuditEvent)
    return select(AuditEvent).where(AuditEvent.org_id.in_(
        [m.org_id for m in principal.memberships if m.role in READERS]))


def list_for_org(session: Session, principal: Principal, org_id: object, *, person: object = "",
                 action: object = "", since: object = "", until: object = "", page: object = 1,
                 cursor: object = None) -> Page:
    """The organisation's log, for its owners and admins. `cursor` is the
    previous page's (`Page.cursor`), for paging by seek (services/paging.py)."""
    require_role(principal, org_id, *READERS, to="read the audit log")
    stmt = _filtered(visible_to(principal).where(AuditEvent.org_id == org_id), person=person, action=action,
                     since=since, until=until)
    return _page(session, stmt, page, cursor)


def list_all(session: Session, principal: Principal, *, person: object = "", action: object = "",
             since: object = "", until: object = "", page: object = 1, cursor: object = None) -> Page:
    """Every event, for staff admins."""
    principal.require_staff("admin")
    stmt = _filtered(visible_to(principal), person=person, action=action, since=since, until=until)
    return _page(session, stmt, page, cursor)
