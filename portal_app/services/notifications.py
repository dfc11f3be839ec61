"""Notifications: the one `notify()` every area calls when something happened
that a person should hear about, the in-app centre's reads and marks, each
person's channel per event type, and the one-click unsubscribe link.

`notify` writes in the caller's transaction and never commits: the in-app
rows and the outbox rows commit (or roll back) with the change they tell
about, and the mail's delivery job is queued only after that commit
(`services.mail.queue_mail`).

What is mailed, and what is not: notifications are "something happened"
messages. Mail a person asked for (confirmation, sign-in and reset links) and
the invitation itself (with its accept link, to any address) stay dedicated
mails; an invitation's notification is therefore in-app only, for people who
already have an account, so nobody gets the same invitation mailed twice.
Notification mail goes only to confirmed addresses.

The unsubscribe token is stateless: an HMAC, keyed from the instance secret,
of the user id and the event type. It needs no table, does not expire (an old
mail's link keeps working, as mail clients expect) and can do one thing only:
turn email off for that one event type of that one person."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, update
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from portal_app import routes
from portal_app.models import Notification, NotificationPreference, User
from portal_app.models.base import utcnow
from portal_app.services import audit, live
from portal_app.services.errors import ErrorCode, Invalid, NotFound
from portal_app.services.mail import public_link, queue_mail
from portal_app.services.paging import Keys, Page, paginate
from portal_app.services.principal import Principal
from portal_app.settings import get_settings

IN_APP, EMAIL, BOTH, NONE = "in_app", "email", "both", "none"
# Every channel, with the words the preferences form shows for it.
CHANNELS: dict[str, str] = {
    IN_APP: "In the portal",
    EMAIL: "By email",
    BOTH: "In the portal and by email",
    NONE: "Not at all",
}
PAGE_SIZE = 20
BAD_UNSUBSCRIBE = ("This unsubscribe link is not valid: it may have been cut short or changed. "
                   "Sign in and change your notification settings instead.")


@dataclass(frozen=True)
class Event:
    """One kind of news. `phrase` is the sentence shown and mailed, filled
    from the caller's facts (plain text, never markup); `channels` are the
    choices a person has for it, `default` theirs until they choose."""

    key: str
    label: str
    phrase: str
    default: str
    channels: tuple[str, ...] = (IN_APP, EMAIL, BOTH, NONE)
    staff_only: bool = False  # news for the business's staff: not offered to customers

    def offered_to(self, principal: Principal) -> bool:
        return principal.is_staff or not self.staff_only


def _registry(*events: Event) -> dict[str, Event]:
    return {event.key: event for event in events}


# The one registry of event types, in the order the preferences form lists them.
EVENTS: dict[str, Event] = _registry(
    Event("invitation", "Invitations to an organisation",
          "{actor} invited you to join {org} as {role}. Use the link in the email we sent you to accept.",
          IN_APP, channels=(IN_APP, NONE)),  # the invitation mail itself always goes out
    Event("member_joined", "Someone joins your organisation", "{person} joined {org} as {role}.", IN_APP),
    Event("role_changed", "Changes to your role", "{actor} changed your role in {org} from {old} to {new}.", BOTH),
    Event("new_device", "Sign-ins from a new device",
          "Someone signed in to your account on {device} from {ip}. If it was not you, change your password.",
          BOTH),
    Event("mfa_changed", "Changes to two-step verification", "{change}", BOTH),
    Event("ticket_raised", "New support requests", "{org} raised {ticket}: {subject}", BOTH, staff_only=True),
    Event("ticket_reply", "Replies to support requests", "{actor} replied to {ticket}: {subject}", BOTH),
    Event("ticket_mention", "Mentions of you in support requests", "{actor} mentioned you on {ticket}: {subject}",
          BOTH),
    Event("ticket_status", "Changes to support requests", "{actor} marked {ticket} {status}: {subject}", IN_APP),
    Event("sla_at_risk", "Support requests at risk of missing their target",
          "{ticket} is at risk of missing its {target} target ({due}): {subject}", BOTH, staff_only=True),
    Event("sla_breached", "Support requests that missed their target",
          "{ticket} missed its {target} target ({due}): {subject}", BOTH, staff_only=True),
    Event("ticket_merged", "Requests merged into another", "{actor} merged {ticket} into {into}: {subject}", BOTH),
    Event("ticket_rated", "Satisfaction ratings of support requests",
          "{actor} rated {ticket} {score} out of 5: {subject}", IN_APP, staff_only=True),
    Event("invoice_issued", "New invoices", "New invoice {invoice} for {amount}.", BOTH),
    Event("invoice_paid", "Payments and refunds on invoices", "{what} on {invoice}: {amount}.", IN_APP),
    Event("invoice_credited", "Credit notes", "A credit of {amount} was issued against {invoice}.", BOTH),
    Event("invoice_voided", "Cancelled invoices", "{invoice} was cancelled: {reason}", BOTH),
    Event("invoice_reminder", "Reminders of overdue invoices",
          "{invoice} is overdue: {amount} was due on {due}.", BOTH),
    Event("subscription_changed", "Changes to services", "{product}: {change}", BOTH),
    Event("subscription_reminder", "Reminders of service renewals", "{product} renews on {renewal}.", IN_APP),
    Event("document_shared", "Documents shared with you", "New document in {folder}: {document}", BOTH),
    Event("order_changed", "Orders placed, confirmed, shipped and delivered", "Order {order} {change}", BOTH),
    Event("quote_sent", "New and revised quotes", "{quote} was {what}: {title} ({total}, valid until {until}).",
          BOTH),
    Event("quote_answered", "Customers' answers to quotes", "{org}: {quote} {answer}: {title}", BOTH,
          staff_only=True),
)


# Every page path in routes.py: the only places a notification may link to.
OWN_PATHS = frozenset(value for name, value in vars(routes).items()
                      if name.isupper() and isinstance(value, str) and value.startswith("/"))


@dataclass(frozen=True)
class Target:
    """What a notification links to: one of our own page paths from
    `routes.py` (never a URL taken from input), optionally with a query, and
    the organisation it concerns, if any."""

    path: str
    org_id: int | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.path)
        own = parts.path in OWN_PATHS or routes.is_numbered(parts.path)
        if parts.scheme or parts.netloc or not own or not self.path.startswith("/"):
            raise ValueError(f"a notification links to one of our own pages, not {self.path!r}")


# ---------------------------------------------------------------- notify

def _recipient_ids(recipients: Iterable[int | User]) -> list[int]:
    ids = {r.id if isinstance(r, User) else r for r in recipients}
    return sorted(i for i in ids if type(i) is int)  # noqa: E721


def _channels_for(session: Session, user_ids: list[int], event: Event) -> dict[int, str]:
    chosen = dict(session.exec(select(NotificationPreference.user_id, NotificationPreference.channel).where(
        NotificationPreference.user_id.in_(user_ids), NotificationPreference.event == event.key)).all())
    return {uid: chosen.get(uid, event.default) for uid in user_ids}


def listening(session: Session, user_ids: Iterable[int], event: Event) -> set[int]:
    """Of these people, who hears of `event` at all (has not chosen "none"):
    so a more specific event can stand in for a general one only for them."""
    ids = list(user_ids)
    return {uid for uid, channel in _channels_for(session, ids, event).items() if channel != NONE} if ids else set()


def notify(session: Session, recipients: Iterable[int | User], event: Event, target: Target, *,
           facts: Mapping[str, object] | None = None) -> list[Notification]:
    """Tell each recipient (user ids or users) that `event` happened, in the
    portal and/or by email as each of them chose; inactive accounts hear
    nothing. Writes in the caller's transaction; returns the in-app rows."""
    if event.key not in EVENTS or EVENTS[event.key] is not event:
        raise ValueError(f"unknown notification event {event.key!r}")
    ids = _recipient_ids(recipients)
    if not ids:
        return []
    title = event.phrase.format(**{k: str(v) for k, v in (facts or {}).items()})[:300]
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_(ids), User.is_active)).all()}
    written = []
    for user_id, channel in _channels_for(session, list(users), event).items():
        if channel in (IN_APP, BOTH):
            row = Notification(user_id=user_id, org_id=target.org_id, event=event.key, title=title,
                               target=target.path)
            session.add(row)
            written.append(row)
            live.changed(session, live.person_key(user_id, "notifications"))  # their bell
        user = users[user_id]
        if channel in (EMAIL, BOTH) and EMAIL in event.channels and user.email_verified_at is not None:
            _mail(session, user, event, target, title)
    session.flush()
    return written


