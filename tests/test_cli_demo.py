"""The first commands a newcomer runs, as real subprocesses against a fresh
data directory: what `scripts/run.sh` does on every start (`migrate`,
`seed-demo --if-empty`), removing the demo, and starting without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from portal_app.services.demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL
from portal_app.settings import PROJECT_ROOT


def _cli(data_dir: Path, *args: str, stdin: str = "", **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    environ.update(PORTAL_DATA_DIR=str(data_dir), **env)
    result = subprocess.run([sys.executable, "-m", "portal_app", *args], cwd=PROJECT_ROOT, env=environ,
                            input=stdin, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _start(data_dir: Path, **env: str) -> str:
    """What scripts/run.sh runs before it starts the server (`migrate` first;
    left out after the first start to keep the test quick, it changes nothing)."""
    migrate = "" if (data_dir / "portal.db").exists() else _cli(data_dir, "migrate", **env)
    return migrate + _cli(data_dir, "seed-demo", "--if-empty", **env)


def _invoices(data_dir: Path) -> list[tuple[str, str]]:
    """(number or "draft", status) of every invoice and credit note in the data directory's database."""
    from sqlmodel import Session, select

    from portal_app.db import make_engine
    from portal_app.models import Invoice

    engine = make_engine(f"sqlite:///{data_dir / 'portal.db'}")
    try:
        with Session(engine) as session:
            return [(number or "draft", status) for number, status in
                    session.exec(select(Invoice.number, Invoice.status).order_by(Invoice.id)).all()]
    finally:
        engine.dispose()


def test_first_start_seeds_then_remove_demo_keeps_it_removed(tmp_path):
    first = _start(tmp_path)
    assert "created demo login alice@acme.example.com" in first
    assert "created 6 demo invoices for Acme Ltd" in first
    statuses = {status for _, status in _invoices(tmp_path)}
    assert statuses == {"paid", "overdue", "partially_paid", "open", "issued", "draft"}
    assert f"{DEMO_STAFF_EMAIL}  password: {DEMO_PASSWORD}" in first
    assert "create-admin" not in first

    again = _start(tmp_path)
    assert "created" not in again and "not new" in again
    assert f"{DEMO_STAFF_EMAIL}  password: {DEMO_PASSWORD}" in again  # still usable, so still shown

    removed = _cli(tmp_path, "remove-demo")
    assert "removed demo organisation Acme Ltd" in removed and f"removed demo login {DEMO_STAFF_EMAIL}" in removed
    assert "python -m portal_app create-admin --email" in removed
    assert _invoices(tmp_path) == []

    after = _start(tmp_path)
    assert DEMO_PASSWORD not in after and "created" not in after
    assert "python -m portal_app create-admin --email" in after

    made = _cli(tmp_path, "create-admin", "--email", "owner@business.example", "--name", "Olivia Owner",
                "--password-stdin", stdin="quartz-meadow-lantern-42\n")
    assert "created admin owner@business.example" in made
    settled = _start(tmp_path)
    assert DEMO_PASSWORD not in settled and "create-admin" not in settled

    on_purpose = _cli(tmp_path, "seed-demo")
    assert "created demo login alice@acme.example.com" in on_purpose
    assert f"alice@acme.example.com  password: {DEMO_PASSWORD}" in on_purpose


def test_portal_demo_0_starts_empty_and_says_how_to_make_the_first_admin(tmp_path):
    out = _start(tmp_path, PORTAL_DEMO="0")
    assert "PORTAL_DEMO=0" in out and DEMO_PASSWORD not in out
    assert "python -m portal_app create-admin --email" in out
    # Starting later with the demo allowed still finds a new, empty database.
    assert "created demo login alice@acme.example.com" in _start(tmp_path)
