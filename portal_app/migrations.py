"""Running Alembic from Python, for the CLI and the tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from portal_app.settings import PROJECT_ROOT, get_settings


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.set_main_option("sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%"))
    cfg.attributes["skip_logging"] = True
    return cfg


def upgrade_to_head(url: str | None = None) -> None:
    """Bring the database at `url` (default: the configured one) to head."""
    if url is None:
        get_settings().data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")
