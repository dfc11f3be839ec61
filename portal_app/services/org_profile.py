"""The organisation's profile (name, legal name, address, tax id, billing
email) and its logo. Owners, admins and billing members may change them;
every member may see them.

This is the one way to rename an organisation: the name is a profile field
(a separate owner/admin-only rename drifted from it and is gone). A new name
is audited as `org.renamed` (from, to), the other fields as
`org.profile_updated`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session

from portal_app.integrations.storage import Storage, get_storage, read_all
from portal_app.models import Organization
from portal_app.services import audit, files, organizations
from portal_app.services.accounts import normalize_email
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.principal import ROLES, Principal, require_role
from portal_app.services.validation import clean_multiline, clean_text

EDITORS = ("owner", "admin", "billing")
LOGO_MAX_BYTES = files.LOGO_MAX_BYTES
_TAX_ID = re.compile(r"[A-Za-z0-9 .\-/]*")
# Raster formats only: an SVG logo could carry script.
_IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class Profile:
    name: str
    legal_name: str
    address: str
    tax_id: str
    billing_email: str
    has_logo: bool
    can_edit: bool
    logo_version: str = ""  # changes with every new logo (for cache-busting URLs)


def _visible(session: Session, principal: Principal, org_id: object) -> Organization:
    """Every member reads the profile; staff read organisations in the back
    office (`services/staff.py`), not here (see `organizations.visible_to`)."""
    require_role(principal, org_id, *ROLES)
    return organizations.access_organization(session, principal, org_id)


def _editable(session: Session, principal: Principal, org_id: object) -> Organization:
    require_role(principal, org_id, *EDITORS, to="change the profile", acting=True)
    return organizations.access_organization(session, principal, org_id)


def get_profile(session: Session, principal: Principal, org_id: object) -> Profile:
    org = _visible(session, principal, org_id)
    return Profile(org.name, org.legal_name, org.address, org.tax_id, org.billing_email, bool(org.logo_key),
                   principal.role_in(org_id) in EDITORS, org.logo_key.rsplit("/", 1)[-1])


def update_profile(session: Session, principal: Principal, org_id: object, *, name: object, legal_name: object,
                   address: object, tax_id: object, billing_email: object) -> Organization:
    """Validate every field first, then change all of them or none."""
    org = _editable(session, principal, org_id)
    clean = {
        "name": clean_text(name, field="name", label="Name", max_length=200),
        "legal_name": clean_text(legal_name, field="legal_name", label="Legal name", max_length=200, required=False),
        "address": clean_multiline(address, field="address", label="Address", max_length=1000),
        "tax_id": clean_text(tax_id, field="tax_id", label="VAT or tax id", max_length=50, required=False),
    }
    if not _TAX_ID.fullmatch(clean["tax_id"]):
        raise Invalid("VAT or tax id may hold letters, digits, spaces, dots, dashes and slashes.", field="tax_id")
    billing = billing_email.strip() if isinstance(billing_email, str) else billing_email
    clean["billing_email"] = normalize_email(billing, field="billing_email") if billing else ""
    changed = sorted(key for key, value in clean.items() if getattr(org, key) != value and key != "name")
    if clean["name"] != org.name:
        audit.record(session, "org.renamed", actor=principal, org_id=org.id,
                     details={"from": org.name, "to": clean["name"]})
    if changed or clean["name"] == org.name:  # a save that changed nothing is still said
        audit.record(session, "org.profile_updated", actor=principal, org_id=org.id, details={"fields": changed})
    for key, value in clean.items():
        setattr(org, key, value)
    session.add(org)
    session.flush()
    return org


def image_type(data: bytes) -> str | None:
    """The content type from the file's first bytes (never from its name)."""
    for magic, content_type in _IMAGE_TYPES.items():
        if data.startswith(magic):
            return content_type
    return None


def set_logo(session: Session, principal: Principal, org_id: object, *, data: object = None,
             chunks: Iterable[bytes] | None = None, storage: Storage | None = None) -> None:
    """A new logo, streamed into file storage like any private file (`files`,
    kind "logo": PNG or JPEG from its bytes, at most 1 MB, counted in the
    organisation's quota). The old one goes once this commits."""
    org = _editable(session, principal, org_id)
    if chunks is None:  # the whole file at hand (the CLI, tests)
        if not isinstance(data, bytes) or not data:
            raise Invalid("Choose an image file.", field="logo")
        chunks = [data]
    stored = files.store(session, principal, org.id, kind="logo", filename="logo", chunks=chunks, storage=storage)
    old, org.logo_key = org.logo_key, stored.key
    session.add(org)
    audit.record(session, "org.logo_changed", actor=principal, org_id=org.id, details={"bytes": stored.size})
    session.flush()
    if old:
        files.forget_key(session, old, storage=storage)


def remove_logo(session: Session, principal: Principal, org_id: object, *, storage: Storage | None = None) -> None:
    org = _editable(session, principal, org_id)
    old, org.logo_key = org.logo_key, ""
    session.add(org)
    audit.record(session, "org.logo_removed", actor=principal, org_id=org.id)
    session.flush()
    if old:
        files.forget_key(session, old, storage=storage)


def read_logo(session: Session, principal: Principal, org_id: object,
              storage: Storage | None = None) -> tuple[bytes, str]:
    """The logo bytes and content type, for members only."""
    org = _visible(session, principal, org_id)
    if not org.logo_key:
        raise NotFound("No logo.")
    data = read_all(storage or get_storage(), org.logo_key)
    return data, image_type(data) or "application/octet-stream"
