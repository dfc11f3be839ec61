"""The one audit helper: `record()` adds an event to the caller's transaction
(so it commits or rolls back with the change), and the two readers show an
organisation's log to its owners and admins, and everything to staff admins."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlmodel import Session, select

from portal_app.models import AuditEvent
from portal_app.services.errors import Forbidden, Invalid, NotFound
from portal_app.services.paging import Page, paginate
from portal_app.services.principal import Principal
from portal_app.services.validation import contains_pattern

# Every action name, with the words the log shows for it.
ACTIONS: dict[str, str] = {
    "account.registered": "registered",
    "account.email_confirmed": "confirmed their email address",
    "account.profile_updated": "updated their profile",
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
}
PAGE_SIZE = 50


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
    return event


@dataclass(frozen=True)
class EventRow:
    id: int
    occurred_at: datetime
    actor: str
    action: str
    description: str
    target: str
    ip: str
    details: dict


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
    if start:
        stmt = stmt.where(AuditEvent.occurred_at >= datetime.combine(start, time.min, timezone.utc))
    if end:
        stmt = stmt.where(AuditEvent.occurred_at < datetime.combine(end + timedelta(days=1), time.min, timezone.utc))
    return stmt


def _page(session: Session, stmt, page: object) -> Page:
    result = paginate(session, stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()), page, PAGE_SIZE)
    rows = [EventRow(e.id, e.occurred_at, e.actor_label or "system", e.action, ACTIONS.get(e.action, e.action),
                     e.target_label or (f"{e.target_type} {e.target_id}".strip()), e.ip, json.loads(e.details))
            for e in result.rows]
    return Page(rows, result.page, result.pages, result.total)


def list_for_org(session: Session, principal: Principal, org_id: object, *, person: object = "",
                 action: object = "", since: object = "", until: object = "", page: object = 1) -> Page:
    """The organisation's log, for its owners and admins."""
    role = principal.role_in(org_id)
    if role is None:
        raise NotFound("Organisation not found.")
    principal.require_mfa_ready()
    if role not in ("owner", "admin"):
        raise Forbidden("Only owners and admins can read the audit log.")
    stmt = _filtered(select(AuditEvent).where(AuditEvent.org_id == org_id), person=person, action=action,
                     since=since, until=until)
    return _page(session, stmt, page)


def list_all(session: Session, principal: Principal, *, person: object = "", action: object = "",
             since: object = "", until: object = "", page: object = 1) -> Page:
    """Every event, for staff admins."""
    principal.require_staff("admin")
    stmt = _filtered(select(AuditEvent), person=person, action=action, since=since, until=until)
    return _page(session, stmt, page)
