"""Accounts: registration, email verification, signing in (password or mailed
link, both ending in a 60-second login ticket), password change and reset.

Answers never reveal whether an address has an account: unknown emails get
the same message, the same throttling and the same argon2 cost."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from portal_app import routes
from portal_app.models import Membership, User
from portal_app.models.base import utcnow
from portal_app.services import audit, live, mfa, notifications, passwords, sessions, throttle, tokens
from portal_app.services.errors import ErrorCode, Invalid
from portal_app.services.mail import public_link, queue_mail
from portal_app.services.organizations import create_organization
from portal_app.services.principal import Principal
from portal_app.services.validation import clean_text

VERIFY_TTL = timedelta(hours=48)
LINK_TTL = timedelta(minutes=15)
RESET_TTL = timedelta(hours=1)
TICKET_TTL = timedelta(seconds=60)
EMAIL_MAX = 254
NAME_MAX = 200

BAD_LOGIN = "The email or password is not right."
BAD_LINK = "This link has expired or was already used. Ask for a new one."


class LoginFailed(Invalid):
    code = ErrorCode.LOGIN_FAILED
    http_status = 401


def normalize_email(value: object, *, field: str = "email") -> str:
    """The address lower-cased, or `Invalid`; no DNS lookups (offline installs)."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid("Enter your email address.", field=field)
    text = value.strip()
    if len(text) > EMAIL_MAX:
        raise Invalid(f"An email address has at most {EMAIL_MAX} characters.", field=field)
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise Invalid("Enter a valid email address, like name@example.com.", field=field) from None
    return result.normalized.lower()


def _user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


def _queue_verification(session: Session, user: User) -> None:
    tokens.revoke_unused(session, user_id=user.id, purpose=tokens.VERIFY_EMAIL)
    raw = tokens.issue(session, user_id=user.id, purpose=tokens.VERIFY_EMAIL, ttl=VERIFY_TTL)
    queue_mail(session, to=user.email, subject="Confirm your email address", body=(
        f"Hello {user.name},\n\nplease confirm your email address by opening this link "
        f"(valid for 48 hours):\n\n{public_link(routes.VERIFY_EMAIL, token=raw)}\n\n"
        "If you did not create an account, ignore this message."))


@dataclass(frozen=True)
class Registration:
    email: str


def register(session: Session, *, name: object, email: object, password: object,
             company: object, ip: str = "") -> Registration:
    """A new organisation with the person as its owner, and a verification
    mail. Everything is validated before anything is written. A taken address
    gets the same answer here and a "you already have an account" mail."""
    clean_name = clean_text(name, field="name", label="Your name", max_length=NAME_MAX)
    clean_email = normalize_email(email)
    clean_company = clean_text(company, field="company", label="Company name", max_length=200)
    passwords.check_policy(password, email=clean_email, name=clean_name)
    existing = _user_by_email(session, clean_email)
    password_hash = passwords.hash_password(password)  # also for a taken address: same time either way
    if existing is not None:
        queue_mail(session, to=existing.email, subject="You already have an account", body=(
            "Someone (hopefully you) tried to register with this address, which already "
            f"has an account. Sign in here: {public_link(routes.SIGN_IN)}\n\nForgot your "
            f"password? Reset it here: {public_link(routes.FORGOT_PASSWORD)}"))
        return Registration(clean_email)
    org = create_organization(session, name=clean_company)
    user = User(email=clean_email, name=clean_name, password_hash=password_hash)
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, org_id=org.id, role="owner"))
    audit.record(session, "account.registered", actor_id=user.id, actor_label=user.email, org_id=org.id,
                 target_type="organization", target_id=org.id, target_label=org.name, ip=ip)
    _queue_verification(session, user)
    return Registration(clean_email)


@dataclass(frozen=True)
class EmailConfirmation:
    """What a confirmation link did ("verified", or "already" confirmed) and
    for whom, so that the page can tell whether the browser's own signed-in
    person is the one confirmed."""

    outcome: str
    user_id: int


