"""Server-side login sessions: created from a login ticket, resolved from the
cookie's token on every request, ended by logout, idle time, age or the person
signing out other devices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, func, update
from sqlmodel import Session, select

from portal_app.models import LoginSession, Membership, Organization, User
from portal_app.models.base import utcnow
from portal_app.services import audit, tokens
from portal_app.services.errors import NotFound
from portal_app.services.principal import MEMBERSHIP_FACTS, ROLES, USER_FACTS, Principal, assemble, require_role
from portal_app.settings import get_settings

COOKIE_BASE_NAME = "portal_session"  # read the name through `cookie_name()`
TICKET_BINDING_COOKIE = "portal_ticket"  # the second half of a login ticket (see accounts._ticket)
TOUCH_EVERY = timedelta(minutes=1)  # write last_seen at most this often


def cookie_name() -> str:
    """The one place that names the session cookie. Behind HTTPS it carries the
    `__Host-` prefix, so the browser accepts it only when Secure, for Path=/
    and without a Domain: a sibling subdomain cannot plant or shadow it."""
    return f"__Host-{COOKIE_BASE_NAME}" if get_settings().is_https else COOKIE_BASE_NAME


def idle_timeout(staff: bool = False) -> timedelta:
    """How long a session survives without activity. Staff sessions reach
    every organisation, so they get their own, shorter limits."""
    settings = get_settings()
    return timedelta(minutes=settings.staff_session_idle_minutes if staff else settings.session_idle_minutes)


def max_age(staff: bool = False) -> timedelta:
    """How long a session lasts however active it is."""
    settings = get_settings()
    return timedelta(hours=settings.staff_session_max_hours if staff else settings.session_max_hours)


def _is_staff(user: User | None) -> bool:
    return user is not None and user.staff_role is not None


def start(session: Session, *, user_id: int, ip: str, user_agent: str) -> str:
    """A new session; returns the raw token for the cookie (never stored)."""
    raw = tokens.new_secret()
    staff = _is_staff(session.get(User, user_id))
    session.add(LoginSession(user_id=user_id, token_hash=tokens.hash_secret(raw), ip=ip[:64],
                             user_agent=user_agent[:300], expires_at=utcnow() + max_age(staff)))
    session.flush()
    return raw


def _live(row: LoginSession | None, now: datetime, staff: bool = False) -> bool:
    """Not revoked, not past its expiry, not idle too long. Staff limits are
    checked against the session's start too, so someone made staff while
    signed in does not keep a customer-length session."""
    return (row is not None and row.revoked_at is None and row.expires_at > now
            and now - row.created_at < max_age(staff)
            and now - row.last_seen_at < idle_timeout(staff))


# The whole Principal behind a token in one statement: the login session,
# its user, and one row per membership (one row with empty membership columns
# for someone in no organisation). Built once, so SQLAlchemy's compiled form
# is reused: this runs on every event of every signed-in person.
_RESOLVE = (
    select(LoginSession.id.label("session_id"), LoginSession.created_at, LoginSession.last_seen_at,
           LoginSession.expires_at, LoginSession.revoked_at, LoginSession.active_org_id,
           *USER_FACTS, *MEMBERSHIP_FACTS)
    .join(User, User.id == LoginSession.user_id)
    .outerjoin(Membership, Membership.user_id == User.id)
    .outerjoin(Organization, Organization.id == Membership.org_id)
    .where(LoginSession.token_hash == bindparam("token_hash"))
    .order_by(Membership.id)
)


def resolve(session: Session, raw_token: object) -> Principal | None:
    """The Principal behind a cookie token, or None when it is missing, unknown,
    revoked, idle too long or too old, or the account is disabled. One
    statement (plus, at most once a minute, the write of `last_seen_at`),
    however many organisations and sessions the person has."""
    if not isinstance(raw_token, str) or not raw_token or len(raw_token) > tokens.TOKEN_MAX_LENGTH:
        return None
    now = utcnow()
    rows = session.connection().execute(_RESOLVE, {"token_hash": tokens.hash_secret(raw_token)}).all()
    first = rows[0] if rows else None
    if first is None or not first.is_active or not _live(first, now, first.staff_role is not None):
        return None
    if now - first.last_seen_at >= TOUCH_EVERY:
        session.execute(update(LoginSession).where(LoginSession.id == first.session_id).values(last_seen_at=now))
    return assemble(first, [r for r in rows if r.org_id is not None],
                    session_id=first.session_id, active_org_id=first.active_org_id)


def end(session: Session, raw_token: object, *, ip: str = "") -> None:
    """Logout: the token stops working everywhere at once."""
    if not isinstance(raw_token, str) or not raw_token or len(raw_token) > tokens.TOKEN_MAX_LENGTH:
        return
    row = session.exec(select(LoginSession).where(LoginSession.token_hash == tokens.hash_secret(raw_token),
                                                  LoginSession.revoked_at.is_(None))).first()
    if row is None:
        return
    row.revoked_at = utcnow()
    session.add(row)
    user = session.get(User, row.user_id)
    audit.record(session, "session.ended", actor_id=user.id, actor_label=user.email, ip=ip)


@dataclass(frozen=True)
class SessionInfo:
    id: int
    device: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


def describe_device(user_agent: str) -> str:
    """"Firefox on Windows"-style text; good enough to recognise one's devices."""
    ua = user_agent or ""
    browser = next((name for key, name in (
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"), ("Safari/", "Safari")) if key in ua), "Unknown browser")
    system = next((name for key, name in (
        ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
        ("Mac OS X", "macOS"), ("Linux", "Linux")) if key in ua), "unknown system")
    return f"{browser} on {system}"


KNOWN_DEVICES_LOOKBACK = 100  # sessions compared against when someone signs in


def is_new_device(session: Session, user_id: int, user_agent: str) -> bool:
    """Whether a sign-in comes from a kind of device ("Chrome on Linux") none
    of the person's recent sessions used. The very first sign-in is not news.
    Browsers update their version and people change networks, so neither the
    full user agent nor the IP address decides."""
    seen = session.exec(select(LoginSession.user_agent).where(LoginSession.user_id == user_id)
                        .order_by(LoginSession.id.desc()).limit(KNOWN_DEVICES_LOOKBACK)).all()
    return bool(seen) and describe_device(user_agent) not in {describe_device(ua) for ua in seen}


def visible_to(principal: Principal) -> Select:
    """The sign-in sessions a principal may see: their own (staff too)."""
    return select(LoginSession).where(LoginSession.user_id == principal.user_id)


# `_live` as a WHERE clause (beside the person's own rows, `visible_to`): the
# sessions that still work. Values from `live_params`. `list_for` and
# `COUNT_LIVE` share it, so the list and the dashboard's count cannot disagree.
_LIVE_WHERE = (LoginSession.revoked_at.is_(None), LoginSession.expires_at > bindparam("now"),
               LoginSession.created_at > bindparam("born_after"),
               LoginSession.last_seen_at > bindparam("seen_after"))
# How many sessions `list_for` would list: `visible_to`'s rule with the user
# as a bound parameter, built once, as a scalar subquery to compose into one
# statement (services/dashboard.py), with `live_params`.
COUNT_LIVE = (select(func.count()).select_from(LoginSession)
              .where(LoginSession.user_id == bindparam("user_id"), *_LIVE_WHERE).scalar_subquery())


def live_params(principal: Principal) -> dict[str, object]:
    """The values of `_LIVE_WHERE` (and `COUNT_LIVE`'s user) for the person, now."""
    now = utcnow()
    return {"user_id": principal.user_id, "now": now, "born_after": now - max_age(principal.is_staff),
            "seen_after": now - idle_timeout(principal.is_staff)}


def list_for(session: Session, principal: Principal) -> list[SessionInfo]:
    """The person's own live sessions, newest activity first."""
    rows = session.exec(visible_to(principal).where(*_LIVE_WHERE).order_by(LoginSession.last_seen_at.desc()),
                        params=live_params(principal)).all()
    return [SessionInfo(r.id, describe_device(r.user_agent), r.ip, r.created_at, r.last_seen_at,
                        r.id == principal.session_id) for r in rows]


def access_session(session: Session, principal: Principal, session_id: object) -> LoginSession:
    """One of the person's own live sessions, or `NotFound`: someone else's,
    one already signed out, and ids of the wrong type (True would be
    session 1) look the same."""
    row = None
    if type(session_id) is int:  # noqa: E721
        row = session.exec(visible_to(principal).where(LoginSession.id == session_id,
                                                       LoginSession.revoked_at.is_(None))).first()
    if row is None:
        raise NotFound("That session no longer exists.")
    return row


def revoke(session: Session, principal: Principal, session_id: object) -> None:
    """Sign out one of the person's own sessions; someone else's is "not found"."""
    row = access_session(session, principal, session_id)
    row.revoked_at = utcnow()
    session.add(row)
    audit.record(session, "session.revoked", actor=principal, target_type="session", target_id=row.id,
                 target_label=describe_device(row.user_agent))
    session.flush()


def revoke_others(session: Session, principal: Principal, *, audited: bool = True) -> int:
    """Sign out everywhere but here; returns how many sessions ended."""
    result = session.execute(update(LoginSession).where(
        LoginSession.user_id == principal.user_id, LoginSession.revoked_at.is_(None),
        LoginSession.id != (principal.session_id or -1)).values(revoked_at=utcnow()))
    if audited:
        audit.record(session, "session.others_revoked", actor=principal, details={"sessions": result.rowcount})
    return result.rowcount


def switch_organization(session: Session, principal: Principal, org_id: object) -> None:
    """Work in another of the person's organisations, in this session only
    (any member may; someone who still has to set up two-step verification
    works in none until they do)."""
    require_role(principal, org_id, *ROLES)
    if principal.session_id is None:
        raise NotFound("Organisation not found.")
    row = session.get(LoginSession, principal.session_id)
    row.active_org_id = org_id
    session.add(row)
    session.flush()


def revoke_all(session: Session, user_id: int) -> None:
    session.execute(update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def revoke_all_but(session: Session, user_id: int, keep_session_id: int | None) -> int:
    """Sign a person out everywhere except one session (the browser that made
    the change, if it is theirs); returns how many sessions ended. Unlike
    `revoke_others` this needs no Principal: an emailed link may be opened in
    a browser that is not signed in."""
    result = session.execute(update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None),
        LoginSession.id != (keep_session_id if type(keep_session_id) is int else -1))  # noqa: E721
        .values(revoked_at=utcnow()))
    return result.rowcount
