"""Organisations: creating them (registration and demo data use this) and
finding them, always through `visible_to` (the acting Principal's
memberships, or the back office for staff).

Renaming is part of the profile (`org_profile.update_profile`, by owners,
admins and billing members, audited as `org.renamed`): there is one way to
do it."""

from __future__ import annotations

from sqlalchemy import Select, false, true
from sqlmodel import Session, select

from portal_app.models import Organization
from portal_app.services.errors import NotFound
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


def visible_to(principal: Principal, *, back_office: bool = False) -> Select:
    """The organisations a principal may read, as a query to build on.

    One rule, decided here for every service: a customer path (the
    organisation page, its profile, logo, members, log) shows an
    organisation to its members only, staff included (staff belong to no
    organisation, so they see none there). The back office (`back_office=True`,
    `services/staff.py`) shows every organisation to staff, after
    `require_staff`; to anyone else it shows none. Membership comes from the
    principal, which is read from the database for each request, like
    `require_role` reads it."""
    if back_office:
        return select(Organization).where(true() if principal.is_staff else false())
    return select(Organization).where(Organization.id.in_([m.org_id for m in principal.memberships]))


def access_organization(session: Session, principal: Principal, org_id: object, *,
                        back_office: bool = False) -> Organization:
    """One organisation through `visible_to`, or `NotFound` (missing and not
    yours look the same; ids of the wrong type, True included, are missing).
    Role checks are the caller's (`require_role`, or `require_staff` in the
    back office); on a customer path a member who still has to set up
    two-step verification gets nothing, as everywhere."""
    if type(org_id) is not int:  # noqa: E721 — True is an int too, and would match organisation 1
        raise NotFound("Organisation not found.")
    org = session.exec(visible_to(principal, back_office=back_office).where(Organization.id == org_id)).first()
    if org is None:
        raise NotFound("Organisation not found.")
    if not back_office:
        principal.require_mfa_ready()
    return org