def _mail(session: Session, user: User, event: Event, target: Target, title: str) -> None:
    stop = public_link(routes.UNSUBSCRIBE_API, token=unsubscribe_token(user.id, event.key))
    queue_mail(session, to=user.email, subject=title[:120], unsubscribe_url=stop, body=(
        f"{title}\n\nSee it in the portal: {public_link(target.path)}\n\n"
        f"You get this email because of your notification settings for \u201c{event.label}\u201d.\n"
        f"Stop these emails: {public_link(routes.UNSUBSCRIBE, token=unsubscribe_token(user.id, event.key))}\n"
        f"All your notification settings: {public_link(routes.NOTIFICATIONS)}"))


# ---------------------------------------------------------------- reading and marking

@dataclass(frozen=True)
class NotificationRow:
    id: int
    event: str
    title: str
    target: str
    created_at: datetime
    read: bool


def visible_to(principal: Principal) -> SelectOfScalar[Notification]:
    """A person's notifications are theirs alone, staff included."""
    return select(Notification).where(Notification.user_id == principal.user_id)


def access_notification(session: Session, principal: Principal, notification_id: object) -> Notification:
    """One of the person's own notifications; another's, or none, is NotFound."""
    if type(notification_id) is not int:  # noqa: E721
        raise NotFound("That notification no longer exists.")
    row = session.exec(visible_to(principal).where(Notification.id == notification_id)).first()
    if row is None:
        raise NotFound("That notification no longer exists.")
    return row


