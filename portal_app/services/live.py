"""The one way a service says "this changed" so that open pages showing it
update themselves (live pages): `changed(session, key, ...)` with keys from
`integrations.live` (`org_key`, `person_key`, `staff_key`, `ticket_key`).

Nothing is sent before the caller's transaction commits, and nothing at all
if it rolls back: a page reloading on the signal must find the change there.
Keys from the whole action go out together, once each."""

from __future__ import annotations

from sqlmodel import Session

from portal_app.db import after_commit, on_rollback
from portal_app.integrations import live
from portal_app.integrations.live import invoice_key, org_key, person_key, staff_key, ticket_key

from portal_app.services.principal import Principal

__all__ = ["changed", "invoice_key", "member_lists_of", "org_key", "person_key", "staff_key", "ticket_key"]

_PENDING = "portal_live_keys"


def changed(session: Session, *keys: str) -> None:
    """Publish `keys` once the caller's transaction has committed."""
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = set()
        after_commit(session, lambda: live.publish(session.info.pop(_PENDING, ())))
        on_rollback(session, lambda: session.info.pop(_PENDING, None))
    pending.update(keys)


def member_lists_of(principal: Principal) -> list[str]:
    """The member lists `principal` appears on (their name, email and
    two-step status show there): what changes when they change those."""
    return [org_key(m.org_id, "members") for m in principal.memberships]
