"""The one settings module: everything configurable comes from environment
variables, with defaults that make a single self-hosted instance safe and
working out of the box (SQLite and files under ./data, mail to an outbox).

Secrets never appear in `repr()` (so never in logs or tracebacks).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000  # a megabyte as people read it in limits and messages ("at most 25 MB")


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    public_url: str
    bind_host: str
    port: int
    portal_name: str
    primary_color: str
    redis_url: str | None
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str = "portal@localhost"
    smtp_starttls: bool = False
    secret_key_override: str | None = field(default=None, repr=False)
    logo_path: Path | None = None
    session_idle_minutes: int = 480
    session_max_hours: int = 336
    locale: str = "en_GB"  # dates and numbers (babel); see portal_app/services/formatting.py
    timezone: str = "Europe/London"  # times are stored in UTC, shown in this zone (named); SLA hours count in it
    # Staff sessions reach every organisation: NIST SP 800-63B AAL2 limits
    # (12 h however active, 30 minutes idle), whatever customers get.
    staff_session_idle_minutes: int = 30
    staff_session_max_hours: int = 12
    max_connections_per_ip: int = 40  # open websockets (browser tabs) per client address; 0 = no cap
    # False when PORTAL_PUBLIC_URL is unset and public_url is the local default.
    public_url_configured: bool = True
    # PORTAL_DEMO=0: a new database starts empty instead of with demo data.
    demo_data: bool = True
    # Run the job consumer inside the portal process (one command starts
    # everything). Default: yes on the embedded default, no with Redis, where
    # `python -m portal_app worker` processes run the jobs.
    jobs_in_process: bool = True
    # S3-compatible storage for private files (unset bucket: the local
    # directory `<data>/files`).
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = field(default=None, repr=False)
    # Upload limits: per file (bytes, by kind of file: services/files.py) and
    # what one organisation may store in all.
    max_upload_bytes: int = 25 * MB
    org_quota_bytes: int = 1024 * MB
    # Support: how long after a request was resolved or closed its
    # organisation may still reopen it (after that: a new request).
    ticket_reopen_days: int = 14
    # Service levels: a ticket is "at risk" when less than this share (per
    # cent) of a target is left; at-risk and breached alerts also go to this
    # address, if set (besides the assignee, or every agent when unassigned).
    sla_at_risk_percent: int = 25
    sla_alert_email: str | None = None
    # Billing: the currency of organisations that have not chosen one, days
    # from issue to due, the days after the due date that reminders go out,
    # and what every invoice prints: bank-transfer instructions (the
    # invoice's number is added as the reference) and the business's own
    # address and tax number.
    currency: str = "GBP"
    invoice_due_days: int = 30
    invoice_reminder_days: tuple[int, ...] = (1, 7, 14)
    renewal_reminder_days: int = 7  # before a subscription renews (0: no reminder)
    bank_details: str = ""
    business_address: str = ""
    business_tax_id: str = ""
    # Card payments through Stripe (portal_app/integrations/stripe_gateway.py):
    # on when both keys are set, else the manual provider alone. The API base
    # is Stripe's unless tests point it at localstripe; the Stripe.js origin
    # is what the page loads and what the CSP allows.
    stripe_secret_key: str | None = field(default=None, repr=False)
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: str | None = field(default=None, repr=False)
    stripe_api_base: str = "https://api.stripe.com"
    stripe_js_url: str = "https://js.stripe.com/v3/"

    @property
    def stripe_enabled(self) -> bool:
        """Card payments are offered: both Stripe keys are set."""
        return bool(self.stripe_secret_key and self.stripe_publishable_key)

    @property
    def outbox_dir(self) -> Path:
        """Where mail goes when no SMTP server is configured."""
        return self.data_dir / "outbox"

    @property
    def jobs_path(self) -> Path:
        """The job queue on the embedded default (huey's SQLite storage)."""
        return self.data_dir / "jobs.db"

    @property
    def files_dir(self) -> Path:
        """Private files; deliberately outside Reflex's public upload dir."""
        return self.data_dir / "files"

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """The origins the portal's own pages are served from: the only ones
        the websocket and state-changing routes accept (rule 9). A configured
        public URL is the only one. Without it the portal runs on this
        machine, and both loopback spellings of it must work: Reflex itself
        prints http://127.0.0.1:PORT while mail and our scripts say localhost,
        and a browser treats the two as different origins."""
        own = _origin(self.public_url)
        if self.public_url_configured:
            return (own,)
        return (own, f"http://127.0.0.1:{self.port}")

    @property
    def is_https(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def secret_key(self) -> str:
        """The instance secret: from PORTAL_SECRET_KEY, else generated on first
        use and kept in the data directory (mode 0600) so it survives restarts."""
        if self.secret_key_override:
            return self.secret_key_override
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first: use theirs
                return path.read_text().strip()
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


def _origin(url: str) -> str:
    """What a browser sends as Origin for pages under `url`: scheme and host,
    the port only when it is not the scheme's default, never a path."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}.get(scheme)
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{scheme}://{host}{port}"


def load_settings() -> Settings:
    """Read the environment now (tests call this after changing it)."""
    data_dir = Path(_env("PORTAL_DATA_DIR", str(PROJECT_ROOT / "data"))).resolve()
    port = int(_env("PORTAL_PORT", "3000"))
    return Settings(
        data_dir=data_dir,
        database_url=_env("PORTAL_DATABASE_URL", f"sqlite:///{data_dir / 'portal.db'}"),
        public_url=_env("PORTAL_PUBLIC_URL", f"http://localhost:{port}").rstrip("/"),
        public_url_configured=_env("PORTAL_PUBLIC_URL") is not None,
        bind_host=_env("PORTAL_BIND_HOST", "127.0.0.1"),
        port=port,
        portal_name=_env("PORTAL_NAME", "Customer Portal"),
        primary_color=_env("PORTAL_PRIMARY_COLOR", "indigo"),
        redis_url=_env("PORTAL_REDIS_URL"),
        smtp_host=_env("PORTAL_SMTP_HOST"),
        smtp_port=int(_env("PORTAL_SMTP_PORT", "25")),
        smtp_user=_env("PORTAL_SMTP_USER"),
        smtp_password=_env("PORTAL_SMTP_PASSWORD"),
        smtp_from=_env("PORTAL_SMTP_FROM", "portal@localhost"),
        smtp_starttls=_env("PORTAL_SMTP_STARTTLS", "0") in ("1", "true", "yes"),
        secret_key_override=_env("PORTAL_SECRET_KEY"),
        logo_path=Path(_env("PORTAL_LOGO")).resolve() if _env("PORTAL_LOGO") else None,
        session_idle_minutes=int(_env("PORTAL_SESSION_IDLE_MINUTES", "480")),
        session_max_hours=int(_env("PORTAL_SESSION_MAX_HOURS", "336")),
        locale=_locale(_env("PORTAL_LOCALE", "en_GB")),
        timezone=_timezone(_env("PORTAL_TIMEZONE", "Europe/London")),
        staff_session_idle_minutes=int(_env("PORTAL_STAFF_SESSION_IDLE_MINUTES", "30")),
        staff_session_max_hours=int(_env("PORTAL_STAFF_SESSION_MAX_HOURS", "12")),
        max_connections_per_ip=int(_env("PORTAL_MAX_CONNECTIONS_PER_IP", "40")),
        demo_data=_env("PORTAL_DEMO", "1").lower() not in ("0", "false", "no", "off"),
        s3_bucket=_env("PORTAL_S3_BUCKET"),
        s3_endpoint_url=_env("PORTAL_S3_ENDPOINT_URL"),
        s3_region=_env("PORTAL_S3_REGION", "us-east-1"),
        s3_access_key_id=_env("PORTAL_S3_ACCESS_KEY_ID"),
        s3_secret_access_key=_env("PORTAL_S3_SECRET_ACCESS_KEY"),
        max_upload_bytes=int(float(_env("PORTAL_MAX_UPLOAD_MB", "25")) * MB),
        org_quota_bytes=int(float(_env("PORTAL_ORG_QUOTA_MB", "1024")) * MB),
        ticket_reopen_days=int(_env("PORTAL_TICKET_REOPEN_DAYS", "14")),
        sla_at_risk_percent=_percent(_env("PORTAL_SLA_AT_RISK_PERCENT", "25")),
        sla_alert_email=_env("PORTAL_SLA_ALERT_EMAIL"),
        currency=_currency(_env("PORTAL_CURRENCY", "GBP")),
        invoice_due_days=int(_env("PORTAL_INVOICE_DUE_DAYS", "30")),
        # Set but empty means no reminders (not "unset": the default).
        invoice_reminder_days=_days(os.environ.get("PORTAL_INVOICE_REMINDER_DAYS", "1,7,14")),
        renewal_reminder_days=int(_env("PORTAL_RENEWAL_REMINDER_DAYS", "7")),
        bank_details=_env("PORTAL_BANK_DETAILS", "").replace("\\n", "\n"),
        business_address=_env("PORTAL_BUSINESS_ADDRESS", "").replace("\\n", "\n"),
        business_tax_id=_env("PORTAL_BUSINESS_TAX_ID", ""),
        stripe_secret_key=_env("PORTAL_STRIPE_SECRET_KEY"),
        stripe_publishable_key=_env("PORTAL_STRIPE_PUBLISHABLE_KEY"),
        stripe_webhook_secret=_env("PORTAL_STRIPE_WEBHOOK_SECRET"),
        stripe_api_base=_env("PORTAL_STRIPE_API_BASE", "https://api.stripe.com").rstrip("/"),
        stripe_js_url=_env("PORTAL_STRIPE_JS_URL", "https://js.stripe.com/v3/"),
        jobs_in_process=_flag("PORTAL_JOBS_IN_PROCESS", default=_env("PORTAL_REDIS_URL") is None),
    )


def _percent(value: str) -> int:
    """A whole per cent from 0 to 100, else a clear error at startup."""
    if not value.isdigit() or int(value) > 100:
        raise ValueError(f"PORTAL_SLA_AT_RISK_PERCENT={value!r} is not a whole number from 0 to 100.")
    return int(value)


def _currency(value: str) -> str:
    """An ISO 4217 code babel knows (GBP, EUR, JPY), else a clear error at startup."""
    code = value.strip().upper()
    if len(code) != 3 or code not in list_currencies():
        raise ValueError(f"PORTAL_CURRENCY={value!r} is not an ISO 4217 currency code such as GBP, EUR or USD.")
    return code


def _days(value: str) -> tuple[int, ...]:
    """"1,7,14": whole days after the due date, in order; "" sends none."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not all(part.isdigit() and int(part) <= 365 for part in parts):
        raise ValueError(f"PORTAL_INVOICE_REMINDER_DAYS={value!r} is not a list of days such as 1,7,14.")
    return tuple(sorted({int(part) for part in parts}))


def _flag(name: str, *, default: bool) -> bool:
    value = _env(name)
    return default if value is None else value.lower() not in ("0", "false", "no", "off")


def _locale(value: str) -> str:
    """A locale babel knows (en_GB, de_DE; en-GB also works), else a clear
    error at startup rather than English dates in a German portal."""
    try:
        return str(Locale.parse(value.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"PORTAL_LOCALE={value!r} is not a locale babel knows; "
                         "use a name like en_GB, en_US or de_DE.") from None


def _timezone(value: str) -> str:
    """An IANA zone name (UTC, Europe/Berlin), else a clear error at startup.
    UTC needs no zone database (a slim system may have none)."""
    if value == "UTC":
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"PORTAL_TIMEZONE={value!r} is not a time zone; "
                         "use an IANA name like UTC or Europe/Berlin.") from None
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
