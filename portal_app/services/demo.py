"""Demo data for the first command: idempotent, so running it again neither
duplicates rows nor overwrites what someone changed since (a changed demo
password stays changed)."""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app.models import Membership, Organization, User
from portal_app.models.base import utcnow
from portal_app.services import organizations, passwords
from portal_app.services.validation import slugify

DEMO_PASSWORD = "orange-tractor-velvet-81"
# (organisation, owner's name, owner's email)
DEMO_ORGANIZATIONS = [
    ("Acme Ltd", "Alice Owner", "alice@acme.example.com"),
    ("Globex Corporation", "Gus Owner", "gus@globex.example.com"),
]
DEMO_STAFF_EMAIL = "sam@portal.example.com"


def _ensure_org(session: Session, name: str, lines: list[str]) -> Organization:
    org = organizations.get_by_slug(session, slugify(name))
    if org is None:
        org = organizations.create_organization(session, name=name)
        lines.append(f"created demo organisation {org.name}")
    else:
        lines.append(f"demo organisation {org.name} already present")
    return org


def _ensure_owner(session: Session, org: Organization, name: str, email: str, lines: list[str]) -> None:
    if session.exec(select(User).where(User.email == email)).first() is not None:
        lines.append(f"demo login {email} already present")
        return
    user = User(email=email, name=name, password_hash=passwords.hash_password(DEMO_PASSWORD),
                email_verified_at=utcnow())
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, org_id=org.id, role="owner"))
    session.flush()
    lines.append(f"created demo login {email} (owner of {org.name})")


def _ensure_staff_admin(session: Session, lines: list[str]) -> None:
    if session.exec(select(User).where(User.email == DEMO_STAFF_EMAIL)).first() is not None:
        lines.append(f"demo login {DEMO_STAFF_EMAIL} already present")
        return
    session.add(User(email=DEMO_STAFF_EMAIL, name="Sam Staff", password_hash=passwords.hash_password(DEMO_PASSWORD),
                     email_verified_at=utcnow(), staff_role="admin", demo_mfa_exempt=True))
    session.flush()
    lines.append(f"created demo login {DEMO_STAFF_EMAIL} (back-office admin)")


def load_demo_data(session: Session) -> list[str]:
    """Create whatever demo rows are missing; return lines to print."""
    lines: list[str] = []
    for org_name, owner_name, email in DEMO_ORGANIZATIONS:
        org = _ensure_org(session, org_name, lines)
        _ensure_owner(session, org, owner_name, email, lines)
    _ensure_staff_admin(session, lines)
    return lines


def demo_logins() -> list[str]:
    """What the run command prints, so a first-time visitor can sign in."""
    return [f"{email}  password: {DEMO_PASSWORD}  ({org})" for org, _, email in DEMO_ORGANIZATIONS] + [
        f"{DEMO_STAFF_EMAIL}  password: {DEMO_PASSWORD}  (back-office admin)"]
