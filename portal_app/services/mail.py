"""Queueing mail in the outbox table (sent after the transaction commits, by
`integrations.mail.deliver_pending`), and building links from the configured
public URL only (never from request headers, which the client controls)."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlmodel import Session

from portal_app.models import OutgoingMail
from portal_app.settings import get_settings


def public_link(path: str, **query: str) -> str:
    base = get_settings().public_url
    return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")


def queue_mail(session: Session, *, to: str, subject: str, body: str) -> OutgoingMail:
    name = get_settings().portal_name
    mail = OutgoingMail(to_address=to, subject=f"{subject} · {name}"[:200],
                        body=f"{body}\n\n— {name}\n")
    session.add(mail)
    session.flush()
    return mail
