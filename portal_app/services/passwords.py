"""Password hashing (argon2 through libpass) and the password policy."""

from __future__ import annotations

from passlib.hash import argon2
from zxcvbn import zxcvbn

from portal_app.services.errors import Invalid

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline attack"
# zxcvbn raises ValueError beyond 72 characters; the strength of a longer
# password is judged on its first 72, which is at least as strong as the whole.
STRENGTH_PREFIX = 72

# Verified against when the email is unknown, so a wrong email costs the same
# time as a wrong password and timing does not reveal who has an account.
_DUMMY_HASH = argon2.hash("not-a-real-password-only-for-timing")


def hash_password(password: str) -> str:
    return argon2.hash(password)


def verify_password(password: object, password_hash: str | None) -> bool:
    """True only for the right password; always spends one argon2 verification."""
    if not isinstance(password, str) or not password or len(password) > MAX_LENGTH:
        argon2.verify("x", _DUMMY_HASH)
        return False
    try:
        return argon2.verify(password, password_hash or _DUMMY_HASH) and password_hash is not None
    except (ValueError, TypeError):
        return False


def check_policy(password: object, *, email: str, name: str = "", field: str = "password") -> str:
    """The password if it is acceptable, else `Invalid` saying why."""
    if not isinstance(password, str) or not password:
        raise Invalid("Enter a password.", field=field)
    if len(password) < MIN_LENGTH:
        raise Invalid(f"Use at least {MIN_LENGTH} characters.", field=field)
    if len(password) > MAX_LENGTH:
        raise Invalid(f"Use at most {MAX_LENGTH} characters.", field=field)
    lowered = password.lower()
    local_part = email.split("@", 1)[0].lower()
    if email.lower() in lowered or (len(local_part) >= 4 and local_part in lowered):
        raise Invalid("The password must not contain your email address.", field=field)
    result = zxcvbn(password[:STRENGTH_PREFIX], user_inputs=[email, local_part, name])
    if result["score"] < MIN_SCORE:
        hint = result["feedback"].get("warning") or "It would be easy to guess."
        raise Invalid(f"This password is too weak. {hint} Try a few unrelated words.".replace("..", "."),
                      field=field)
    return password
