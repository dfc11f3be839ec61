"""The settings module: safe defaults and a secret that is made once and kept."""

import stat

from portal_app.settings import load_settings


def test_defaults_are_sqlite_and_files_under_the_data_dir(monkeypatch, tmp_path):
    for name in ("PORTAL_DATABASE_URL", "PORTAL_PUBLIC_URL", "PORTAL_PORT", "PORTAL_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    s = load_settings()
    assert s.database_url == f"sqlite:///{tmp_path / 'portal.db'}"
    assert s.public_url == "http://localhost:3000"
    assert s.bind_host == "127.0.0.1"
    assert s.smtp_host is None and s.outbox_dir == tmp_path / "outbox"
    assert s.files_dir == tmp_path / "files"


def test_secret_key_is_generated_once_private_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    first = load_settings().secret_key
    assert len(first) >= 40
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert load_settings().secret_key == first


def test_secrets_never_appear_in_repr(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "k-very-secret-value")
    monkeypatch.setenv("PORTAL_SMTP_PASSWORD", "smtp-very-secret-value")
    s = load_settings()
    assert s.secret_key == "k-very-secret-value"
    assert "very-secret" not in repr(s)


def test_public_url_loses_its_trailing_slash(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://portal.example.com/")
    s = load_settings()
    assert s.public_url == "https://portal.example.com" and s.is_https


def test_allowed_origins_are_the_public_urls_origin(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://example.com:8443/portal/")
    assert load_settings().allowed_origins == ("https://example.com:8443",)


def test_staff_sessions_have_their_own_shorter_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    for name in ("PORTAL_STAFF_SESSION_IDLE_MINUTES", "PORTAL_STAFF_SESSION_MAX_HOURS"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings()
    assert (s.staff_session_idle_minutes, s.staff_session_max_hours) == (30, 12)
    monkeypatch.setenv("PORTAL_STAFF_SESSION_IDLE_MINUTES", "15")
    assert load_settings().staff_session_idle_minutes == 15


def test_without_a_public_url_both_loopback_spellings_are_allowed(monkeypatch, tmp_path):
    # Reflex prints http://127.0.0.1:PORT, our scripts and mail say localhost:
    # a newcomer may open either, and each must get a working websocket.
    monkeypatch.delenv("PORTAL_PUBLIC_URL", raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_PORT", "4123")
    s = load_settings()
    assert not s.public_url_configured
    assert s.allowed_origins == ("http://localhost:4123", "http://127.0.0.1:4123")
    assert s.public_url == "http://localhost:4123"  # mailed links: one base URL


def test_a_configured_public_url_is_the_only_allowed_origin(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_PORT", "4123")
    for url, origin in [
        ("https://portal.example.com/", "https://portal.example.com"),
        ("https://Portal.Example.com:443/customers", "https://portal.example.com"),
        ("http://localhost:4123", "http://localhost:4123"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
    ]:
        monkeypatch.setenv("PORTAL_PUBLIC_URL", url)
        s = load_settings()
        assert s.public_url_configured
        assert s.allowed_origins == (origin,), url


def test_rxconfig_hands_the_allowed_origins_to_reflex(tmp_path):
    # In a child process, as `reflex run` reads it, so this process keeps its settings.
    import json
    import os
    import subprocess
    import sys

    from portal_app.settings import PROJECT_ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DATA_DIR=str(tmp_path), PORTAL_PORT="4123")
    code = "import json, rxconfig; print(json.dumps(list(rxconfig.config.cors_allowed_origins)))"

    def origins(**extra: str) -> list[str]:
        out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env={**env, **extra},
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    assert origins() == ["http://localhost:4123", "http://127.0.0.1:4123"]
    assert origins(PORTAL_PUBLIC_URL="https://portal.example.com") == ["https://portal.example.com"]


def test_rxconfig_keeps_reflex_states_in_redis_only_with_portal_redis_url(tmp_path):
    """With PORTAL_REDIS_URL, Reflex's states go to that Redis (so instances
    share them); without it, Reflex's default stays. Never Redis with
    another mode: Reflex would start several processes with separate states."""
    import os
    import subprocess
    import sys

    from portal_app.settings import PROJECT_ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "REFLEX_"))}
    env.update(PORTAL_DATA_DIR=str(tmp_path))
    code = "import rxconfig; c = rxconfig.config; print(c.redis_url, c.state_manager_mode.value)"

    def state_manager(**extra: str) -> str:
        out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env={**env, **extra},
                             capture_output=True, text=True, check=True).stdout
        return out.strip().splitlines()[-1]

    assert state_manager() == "None disk"
    assert state_manager(PORTAL_REDIS_URL="redis://127.0.0.1:6379/3") == "redis://127.0.0.1:6379/3 redis"


def test_renewal_reminder_days_default_to_a_week(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PORTAL_RENEWAL_REMINDER_DAYS", raising=False)
    assert load_settings().renewal_reminder_days == 7
    monkeypatch.setenv("PORTAL_RENEWAL_REMINDER_DAYS", "3")
    assert load_settings().renewal_reminder_days == 3


def test_reminder_days_default_sort_and_an_empty_value_means_none(monkeypatch, tmp_path):
    import pytest

    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PORTAL_INVOICE_REMINDER_DAYS", raising=False)
    assert load_settings().invoice_reminder_days == (1, 7, 14)
    monkeypatch.setenv("PORTAL_INVOICE_REMINDER_DAYS", "14, 3,3")
    assert load_settings().invoice_reminder_days == (3, 14)
    monkeypatch.setenv("PORTAL_INVOICE_REMINDER_DAYS", "")
    assert load_settings().invoice_reminder_days == ()
    monkeypatch.setenv("PORTAL_INVOICE_REMINDER_DAYS", "1,week")
    with pytest.raises(ValueError, match="PORTAL_INVOICE_REMINDER_DAYS"):
        load_settings()
