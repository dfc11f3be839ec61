"""Two-step verification: TOTP (RFC 6238, `pyotp`) with single-use recovery
codes. Secrets are encrypted at rest with a key derived from the instance
secret, a code is accepted once only (the last used 30-second step is kept),
and guessing is throttled like passwords."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from portal_app.models import Organization, RecoveryCode, User
from portal_app.models.base import utcnow
from portal_app import routes
from portal_app.services import audit, live, notifications, organizations, passwords, throttle
from portal_app.services.errors import ErrorCode, Forbidden, Invalid
from portal_app.services.principal import Principal, require_role
from portal_app.settings import get_settings

STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
CHALLENGE_TTL = timedelta(minutes=5)  # between the first factor and the code at sign-in
BAD_CODE = "That code is not right. Use the current 6-digit code from your app, or a recovery code."
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"portal-mfa:" + get_settings().secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _open(sealed: str | None) -> str | None:
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:  # the instance secret changed: the factor is unusable
        return None


def _hash_recovery(code: str) -> str:
    key = hashlib.sha256(b"portal-recovery:" + get_settings().secret_key.encode()).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def _normalize_recovery(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _totp_step(secret: str, code: str, last_step: int) -> int | None:
    """The step a 6-digit code belongs to (now, or one step either side for
    clock drift), if it is newer than the last accepted one."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // STEP_SECONDS
    for step in (now - 1, now, now + 1):
        if step > last_step and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _clean_code(code: object) -> str:
    if not isinstance(code, str) or not code.strip():
        raise Invalid("Enter the code.", field="code")
    if len(code) > 40:
        raise Invalid(BAD_CODE, field="code")
    return code.replace(" ", "").replace("-", "").strip()


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(raw)))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    session.flush()
    return codes


def check_second_factor(session: Session, user: User, code: object) -> bool:
    """True for a fresh TOTP code (then remembered) or an unused recovery code
    (then spent). Callers throttle."""
    try:
        clean = _clean_code(code)
    except Invalid:
        return False
    secret = _open(user.mfa_secret)
    if secret and clean.isdigit():
        step = _totp_step(secret, clean, user.mfa_last_step)
        if step is None:
            return False
        # Conditional update: two requests racing with one code cannot both win.
        won = session.execute(update(User).where(User.id == user.id, User.mfa_last_step < step)
                              .values(mfa_last_step=step)).rowcount == 1
        session.refresh(user)
        return won
    spent = session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_recovery(_normalize_recovery(clean)),
        RecoveryCode.used_at.is_(None)).values(used_at=utcnow()))
    return spent.rowcount == 1


def _tell(session: Session, user: User, change: str) -> None:
    """The person hears of every change to their second factor (on a stolen
    session, this is how they find out)."""
    notifications.notify(session, [user], notifications.EVENTS["mfa_changed"], notifications.Target(routes.SECURITY),
                         facts={"change": change})


def _keys(user: User, ip: str) -> list[tuple[str, throttle.Limit]]:
    return [(throttle.account_key("mfa", user.email), throttle.PER_ACCOUNT),
            (throttle.ip_key("mfa", ip), throttle.PER_IP)]


def verify_or_count(session: Session, user: User, code: object, *, ip: str) -> None:
    """Check a code under the rate limit; a wrong one is counted by the
    caller's transaction boundary after it rolls back (`throttle.counted`)."""
    keys = _keys(user, ip)
    throttle.check(session, keys)
    if not check_second_factor(session, user, code):
        raise throttle.counted(Invalid(BAD_CODE, field="code"), keys)
    throttle.clear(session, [keys[0][0]])


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_data_uri: str


def start_enrolment(session: Session, principal: Principal) -> Enrolment:
    """A new secret, pending until a code from it is confirmed."""
    user = session.get(User, principal.user_id)
    if user.mfa_enabled_at is not None:
        raise Invalid("Two-step verification is already on.")
    secret = pyotp.random_base32()
    user.mfa_pending_secret = _seal(secret)
    session.add(user)
    session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=get_settings().portal_name)
    return Enrolment(secret, uri, segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def confirm_enrolment(session: Session, principal: Principal, *, code: object, ip: str) -> list[str]:
    """Turn MFA on with a code from the pending secret; returns the recovery
    codes, which are shown once and stored only as hashes."""
    user = session.get(User, principal.user_id)
    secret = _open(user.mfa_pending_secret)
    if user.mfa_enabled_at is not None or secret is None:
        raise Invalid("Start the set-up again.", code=ErrorCode.NO_ENROLMENT)
    keys = _keys(user, ip)
    throttle.check(session, keys)
    step = _totp_step(secret, _clean_code(code), 0)
    if step is None:
        raise throttle.counted(Invalid("That code is not right. Check the time on your phone and try the next code.",
                                       field="code"), keys)
    user.mfa_secret, user.mfa_pending_secret = user.mfa_pending_secret, None
    user.mfa_enabled_at, user.mfa_last_step = utcnow(), step
    session.add(user)
    audit.record(session, "mfa.enabled", actor=principal, ip=ip)
    live.changed(session, *live.member_lists_of(principal))
    _tell(session, user, "Two-step verification was turned on for your account.")
    return _new_recovery_codes(session, user)


def disable(session: Session, principal: Principal, *, password: object, code: object, ip: str) -> None:
    """Needs the password and a code; refused while an organisation requires MFA."""
    user = session.get(User, principal.user_id)
    if user.mfa_enabled_at is None:
        raise Invalid("Two-step verification is already off.")
    if principal.mfa_required:
        raise Forbidden(f"{principal.mfa_requirement}, so it cannot be turned off.")
    keys = [(throttle.account_key("password", user.email), throttle.PER_ACCOUNT)]
    throttle.check(session, keys)
    if not passwords.verify_password(password, user.password_hash):
        raise throttle.counted(Invalid("Your password is not right.", field="password"), keys)
    verify_or_count(session, user, code, ip=ip)
    user.mfa_secret = user.mfa_pending_secret = None
    user.mfa_enabled_at = None
    session.add(user)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(session, "mfa.disabled", actor=principal, ip=ip)
    live.changed(session, *live.member_lists_of(principal))
    _tell(session, user, "Two-step verification was turned off for your account. "
                         "If it was not you, change your password and turn it on again.")
    session.flush()


def regenerate_recovery_codes(session: Session, principal: Principal, *, code: object, ip: str) -> list[str]:
    """New codes (the old ones stop working), after a current code."""
    user = session.get(User, principal.user_id)
    if user.mfa_enabled_at is None:
        raise Invalid("Turn on two-step verification first.")
    verify_or_count(session, user, code, ip=ip)
    audit.record(session, "mfa.recovery_codes_renewed", actor=principal, ip=ip)
    _tell(session, user, "New recovery codes were made for your account; the old ones no longer work.")
    return _new_recovery_codes(session, user)


def recovery_codes_left(session: Session, principal: Principal) -> int:
    return session.exec(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == principal.user_id, RecoveryCode.used_at.is_(None))).one()


def set_requirement(session: Session, principal: Principal, org_id: object, *, required: object) -> Organization:
    """Owners decide whether every member must use two-step verification."""
    require_role(principal, org_id, "owner", to="change this", acting=True)
    if not isinstance(required, bool):
        raise Invalid("Choose on or off.")
    org = organizations.access_organization(session, principal, org_id)
    org.require_mfa = required
    session.add(org)
    audit.record(session, "org.mfa_required", actor=principal, org_id=org.id, details={"required": required})
    session.flush()
    return org
