"""Delivering one outbox row: over SMTP when one is configured, else as an .eml
file in `<data>/outbox` so a self-hoster without a mail server can still read
the links (and tests can too).

Called by the delivery job (`portal_app/jobs/mail.py`). Each step is its own
short transaction, never the caller's: the row is claimed first (a conditional
UPDATE that only one worker can win, on SQLite and PostgreSQL alike), so two
workers or a job and the sweep never both send it. Delivery is at least once:
a worker that dies between the server's "accepted" and marking the row sent
leaves it to be sent again once its claim runs out.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from portal_app.db import get_engine, session_scope
from portal_app.models import OutgoingMail
from portal_app.models.base import utcnow
from portal_app.settings import Settings, get_settings

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# Wait after failed attempt 1, 2, 3, 4; the 5th failure gives up (dead letter).
RETRY_DELAYS = (30, 120, 600, 1800)
CLAIM_SECONDS = 120  # longer than any SMTP exchange (10 s timeout per step)
SMTP_TIMEOUT = 10
SWEEP_GRACE_SECONDS = 10  # the after-commit job normally runs well within this
SWEEP_LIMIT = 200


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did: `sent`, `retry` (in `retry_in` seconds),
    `dead` (gave up), or `skipped` (sent already, given up, or another worker
    holds it)."""

    status: str
    retry_in: int | None = None


def _message(mail: OutgoingMail, settings: Settings) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = mail.to_address
    msg["Subject"] = mail.subject
    msg["Message-ID"] = f"<portal-{mail.id}-{int(mail.created_at.timestamp())}@{settings.smtp_from.split('@')[-1]}>"
    if mail.unsubscribe_url:
        # RFC 8058: mail clients offer "Unsubscribe" and POST
        # "List-Unsubscribe=One-Click" to the URL, without opening a page.
        msg["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(mail.body)
    return msg


def _send_smtp(msg: EmailMessage, settings: Settings) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(msg)


def _write_outbox(mail: OutgoingMail, msg: EmailMessage, settings: Settings) -> None:
    settings.outbox_dir.mkdir(parents=True, exist_ok=True)
    path = settings.outbox_dir / f"{mail.created_at:%Y%m%dT%H%M%S}-{mail.id:06d}.eml"
    path.write_bytes(bytes(msg))


def _due():  # noqa: ANN202 — a SQL condition
    """Not sent, not given up, and nobody holds it (or the hold ran out)."""
    now = utcnow()
    return (OutgoingMail.sent_at.is_(None), OutgoingMail.dead_at.is_(None),
            or_(OutgoingMail.not_before.is_(None), OutgoingMail.not_before < now))


def _claim(engine: Engine, mail_id: int) -> OutgoingMail | None:
    with session_scope(engine) as session:
        claimed = session.execute(
            update(OutgoingMail).where(OutgoingMail.id == mail_id, *_due())
            .values(not_before=utcnow() + timedelta(seconds=CLAIM_SECONDS), attempts=OutgoingMail.attempts + 1)
        ).rowcount
        return session.get(OutgoingMail, mail_id) if claimed == 1 else None


def _record_failure(engine: Engine, mail_id: int, exc: Exception) -> Outcome:
    """The error on the row (never the body in the log: it may hold a sign-in
    link), and when to try again, or that we gave up."""
    log.warning("mail %s could not be sent: %s", mail_id, type(exc).__name__)
    with session_scope(engine) as session:
        mail = session.get(OutgoingMail, mail_id)
        mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if mail.attempts >= MAX_ATTEMPTS:
            mail.dead_at, mail.not_before = utcnow(), None
            session.add(mail)
            return Outcome("dead")
        delay = RETRY_DELAYS[mail.attempts - 1]
        mail.not_before = utcnow() + timedelta(seconds=delay)
        session.add(mail)
        return Outcome("retry", delay)


def deliver(mail_id: int, engine: Engine | None = None, settings: Settings | None = None) -> Outcome:
    """Send one queued mail if it is due and this call wins the claim."""
    engine, settings = engine or get_engine(), settings or get_settings()
    mail = _claim(engine, mail_id)
    if mail is None:
        return Outcome("skipped")
    msg = _message(mail, settings)
    try:
        if settings.smtp_host:
            _send_smtp(msg, settings)
        else:
            _write_outbox(mail, msg, settings)
    except (OSError, smtplib.SMTPException) as exc:
        return _record_failure(engine, mail_id, exc)
    with session_scope(engine) as session:
        mail = session.get(OutgoingMail, mail_id)
        mail.sent_at, mail.last_error, mail.not_before = utcnow(), None, None
        session.add(mail)
    return Outcome("sent")


def due_ids(engine: Engine | None = None) -> list[int]:
    """Mail that should have gone and has not, and that no job holds: its
    job was lost (a crash between commit and queueing, a restart) or its
    retry is due. The periodic sweep queues these again."""
    grace = utcnow() - timedelta(seconds=SWEEP_GRACE_SECONDS)
    with session_scope(engine or get_engine()) as session:
        return list(session.exec(select(OutgoingMail.id).where(*_due(), OutgoingMail.created_at < grace)
                                 .order_by(OutgoingMail.id).limit(SWEEP_LIMIT)).all())
