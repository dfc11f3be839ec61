"""Queueing mail in the outbox table, in the caller's transaction (a
transactional outbox: a change that rolls back sends nothing), with its
delivery job queued once that transaction commits; and building links from
the configured public URL only (never from request headers, which the client
controls)."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlmodel import Session

from portal_app.db import after_commit
from portal_app.models import OutgoingMail
from portal_app.jobs.mail import deliver_mail
from portal_app.settings import get_settings


def public_link(path: str, **query: str) -> str:
    base = get_settings().public_url
    return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")


def queue_mail(session: Session, *, to: str, subject: str, body: str,
               unsubscribe_url: str | None = None) -> OutgoingMail:
    """`unsubscribe_url`, for mail the person did not ask for (notifications),
    becomes the one-click List-Unsubscribe headers (RFC 8058)."""
    name = get_settings().portal_name
    mail = OutgoingMail(to_address=to, subject=f"{subject} · {name}"[:200],
                        body=f"{body}\n\n— {name}\n", unsubscribe_url=unsubscribe_url)
    session.add(mail)
    session.flush()
    mail_id = mail.id
    after_commit(session, lambda: deliver_mail(mail_id))
    return mail
