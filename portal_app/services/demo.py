"""Demo data for the first command: idempotent, so running it again neither
duplicates rows nor overwrites what someone changed since."""

from __future__ import annotations

from sqlmodel import Session

from portal_app.services import organizations
from portal_app.services.validation import slugify

DEMO_ORGANIZATIONS = ["Acme Ltd", "Globex Corporation"]


def load_demo_data(session: Session) -> list[str]:
    """Create whatever demo rows are missing; return lines to print."""
    lines: list[str] = []
    for name in DEMO_ORGANIZATIONS:
        org = organizations.get_by_slug(session, slugify(name))
        if org is None:
            org = organizations.create_organization(session, name=name)
            lines.append(f"created demo organisation {org.name}")
        else:
            lines.append(f"demo organisation {org.name} already present")
    return lines