ORDER = Keys((Notification.created_at, Notification.id), descending=True)


def list_for(session: Session, principal: Principal, *, page: object = 1, cursor: object = None) -> Page:
    """Newest first, a page at a time (services/paging.py); rows are
    `NotificationRow`s."""
    return paginate(session, visible_to(principal), page, PAGE_SIZE, keys=ORDER, cursor=cursor).mapped(
        lambda n: NotificationRow(n.id, n.event, n.title, n.target, n.created_at, n.read_at is not None))


def unread_count(session: Session, principal: Principal) -> int:
    """The bell's number (one indexed count)."""
    stmt = visible_to(principal).where(Notification.read_at.is_(None)).with_only_columns(func.count())
    return session.exec(stmt).one()


def mark_read(session: Session, principal: Principal, notification_id: object) -> Notification:
    row = access_notification(session, principal, notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        session.add(row)
        session.flush()
        live.changed(session, live.person_key(principal.user_id, "notifications"))  # their other tabs
    return row


def mark_all_read(session: Session, principal: Principal) -> int:
    """Returns how many were unread."""
    count = session.execute(update(Notification).where(
        Notification.user_id == principal.user_id, Notification.read_at.is_(None)).values(read_at=utcnow())).rowcount
    if count:
        live.changed(session, live.person_key(principal.user_id, "notifications"))
    return count


# ---------------------------------------------------------------- preferences

@dataclass(frozen=True)
class PreferenceRow:
    event: str
    label: str
    channel: str
    choices: tuple[tuple[str, str], ...]  # (channel, words)


def preferences(session: Session, principal: Principal) -> list[PreferenceRow]:
    """Every event type with the person's channel (the default where they
    never chose), in the registry's order."""
    chosen = dict(session.exec(select(NotificationPreference.event, NotificationPreference.channel).where(
        NotificationPreference.user_id == principal.user_id)).all())
    return [PreferenceRow(e.key, e.label, chosen.get(e.key, e.default),
                          tuple((c, CHANNELS[c]) for c in e.channels)) for e in EVENTS.values() if e.offered_to(principal)]


def _clean_choices(principal: Principal, choices: object) -> dict[str, str]:
    """Every pair checked before anything is written: one unknown event type
    or channel refuses the whole form."""
    if not isinstance(choices, Mapping):
        raise Invalid("Choose a setting for each kind of notification.")
    clean = {}
    for key, channel in choices.items():
        if channel is None:
            continue  # a field the form did not show (staff-only news, for a customer): nothing chosen
        event = EVENTS.get(key) if isinstance(key, str) else None
        if event is None or not event.offered_to(principal):
            raise Invalid("There is no such kind of notification. Reload the page and try again.")
        if channel not in event.channels:
            words = ", ".join(CHANNELS[c].lower() for c in event.channels)
            raise Invalid(f"For \u201c{event.label}\u201d choose one of: {words}.", field=key)
        clean[key] = channel
    return clean


def _set_channel(session: Session, user_id: int, event: Event, channel: str) -> str | None:
    """Store one choice; returns the previous channel when it changed."""
    row = session.get(NotificationPreference, (user_id, event.key))
    old = row.channel if row is not None else event.default
    if old == channel:
        return None
    if row is None:
        row = NotificationPreference(user_id=user_id, event=event.key, channel=channel)
    row.channel, row.updated_at = channel, utcnow()
    session.add(row)
    return old


def set_preferences(session: Session, principal: Principal, choices: object) -> int:
    """Save the person's channels (event key -> channel); returns how many
    changed. Each change is audited."""
    changed = 0
    for key, channel in _clean_choices(principal, choices).items():
        old = _set_channel(session, principal.user_id, EVENTS[key], channel)
        if old is not None:
            changed += 1
            audit.record(session, "notification.setting_changed", actor=principal,
                         details={"event": EVENTS[key].label, "from": CHANNELS[old], "to": CHANNELS[channel]})
    session.flush()
    return changed


# ---------------------------------------------------------------- unsubscribe

def _signature(user_id: int, event_key: str) -> str:
    key = hashlib.sha256(b"portal-unsubscribe:" + get_settings().secret_key.encode()).digest()
    digest = hmac.new(key, f"{user_id}:{event_key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def unsubscribe_token(user_id: int, event_key: str) -> str:
    """`<user id>.<event type>.<signature>`: no secret in it but the signature."""
    return f"{user_id}.{event_key}.{_signature(user_id, event_key)}"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    event: Event
    email: str


def _read_token(session: Session, raw: object) -> Unsubscribe:
    if not isinstance(raw, str) or len(raw) > 100 or raw.count(".") != 2:
        raise Invalid(BAD_UNSUBSCRIBE, code=ErrorCode.BAD_LINK)
    user_part, event_key, signature = raw.split(".")
    event = EVENTS.get(event_key)
    if (not user_part.isascii() or not user_part.isdigit() or len(user_part) > 18 or event is None
            or not hmac.compare_digest(signature, _signature(int(user_part), event_key))):
        raise Invalid(BAD_UNSUBSCRIBE, code=ErrorCode.BAD_LINK)
    user = session.get(User, int(user_part))
    if user is None:
        raise Invalid(BAD_UNSUBSCRIBE, code=ErrorCode.BAD_LINK)
    return Unsubscribe(user.id, event, user.email)


def describe_unsubscribe(session: Session, raw: object) -> Unsubscribe:
    """What the confirmation page says will stop; changes nothing."""
    return _read_token(session, raw)


def unsubscribe(session: Session, raw: object, *, ip: str = "") -> Unsubscribe:
    """Turn email off for the token's person and event type (in-app stays as
    it was). Doing it twice is doing it once."""
    found = _read_token(session, raw)
    row = session.get(NotificationPreference, (found.user_id, found.event.key))
    current = row.channel if row is not None else found.event.default
    keep = {BOTH: IN_APP, EMAIL: NONE}.get(current)
    if keep is not None:
        _set_channel(session, found.user_id, found.event, keep)
        audit.record(session, "notification.unsubscribed", actor_id=found.user_id, actor_label=found.email,
                     ip=ip, details={"event": found.event.label})
        session.flush()
    return found
