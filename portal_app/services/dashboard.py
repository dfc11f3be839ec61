"""What the signed-in person's start page shows beyond the Principal itself,
read in one statement: the dashboard event is the most frequent event of
the portal, so its cost is a small constant (see bench/bench_load.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlmodel import Session, select

from portal_app.models import Organization
from portal_app.services import members, sessions
from portal_app.services.principal import ROLES, Principal, require_role


@dataclass(frozen=True)
class Summary:
    session_count: int
    org_requires_mfa: bool = False
    members_without_mfa: int = 0


# Everything in one statement, built once (its compiled form is reused): the
# person's live sessions (`sessions.COUNT_LIVE`), the organisation's rule and
# its members without two-step verification (`members.COUNT_WITHOUT_MFA`).
_SUMMARY = select(
    sessions.COUNT_LIVE,
    select(Organization.require_mfa).where(Organization.id == bindparam("org_id")).scalar_subquery(),
    members.COUNT_WITHOUT_MFA.scalar_subquery(),
)


def summary(session: Session, principal: Principal) -> Summary:
    """The person's live sessions and, for their current organisation, its
    two-step verification rule and how many members lack it (what
    `organizations.access_organization` and `members.count_without_mfa` give).
    No organisation facts while the person must still set up two-step
    verification, or when they have no organisation."""
    current = principal.current
    org_id = current.org_id if current is not None and not principal.needs_mfa_setup else None
    if org_id is not None:
        require_role(principal, org_id, *ROLES)
    count, required, without = session.connection().execute(
        _SUMMARY, {**sessions.live_params(principal), "org_id": org_id}).one()
    if org_id is None:  # the organisation's columns matched nothing
        return Summary(count)
    return Summary(count, bool(required), without)
