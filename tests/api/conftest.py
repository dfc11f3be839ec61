"""HTTP routes tested through the real FastAPI app (Starlette's test client)
with the settings a real instance would read from its environment."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from portal_app.db import get_engine
from portal_app.settings import get_settings


@pytest.fixture
def http_portal(monkeypatch, tmp_path, sqlite_template) -> Iterator[Callable[..., tuple[TestClient, Session]]]:
    """`http_portal(public_url=...)`: a client for the app configured with that
    public URL, and a database session on the same migrated SQLite file."""
    opened: list = []

    def make(public_url: str = "http://localhost:3000") -> tuple[TestClient, Session]:
        monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("PORTAL_PUBLIC_URL", public_url)
        monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
        get_settings.cache_clear()
        get_engine.cache_clear()
        # The session's migrated template (tests/conftest.py), where the instance expects its database.
        if not (tmp_path / "portal.db").exists():  # a second make() keeps the first one's data
            shutil.copyfile(sqlite_template, tmp_path / "portal.db")
        from portal_app.api.app import api
        from portal_app.api.security_headers import security_headers

        client = TestClient(security_headers(api), base_url=public_url)
        session = Session(get_engine(), expire_on_commit=False)
        opened.extend([client, session])
        return client, session

    yield make
    for thing in opened:
        thing.close()
    get_settings.cache_clear()
    get_engine.cache_clear()
