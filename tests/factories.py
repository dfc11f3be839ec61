"""Building test data through the real services (never by writing rows the
services would refuse), and reading links back out of the mail outbox."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from portal_app.models import OutgoingMail, User
from portal_app.services import accounts, sessions
from portal_app.services.principal import Principal

PASSWORD = "plum-orbit-kettle-7"


def last_mail(session: Session, to: str) -> OutgoingMail:
    mail = session.exec(select(OutgoingMail).where(OutgoingMail.to_address == to)
                        .order_by(OutgoingMail.id.desc())).first()
    assert mail is not None, f"no mail to {to}"
    return mail


def token_from(body: str, path: str) -> str:
    match = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_\-]+)", body)
    assert match, f"no {path} link in:\n{body}"
    return match.group(1)


def register(session: Session, email: str = "ada@example.com", *, company: str = "Analytical Engines",
             name: str = "Ada Lovelace", verified: bool = True) -> User:
    accounts.register(session, name=name, email=email, password=PASSWORD, company=company)
    if verified:
        accounts.verify_email(session, token_from(last_mail(session, email).body, "/verify-email"))
    session.commit()
    return session.exec(select(User).where(User.email == email)).one()


def sign_in(session: Session, email: str = "ada@example.com", *, ip: str = "192.0.2.1",
            user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0") -> tuple[str, Principal]:
    """A real session through password -> ticket -> cookie token."""
    ticket = accounts.login_with_password(session, email=email, password=PASSWORD, ip=ip)
    raw = accounts.complete_login(session, ticket, ip=ip, user_agent=user_agent)
    session.commit()
    principal = sessions.resolve(session, raw)
    assert principal is not None
    return raw, principal
