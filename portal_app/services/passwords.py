"""Password hashing (argon2 through libpass) and the password policy."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from passlib.hash import argon2 as _argon2
from zxcvbn import zxcvbn

from portal_app.services.errors import Invalid

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline attack"
# zxcvbn raises ValueError beyond 72 characters; the strength of a longer
# password is judged on its first 72, which is at least as strong as the whole.
STRENGTH_PREFIX = 72

# The production cost: passlib's argon2id defaults (64 MiB, several passes).
PRODUCTION_HASHER = _argon2.using()
# Tests only: the smallest argon2id argon2-cffi accepts, about a millisecond
# instead of a second. Hashes carry their parameters, so these still verify.
CHEAP_TEST_HASHER = _argon2.using(memory_cost=8, rounds=1, parallelism=1)

# The live app of the browser tests (tests/live_app.py) may hash cheaply, but
# only with both keys: this variable set to the instance's own data directory
# AND that directory holding this marker file, which only the test harness
# writes. A production environment that copied the variable by mistake still
# lacks the marker in its data directory, so it keeps the production cost.
CHEAP_HASHING_ENV = "PORTAL_TEST_CHEAP_HASHING"
CHEAP_HASHING_MARKER = "TEST-INSTANCE-cheap-password-hashing"

# `argon2` is the hasher in use; callers reach it as `passwords.argon2` (for
# example `needs_update`), so switching it here switches it everywhere.
argon2 = PRODUCTION_HASHER
_DUMMY_PASSWORD = "not-a-real-password-only-for-timing"
# Verified against when the email is unknown, so a wrong email costs the same
# time as a wrong password and timing does not reveal who has an account.
_DUMMY_HASH = argon2.hash(_DUMMY_PASSWORD)


def use_cheap_hashing_for_tests() -> None:
    """Switch this process to the cheap test parameters. Called by
    tests/conftest.py; nothing in portal_app calls it."""
    global argon2, _DUMMY_HASH
    argon2 = CHEAP_TEST_HASHER
    _DUMMY_HASH = argon2.hash(_DUMMY_PASSWORD)


def _cheap_hashing_requested_by_test_harness() -> bool:
    """True only for a test instance started by tests/live_app.py (see above)."""
    wanted = os.environ.get(CHEAP_HASHING_ENV, "")
    data_dir = os.environ.get("PORTAL_DATA_DIR", "")
    if not wanted or not data_dir or Path(wanted).resolve() != Path(data_dir).resolve():
        return False
    return (Path(data_dir) / CHEAP_HASHING_MARKER).is_file()


if _cheap_hashing_requested_by_test_harness():
    logging.getLogger(__name__).warning(
        "CHEAP TEST PASSWORD HASHING is on (%s and its marker file): never use this for real accounts.",
        CHEAP_HASHING_ENV)
    use_cheap_hashing_for_tests()


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