def verify_email(session: Session, raw_token: object) -> EmailConfirmation:
    """Confirm the address; the outcome is "verified", or "already" when this
    link was used before and the address is confirmed (people click mails
    twice, and reload). Any other used or expired link is refused."""
    token = tokens.consume(session, raw_token, tokens.VERIFY_EMAIL)
    if token is None:
        used = tokens.find(session, raw_token, tokens.VERIFY_EMAIL)
        user = session.get(User, used.user_id) if used and used.used_at else None
        if user is not None and user.email_verified_at is not None:
            return EmailConfirmation("already", user.id)
        raise Invalid("This confirmation link has expired or was already used. "
                      "Sign in to ask for a new one.", code=ErrorCode.BAD_LINK)
    user = session.get(User, token.user_id)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        session.add(user)
        audit.record(session, "account.email_confirmed", actor_id=user.id, actor_label=user.email)
    session.flush()
    return EmailConfirmation("verified", user.id)


def resend_verification(session: Session, principal: Principal, *, ip: str) -> None:
    keys = [(throttle.account_key("verify", principal.email), throttle.Limit(free=3, base_delay=timedelta(minutes=1)))]
    throttle.check(session, keys)
    user = session.get(User, principal.user_id)
    if user.email_verified_at is None:
        _queue_verification(session, user)
        audit.record(session, "account.verification_resent", actor=principal, ip=ip)
    throttle.record_failure(session, keys)  # every request counts toward the limit


def _ticket(session: Session, user: User) -> str:
    """A login ticket in two halves, "<ticket>.<binding>": the browser sends the
    first in the /auth/complete URL and the second in a short-lived cookie it
    set itself. A link with someone else's ticket half therefore signs nobody
    in (no login CSRF): the other half never leaves the browser that signed in."""
    combined = f"{tokens.new_secret()}{tokens.TICKET_SEPARATOR}{tokens.new_secret()}"
    return tokens.issue(session, user_id=user.id, purpose=tokens.LOGIN_TICKET, ttl=TICKET_TTL, secret=combined)


def ticket_for_new_account(session: Session, user: User) -> str:
    """Sign in someone who has just set their password (accepting an
    invitation from their mailbox): no second password prompt."""
    if user.mfa_enabled_at is not None or user.id is None:
        raise Invalid("Please sign in.")
    return _ticket(session, user)


@dataclass(frozen=True)
class SignInStep:
    """What follows a correct first factor: a login ticket, or (with MFA on)
    a 5-minute challenge to present with the code."""

    ticket: str | None = None
    mfa_challenge: str | None = None


def _next_step(session: Session, user: User) -> SignInStep:
    if user.mfa_enabled_at is not None:
        tokens.revoke_unused(session, user_id=user.id, purpose=tokens.MFA_CHALLENGE)
        return SignInStep(mfa_challenge=tokens.issue(session, user_id=user.id, purpose=tokens.MFA_CHALLENGE,
                                                     ttl=mfa.CHALLENGE_TTL))
    return SignInStep(ticket=_ticket(session, user))


def complete_mfa(session: Session, *, challenge: object, code: object, ip: str) -> str:
    """The login ticket for a right code (TOTP or recovery) and a live challenge."""
    pending = tokens.peek(session, challenge, tokens.MFA_CHALLENGE)
    user = session.get(User, pending.user_id) if pending else None
    if user is None or not user.is_active:
        raise Invalid("This sign-in took too long. Please start again.", code=ErrorCode.BAD_LINK)
    mfa.verify_or_count(session, user, code, ip=ip)
    if tokens.consume(session, challenge, tokens.MFA_CHALLENGE) is None:
        raise Invalid("This sign-in took too long. Please start again.", code=ErrorCode.BAD_LINK)
    return _ticket(session, user)


def _login_keys(email: str, ip: str) -> list[tuple[str, throttle.Limit]]:
    return [(throttle.account_key("login", email), throttle.PER_ACCOUNT),
            (throttle.ip_key("login", ip), throttle.PER_IP)]


