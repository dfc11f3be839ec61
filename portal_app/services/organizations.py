"""Organisations: creating them (registration and demo data use this) and
finding them, always through the acting Principal's memberships."""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app.models import Organization
from portal_app.services import audit
from portal_app.services.errors import Forbidden, NotFound
from portal_app.services.principal import Principal
from portal_app.services.validation import clean_text, slugify

NAME_MAX = 200


def _unique_slug(session: Session, name: str) -> str:
    base = slugify(name)
    slug, n = base, 1
    while session.exec(select(Organization.id).where(Organization.slug == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_organization(session: Session, *, name: object) -> Organization:
    """A new organisation with a unique slug; the name is validated first so a
    bad name writes nothing."""
    clean = clean_text(name, field="company", label="Company name", max_length=NAME_MAX)
    org = Organization(name=clean, slug=_unique_slug(session, clean))
    session.add(org)
    session.flush()
    return org


def get_by_slug(session: Session, slug: str) -> Organization | None:
    return session.exec(select(Organization).where(Organization.slug == slug)).first()


def get_for(session: Session, principal: Principal, org_id: object) -> Organization:
    """An organisation the person belongs to; any other id is "not found"."""
    if principal.role_in(org_id) is None:
        raise NotFound("Organisation not found.")
    principal.require_mfa_ready()
    return session.get(Organization, org_id)


def rename(session: Session, principal: Principal, org_id: object, *, name: object) -> Organization:
    """Owners and admins with a confirmed email may rename their organisation."""
    org = get_for(session, principal, org_id)
    principal.require_can_act()
    if principal.role_in(org_id) not in ("owner", "admin"):
        raise Forbidden("Only owners and admins can rename the organisation.")
    old, org.name = org.name, clean_text(name, field="company", label="Company name", max_length=NAME_MAX)
    session.add(org)
    audit.record(session, "org.renamed", actor=principal, org_id=org.id, details={"from": old, "to": org.name})
    session.flush()
    return org
