"""Delivering the outbox: over SMTP when one is configured, else as .eml files
in `<data>/outbox` so a self-hoster without a mail server can still read the
links (and tests can too)."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import threading
from email.message import EmailMessage

from sqlalchemy.engine import Engine
from sqlmodel import select

from portal_app.db import get_engine, session_scope
from portal_app.models import OutgoingMail
from portal_app.models.base import utcnow
from portal_app.settings import Settings, get_settings

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
SMTP_TIMEOUT = 10
RETRY_EVERY_SECONDS = 60
# One delivery run at a time in this process, so a mail is never sent twice
# by two runs that both saw it pending.
_DELIVERY_LOCK = threading.Lock()


def _message(mail: OutgoingMail, settings: Settings) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = mail.to_address
    msg["Subject"] = mail.subject
    msg["Message-ID"] = f"<portal-{mail.id}-{int(mail.created_at.timestamp())}@{settings.smtp_from.split('@')[-1]}>"
    msg.set_content(mail.body)
    return msg


def _send_smtp(messages: list[EmailMessage], settings: Settings) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        for msg in messages:
            smtp.send_message(msg)


def _write_outbox(mail: OutgoingMail, msg: EmailMessage, settings: Settings) -> None:
    settings.outbox_dir.mkdir(parents=True, exist_ok=True)
    path = settings.outbox_dir / f"{mail.created_at:%Y%m%dT%H%M%S}-{mail.id:06d}.eml"
    path.write_bytes(bytes(msg))


def deliver_pending(engine: Engine | None = None, settings: Settings | None = None) -> int:
    """Send what is queued; returns how many went out. A failure is recorded on
    the row (never its body in the log: it may hold a sign-in link)."""
    settings = settings or get_settings()
    with _DELIVERY_LOCK:
        return _deliver(engine or get_engine(), settings)


def _deliver(engine: Engine, settings: Settings) -> int:
    with session_scope(engine) as session:
        pending = session.exec(select(OutgoingMail.id).where(
            OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < MAX_ATTEMPTS
        ).order_by(OutgoingMail.id).limit(50)).all()
    return sum(_deliver_one(engine, settings, mail_id) for mail_id in pending)


def _deliver_one(engine: Engine, settings: Settings, mail_id: int) -> bool:
    """Send one message and record the attempt on its row, in a transaction
    of its own (this worker is its own transaction boundary): a message sent
    stays marked sent whatever happens to the next one."""
    with session_scope(engine) as session:
        mail = session.get(OutgoingMail, mail_id)
        if mail is None or mail.sent_at is not None:
            return False
        msg = _message(mail, settings)
        mail.attempts += 1
        try:
            if settings.smtp_host:
                _send_smtp([msg], settings)
            else:
                _write_outbox(mail, msg, settings)
            mail.sent_at, mail.last_error = utcnow(), None
        except (OSError, smtplib.SMTPException) as exc:
            mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
            log.warning("mail %s to outbox row could not be sent: %s", mail.id, type(exc).__name__)
        session.add(mail)
        return mail.sent_at is not None


async def deliver_periodically() -> None:
    """Lifespan task: retry what could not be sent (mail server down)."""
    while True:
        try:
            await asyncio.to_thread(deliver_pending)
        except Exception:  # noqa: BLE001 — keep retrying; the row records the error
            log.exception("periodic mail delivery failed")
        await asyncio.sleep(RETRY_EVERY_SECONDS)