def login_with_password(session: Session, *, email: object, password: object, ip: str) -> SignInStep:
    """The next step for the right password. A failure is counted (and, for
    an existing account, audited) by the caller's transaction boundary after
    it rolls back (`throttle.counted`), so it counts however the action ends."""
    clean_email = normalize_email(email)
    keys = _login_keys(clean_email, ip)
    throttle.check(session, keys)
    user = _user_by_email(session, clean_email)
    ok = passwords.verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        error = throttle.counted(LoginFailed(BAD_LOGIN, field="password"), keys)
        if user is not None:
            error.keeping(functools.partial(audit.record, action="sign_in.failed", actor_id=user.id,
                                            actor_label=user.email, ip=ip))
        raise error
    throttle.clear(session, [keys[0][0]])
    if passwords.argon2.needs_update(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        session.add(user)
    return _next_step(session, user)


def _request_keys(action: str, email: str, ip: str) -> list[tuple[str, throttle.Limit]]:
    return [(throttle.account_key(action, email), throttle.Limit(free=3, base_delay=timedelta(minutes=1))),
            (throttle.ip_key(action, ip), throttle.PER_IP)]


def _mail_link(session: Session, *, email: object, ip: str, action: str, purpose: str, ttl: timedelta,
               path: str, subject: str, body: str, audit_action: str) -> None:
    """Mail a single-use link if the address has an account. Every request
    counts toward the limit, and an unknown address returns just the same,
    so the caller's answer never reveals which addresses have accounts."""
    clean_email = normalize_email(email)
    keys = _request_keys(action, clean_email, ip)
    throttle.check(session, keys)
    throttle.record_failure(session, keys)
    user = _user_by_email(session, clean_email)
    if user is None or not user.is_active:
        return
    tokens.revoke_unused(session, user_id=user.id, purpose=purpose)
    raw = tokens.issue(session, user_id=user.id, purpose=purpose, ttl=ttl)
    audit.record(session, audit_action, actor_id=user.id, actor_label=user.email, ip=ip)
    queue_mail(session, to=user.email, subject=subject,
               body=body.format(name=user.name, link=public_link(path, token=raw)))


def request_login_link(session: Session, *, email: object, ip: str) -> None:
    """A 15-minute sign-in link."""
    _mail_link(session, email=email, ip=ip, action="link", purpose=tokens.LOGIN_LINK, ttl=LINK_TTL,
               path=routes.SIGN_IN_LINK, subject="Your sign-in link", audit_action="sign_in.link_requested", body=(
                   "Hello {name},\n\nopen this link to sign in (valid for 15 minutes, once):\n\n{link}\n\n"
                   "If you did not ask for it, ignore this message; nobody can use it without your mailbox."))


def login_with_link(session: Session, raw_token: object) -> SignInStep:
    """Exchange a mailed sign-in link for the next step (a ticket, or the MFA
    challenge). Opening the link proves the mailbox, so it also confirms the
    address."""
    token = tokens.consume(session, raw_token, tokens.LOGIN_LINK)
    user = session.get(User, token.user_id) if token else None
    if user is None or not user.is_active:
        raise Invalid(BAD_LINK, code=ErrorCode.BAD_LINK)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        session.add(user)
    return _next_step(session, user)


def complete_login(session: Session, raw_ticket: object, *, ip: str, user_agent: str) -> str | None:
    """Turn a login ticket into a session; returns the cookie token."""
    ticket = tokens.consume(session, raw_ticket, tokens.LOGIN_TICKET)
    user = session.get(User, ticket.user_id) if ticket else None
    if user is None or not user.is_active:
        return None
    device = sessions.describe_device(user_agent)
    audit.record(session, "session.started", actor_id=user.id, actor_label=user.email, ip=ip,
                 details={"device": device})
    if sessions.is_new_device(session, user.id, user_agent):
        notifications.notify(session, [user], notifications.EVENTS["new_device"], notifications.Target(routes.SECURITY),
                             facts={"device": device, "ip": ip or "an unknown address"})
    return sessions.start(session, user_id=user.id, ip=ip, user_agent=user_agent)


def request_password_reset(session: Session, *, email: object, ip: str) -> None:
    """A 1-hour password reset link."""
    _mail_link(session, email=email, ip=ip, action="reset", purpose=tokens.PASSWORD_RESET, ttl=RESET_TTL,
               path=routes.RESET_PASSWORD, subject="Reset your password", audit_action="password.reset_requested",
               body=(
                   "Hello {name},\n\nchoose a new password here (valid for 1 hour, once):\n\n{link}\n\n"
                   "If you did not ask for this, ignore this message; your password stays as it is."))


def reset_link_is_valid(session: Session, raw_token: object) -> bool:
    return tokens.peek(session, raw_token, tokens.PASSWORD_RESET) is not None


def reset_password(session: Session, *, token: object, password: object, ip: str = "") -> None:
    """Set a new password from a reset link. A refused password leaves the link
    usable; success signs out every session (whoever had the old password)."""
    pending = tokens.peek(session, token, tokens.PASSWORD_RESET)
    user = session.get(User, pending.user_id) if pending else None
    if user is None:
        raise Invalid(BAD_LINK, code=ErrorCode.BAD_LINK)
    passwords.check_policy(password, email=user.email, name=user.name)
    if tokens.consume(session, token, tokens.PASSWORD_RESET) is None:
        raise Invalid(BAD_LINK, code=ErrorCode.BAD_LINK)
    user.password_hash = passwords.hash_password(password)
    user.email_verified_at = user.email_verified_at or utcnow()
    session.add(user)
    sessions.revoke_all(session, user.id)
    throttle.clear(session, [throttle.account_key("login", user.email)])
    audit.record(session, "password.reset", actor_id=user.id, actor_label=user.email, ip=ip)
    session.flush()


def update_profile(session: Session, principal: Principal, *, name: object) -> User:
    """The person's own details. The email address is the sign-in name: it
    changes only through `request_email_change` and its mailed link."""
    user = session.get(User, principal.user_id)
    old, user.name = user.name, clean_text(name, field="name", label="Your name", max_length=NAME_MAX)
    session.add(user)
    audit.record(session, "account.profile_updated", actor=principal, details={"name": [old, user.name]})
    live.changed(session, *live.member_lists_of(principal))
    session.flush()
    return user


def change_password(session: Session, principal: Principal, *, current: object, new: object,
                    ip: str) -> int:
    """Needs the current password; signs out the person's other sessions and
    returns how many."""
    user = session.get(User, principal.user_id)
    keys = [(throttle.account_key("password", user.email), throttle.PER_ACCOUNT)]
    throttle.check(session, keys)
    if not passwords.verify_password(current, user.password_hash):
        raise throttle.counted(Invalid("Your current password is not right.", field="current_password"), keys)
    passwords.check_policy(new, email=user.email, name=user.name, field="new_password")
    if passwords.verify_password(new, user.password_hash):
        raise Invalid("Choose a password different from the current one.", field="new_password")
    user.password_hash = passwords.hash_password(new)
    session.add(user)
    throttle.clear(session, [keys[0][0]])
    audit.record(session, "password.changed", actor=principal, ip=ip)
    return sessions.revoke_others(session, principal, audited=False)


# --- changing one's own email address -------------------------------------------

EMAIL_CHANGE_TTL = timedelta(hours=24)
# Links are mailed: a few requests, then a doubling wait (per account and per IP).
EMAIL_CHANGE_LIMIT = throttle.Limit(free=3, base_delay=timedelta(minutes=1))
BAD_EMAIL_CHANGE_LINK = ("This link has expired or was already used. "
                         "Ask for a new one on your profile page.")


def _email_change_keys(user: User, ip: str) -> list[tuple[str, throttle.Limit]]:
    return [(throttle.account_key("email_change", user.email), EMAIL_CHANGE_LIMIT),
            (throttle.ip_key("email_change", ip), throttle.PER_IP)]


def request_email_change(session: Session, principal: Principal, *, new_email: object, password: object,
                         ip: str) -> str:
    """Mail a 24-hour confirmation link to the NEW address; nothing changes
    until it is opened. Needs the current password (a borrowed, unlocked
    browser must not move the account to someone else's mailbox). Every
    request counts toward the limit, and an address that already has an
    account gets the same answer as a free one (its owner is told instead),
    so the form reveals nothing about who has an account. Returns the
    normalised new address, for the answer."""
    user = session.get(User, principal.user_id)
    keys = _email_change_keys(user, ip)
    throttle.check(session, keys)
    clean = normalize_email(new_email, field="new_email")
    if not isinstance(password, str) or not password:
        raise Invalid("Enter your current password.", field="password")
    if not passwords.verify_password(password, user.password_hash):
        raise throttle.counted(Invalid("Your current password is not right.", field="password"), keys)
    throttle.record_failure(session, keys)  # a right password counts too: each request mails
    if clean == user.email:
        raise Invalid("That is already your email address.", field="new_email")
    audit.record(session, "account.email_change_requested", actor=principal, ip=ip, details={"to": clean})
    tokens.revoke_unused(session, user_id=user.id, purpose=tokens.CHANGE_EMAIL)
    if _user_by_email(session, clean) is not None:
        queue_mail(session, to=clean, subject="Someone tried to use your address", body=(
            "Someone asked to move another account of this portal to this address, which already has "
            "an account. Nothing was changed, and you need not do anything.\n\n"
            f"Your own account is unchanged: {public_link(routes.SIGN_IN)}"))
        return clean
    raw = tokens.issue(session, user_id=user.id, purpose=tokens.CHANGE_EMAIL, ttl=EMAIL_CHANGE_TTL,
                       detail=clean)
    queue_mail(session, to=clean, subject="Confirm your new email address", body=(
        f"Hello {user.name},\n\nyou asked to sign in with this address from now on, instead of "
        f"{user.email}. Confirm it by opening this link (valid for 24 hours, once):\n\n"
        f"{public_link(routes.CONFIRM_EMAIL_CHANGE, token=raw)}\n\n"
        "If you did not ask for this, ignore this message: nothing changes without it."))
    return clean


@dataclass(frozen=True)
class EmailChange:
    user_id: int
    email: str
    sessions_ended: int


def confirm_email_change(session: Session, raw_token: object, *, keep_session_id: int | None = None,
                         ip: str = "") -> EmailChange:
    """Follow the link mailed to the new address: the account signs in with
    it from now on, the old address is told (after the fact, with what to do
    if it was not them), pending links mailed to the old address stop
    working, and every session but `keep_session_id` (the browser that
    followed the link, if signed in to this account) is signed out."""
    token = tokens.consume(session, raw_token, tokens.CHANGE_EMAIL)
    user = session.get(User, token.user_id) if token else None
    if user is None or not user.is_active or not token.detail:
        raise Invalid(BAD_EMAIL_CHANGE_LINK, code=ErrorCode.BAD_LINK)
    new = token.detail
    if _user_by_email(session, new) is not None:  # taken since the link was sent
        raise Invalid("That address now belongs to another account, so your address stays as it was.",
                      code=ErrorCode.EMAIL_TAKEN)
    old = user.email
    user.email, user.email_verified_at = new, utcnow()  # opening the link proved the new mailbox
    session.add(user)
    for purpose in (tokens.VERIFY_EMAIL, tokens.LOGIN_LINK, tokens.PASSWORD_RESET, tokens.CHANGE_EMAIL):
        tokens.revoke_unused(session, user_id=user.id, purpose=purpose)
    ended = sessions.revoke_all_but(session, user.id, keep_session_id)
    audit.record(session, "account.email_changed", actor_id=user.id, actor_label=new, ip=ip,
                 details={"from": old, "to": new, "sessions_ended": ended})
    queue_mail(session, to=old, subject="Your email address was changed", body=(
        f"Hello {user.name},\n\nthe email address of your account was changed from {old} to {new}, "
        "and you now sign in with the new one. Your other sessions were signed out.\n\n"
        "If you did not do this, someone else may have used your account: contact the business's staff "
        "at once (reply to this message, or call them), so that they can disable the account and give it "
        "back to you. Do not ignore this message."))
    session.flush()
    return EmailChange(user.id, new, ended)
