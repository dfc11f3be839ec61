"""The promised password lengths (12 to 256) work everywhere a password is
chosen; zxcvbn itself refuses more than 72 characters, so strength is judged
on a prefix."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlmodel import Session, select

from portal_app.models import User
from portal_app.services import accounts, passwords
from portal_app.services.errors import Invalid
from tests.factories import PASSWORD, last_mail, register, sign_in, token_from

WORDS = "violet-canyon-drum-42-quartz-lantern-93-mango-bicycle-55-orbit-kettle-7-heron-basalt-19-"


def long_password(length: int) -> str:
    return (WORDS * (length // len(WORDS) + 1))[:length]


def _signs_in(session: Session, email: str, password: str) -> bool:
    return accounts.login_with_password(session, email=email, password=password, ip="192.0.2.9").ticket is not None


@pytest.mark.parametrize("length", [73, 100, 256])
def test_long_passwords_work_at_registration(session, length):
    password = long_password(length)
    accounts.register(session, name="Ada", email="ada@example.com", password=password, company="Engines")
    session.commit()
    assert session.exec(select(User)).one().password_hash.startswith("$argon2id$")
    assert _signs_in(session, "ada@example.com", password)


@pytest.mark.parametrize("length", [73, 100, 256])
def test_long_passwords_work_at_change_and_reset(session, length):
    register(session)
    _, ada = sign_in(session)
    changed = long_password(length)
    accounts.change_password(session, ada, current=PASSWORD, new=changed, ip="192.0.2.1")
    assert _signs_in(session, "ada@example.com", changed)
    accounts.request_password_reset(session, email="ada@example.com", ip="192.0.2.1")
    reset = long_password(length)[::-1]
    accounts.reset_password(session, token=token_from(last_mail(session, "ada@example.com").body,
                                                      "/reset-password"), password=reset)
    assert _signs_in(session, "ada@example.com", reset)


def test_257_characters_are_refused_everywhere_with_a_clear_message(session):
    too_long = long_password(257)
    with pytest.raises(Invalid, match="at most 256 characters") as err:
        accounts.register(session, name="Ada", email="ada@example.com", password=too_long, company="Engines")
    assert err.value.field == "password"
    register(session)
    _, ada = sign_in(session)
    with pytest.raises(Invalid, match="at most 256 characters"):
        accounts.change_password(session, ada, current=PASSWORD, new=too_long, ip="192.0.2.1")
    accounts.request_password_reset(session, email="ada@example.com", ip="192.0.2.1")
    with pytest.raises(Invalid, match="at most 256 characters"):
        accounts.reset_password(session, token=token_from(last_mail(session, "ada@example.com").body,
                                                          "/reset-password"), password=too_long)


def test_a_long_but_weak_password_is_still_refused():
    with pytest.raises(Invalid, match="too weak"):
        passwords.check_policy("a" * 200, email="ada@example.com")


def _hash_made_by_a_fresh_process(env_extra: dict[str, str], data_dir) -> str:
    """A hash from a new interpreter that only imports the module, as the app does."""
    env = {k: v for k, v in os.environ.items() if k != passwords.CHEAP_HASHING_ENV}
    env.update({"PORTAL_DATA_DIR": str(data_dir), **env_extra})
    code = "from portal_app.services import passwords; print(passwords.hash_password('x' * 12))"
    return subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_a_production_start_hashes_at_production_cost(tmp_path):
    """Tests hash cheaply (tests/conftest.py), the app never does by default,
    nor with the variable alone: without the harness's marker file in its data
    directory, a copied PORTAL_TEST_CHEAP_HASHING is ignored."""
    production = "$argon2id$v=19$m=65536,t=3,p=4$"
    assert _hash_made_by_a_fresh_process({}, tmp_path).startswith(production)
    alone = {passwords.CHEAP_HASHING_ENV: str(tmp_path)}
    assert _hash_made_by_a_fresh_process(alone, tmp_path).startswith(production)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / passwords.CHEAP_HASHING_MARKER).write_text("")
    other_dir = {passwords.CHEAP_HASHING_ENV: str(tmp_path / "elsewhere")}
    assert _hash_made_by_a_fresh_process(other_dir, tmp_path).startswith(production)
    assert passwords.PRODUCTION_HASHER.memory_cost == 65536


def test_the_test_harness_gets_cheap_hashes_that_still_verify(tmp_path):
    (tmp_path / passwords.CHEAP_HASHING_MARKER).write_text("")
    cheap = _hash_made_by_a_fresh_process({passwords.CHEAP_HASHING_ENV: str(tmp_path)}, tmp_path)
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert passwords.hash_password("y" * 12).startswith("$argon2id$v=19$m=8,t=1,p=1$")  # this process
    assert passwords.verify_password("x" * 12, cheap) and not passwords.verify_password("y" * 12, cheap)
