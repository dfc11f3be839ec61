"""Shared fixtures: a migrated SQLite file per test, and a throwaway database
on the real PostgreSQL server of this machine.

Speed (see README, "Keeping the tests fast"): Alembic runs once per test
session into a template (a SQLite file, a PostgreSQL template database) and
each test gets a copy, which takes milliseconds instead of a second or two.
tests/test_migrations.py still runs Alembic from empty to head on both
engines. Password hashing uses cheap argon2 parameters in the test process
(`passwords.use_cheap_hashing_for_tests`); production never does."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from portal_app.db import make_engine
from portal_app.migrations import upgrade_to_head
from portal_app.services import passwords
from tests.pg import create_database, database_url, drop_database

# The test process's own data directory (job queue, outbox, secret key), so
# tests never queue jobs into a checkout's ./data that a running portal reads.
os.environ["PORTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="portal-tests-")
# Tests read times in UTC, as they are stored (the instance default is
# Europe/London); tests of zones and business hours name their zone.
os.environ.setdefault("PORTAL_TIMEZONE", "UTC")

# Every hash made in this process is cheap (and still a real argon2id hash).
passwords.use_cheap_hashing_for_tests()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One SQLite file migrated to head per test session (per xdist worker)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "portal.db"
    url = f"sqlite:///{path}"
    upgrade_to_head(url)
    eng = make_engine(url)
    with eng.connect() as conn:  # fold the WAL into the file, so one file is the whole database
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


def copy_sqlite_template(template: Path, target: Path) -> None:
    """A migrated database at `target`, as if Alembic had just run there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)


class _PgCopies:
    """Copies of the migrated template, made a few ahead on background threads
    and dropped on them too, so a test waits for neither: CREATE DATABASE ...
    TEMPLATE takes about half a second here, mostly waiting for fsync, and
    several at once take little longer than one."""

    AHEAD = 2

    def __init__(self, template: str) -> None:
        self.template = template
        self.threads = ThreadPoolExecutor(max_workers=self.AHEAD + 1, thread_name_prefix="pg-copies")
        self.ahead: deque[Future[str]] = deque()

    def _create(self) -> str:
        name = f"portal_test_{secrets.token_hex(6)}"
        create_database(name, template=self.template)
        return name

    def take(self) -> str:
        while len(self.ahead) < self.AHEAD + 1:
            self.ahead.append(self.threads.submit(self._create))
        return self.ahead.popleft().result()

    def give_back(self, name: str) -> None:
        self.threads.submit(drop_database, name)

    def close(self) -> None:
        for future in self.ahead:
            try:
                self.give_back(future.result())
            except psycopg.Error:
                pass
        self.threads.shutdown(wait=True)


@pytest.fixture(scope="session")
def pg_copies() -> Iterator[_PgCopies]:
    """One PostgreSQL template database migrated to head per test session (per
    xdist worker), and the copies of it every `any_engine[postgresql]` gets."""
    name = f"portal_tmpl_{secrets.token_hex(6)}"
    create_database(name)
    copies = None
    try:
        upgrade_to_head(database_url(name))  # its connections are closed: a template must have none
        copies = _PgCopies(name)
        yield copies
    finally:
        if copies is not None:
            copies.close()
        drop_database(name)


@pytest.fixture
def pg_migrated_url(pg_copies) -> Iterator[str]:
    """A new PostgreSQL database copied from the migrated template, dropped afterwards."""
    name = pg_copies.take()
    yield database_url(name)
    pg_copies.give_back(name)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'portal.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    name = f"portal_test_{secrets.token_hex(6)}"
    create_database(name)
    yield database_url(name)
    drop_database(name)


@pytest.fixture
def engine(sqlite_url, sqlite_template) -> Iterator[Engine]:
    """A SQLite file migrated to head (the embedded default), copied from the template."""
    copy_sqlite_template(sqlite_template, Path(make_url(sqlite_url).database))
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def _seeds() -> dict:
    return {}


@pytest.fixture
def seeded(_seeds, sqlite_template, tmp_path_factory):
    """`seeded(engine, build)` makes the test's database what `build(session)`
    left (committed), and returns what `build` returned. On SQLite `build`
    runs once per test module and each test gets a copy of its file: the
    people and organisations most tests start from take 0.1-0.3 s to make
    through the services, more than many a test itself. On PostgreSQL it
    simply runs. What `build` returns is shared by the module's SQLite
    tests: return ids and frozen principals, not rows."""

    def load(engine: Engine, build):
        if engine.dialect.name != "sqlite":
            with Session(engine, expire_on_commit=False) as session:
                value = build(session)
                session.commit()
            return value
        if build not in _seeds:
            path = tmp_path_factory.mktemp("seed") / "seed.db"
            copy_sqlite_template(sqlite_template, path)
            seed_engine = make_engine(f"sqlite:///{path}")
            try:
                with Session(seed_engine, expire_on_commit=False) as session:
                    value = build(session)
                    session.commit()
            finally:
                seed_engine.dispose()  # the last connection's close folds the WAL into the file
            _seeds[build] = (path, value)
        path, value = _seeds[build]
        engine.dispose()
        copy_sqlite_template(path, Path(engine.url.database))
        return value

    return load


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_engine(request) -> Iterator[Engine]:
    """The same tests on SQLite and on the real PostgreSQL server."""
    if request.param == "sqlite":
        yield request.getfixturevalue("engine")
        return
    eng = make_engine(request.getfixturevalue("pg_migrated_url"))
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory) -> Iterator[str]:
    """moto's S3 in server mode, a real HTTP endpoint on a loopback port, in
    a process of its own (so what it stores is not in the test's memory)."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)  # noqa: S310 — our own loopback server
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("moto server did not start") from None
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def s3_settings(s3_endpoint, tmp_path):
    """Settings for a new, empty bucket on the moto server."""
    import dataclasses

    import boto3

    from portal_app.settings import load_settings

    bucket = f"portal-test-{secrets.token_hex(4)}"
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, s3_bucket=bucket, s3_endpoint_url=s3_endpoint,
                                   s3_access_key_id="test", s3_secret_access_key="test")
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(Bucket=bucket)
    return settings


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    """The same tests on both storage backends."""
    import dataclasses

    from portal_app.integrations.storage import make_storage
    from portal_app.settings import load_settings

    if request.param == "local":
        return make_storage(dataclasses.replace(load_settings(), data_dir=tmp_path, s3_bucket=None))
    return make_storage(request.getfixturevalue("s3_settings"))


# A Redis database of its own (tests/test_worker.py uses 9), emptied before and after.
SCALE_OUT_REDIS_URL = os.environ.get("PORTAL_TEST_SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/11")


@pytest.fixture(scope="session")
def _scaled_out(pg_copies, tmp_path_factory):
    """The processes behind `two_instances`, started once per test session
    (about 20 s) and only if a test asks for them."""
    import redis

    from tests import live_app
    from tests.smtp_sink import SmtpSink

    name = pg_copies.take()
    store = redis.Redis.from_url(SCALE_OUT_REDIS_URL)
    store.flushdb()
    try:
        with SmtpSink() as mail:
            cluster = live_app.start_scaled_out(tmp_path_factory.mktemp("scaled-out"), database_url(name),
                                                SCALE_OUT_REDIS_URL, mail)
            try:
                yield cluster
            finally:
                live_app.stop_scaled_out(cluster)
    finally:
        store.flushdb()
        store.close()
        pg_copies.give_back(name)


@pytest.fixture
def two_instances(_scaled_out):
    """Two portal instances, `a` and `b`, on two loopback ports, on one
    PostgreSQL database and one Redis, with two `python -m portal_app worker`
    processes delivering mail to `mail` (tests/live_app.py `ScaledOut`).
    While a test uses them, the jobs this test process queues (the mail of
    `factories.register`, say) go to their Redis queue, as a third
    instance's would."""
    from huey.storage import RedisStorage

    from portal_app.jobs.queue import QUEUE_NAME, huey

    own, huey.storage = huey.storage, RedisStorage(QUEUE_NAME, url=_scaled_out.redis_url)
    try:
        yield _scaled_out
    finally:
        huey.storage = own


# With `-n 2` (scripts/test.sh), the tests that start real portals or Chromium,
# or use a fixed Redis database, run in one xdist worker, in file order (their
# session fixtures start one portal each per worker: twice would build the
# frontend twice into the same .web), while every other test goes, one at a
# time, to whichever worker is free. xdist's own `--dist loadgroup` cannot do
# this with pytest 9 (it renames `item._nodeid`, which pytest 9 no longer
# reads), so the grouping is this scheduler's. See README, "Keeping the tests fast".
# Tests that run in order on one worker, a group each: the browser tests
# share the session's portal (one frontend build in .web); the Redis tests
# use fixed Redis databases and start processes of their own (scaled-out
# instances, job workers). The two groups go to different workers at the
# start (xdist hands out the biggest groups first, one per worker), so the
# Redis group runs beside the browser tests instead of after them; each
# worker then takes service tests one at a time.
ONE_WORKER_GROUPS = {"live": ("tests/browser/",),
                     "redis": ("tests/test_scale_out", "tests/test_live.py", "tests/test_worker.py")}
ONE_WORKER = tuple(path for paths in ONE_WORKER_GROUPS.values() for path in paths)


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class LiveTestsOnOneWorker(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((group for group, paths in ONE_WORKER_GROUPS.items() if nodeid.startswith(paths)), nodeid)

    return LiveTestsOnOneWorker(config, log)


def pytest_runtest_setup(item):
    """The other worker yields the CPU to the live tests: on 2 cores a
    service test at full speed beside them made every browser test 2-2.5x
    slower (the portal, Chromium and the test share the cores), so the
    whole run was slower than one process. Niced, it runs in their gaps
    (websocket round trips, polling waits). The live worker starts with its
    live tests (the biggest unit goes first) and is niced only once they
    are done, when it takes service tests too."""
    if os.environ.get("PYTEST_XDIST_WORKER") and not item.nodeid.startswith(ONE_WORKER) and os.nice(0) < 10:
        os.nice(10)


@pytest.fixture
def heard(monkeypatch) -> list[list[str]]:
    """Every batch of live-page keys published in this process (the
    in-process channel: no Redis configured), to check what a change signals."""
    import dataclasses

    from portal_app.integrations import live
    from portal_app.settings import load_settings

    monkeypatch.setattr(live, "get_settings", lambda: dataclasses.replace(load_settings(), redis_url=None))
    batches: list[list[str]] = []
    stop = live.listen(batches.append)
    yield batches
    stop()

TIMELINE = os.environ.get("PORTAL_TEST_TIMELINE")  # a file: each test's worker, start and end, to see the run's shape


def pytest_runtest_logstart(nodeid, location):
    if TIMELINE:
        _timeline("start", nodeid)


def pytest_runtest_logfinish(nodeid, location):
    if TIMELINE:
        _timeline("end", nodeid)


def _timeline(what: str, nodeid: str) -> None:
    import time

    with open(TIMELINE, "a") as out:
        out.write(f"{time.time():.3f} {os.environ.get('PYTEST_XDIST_WORKER', 'main')} {what} {nodeid}\n")


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory) -> Iterator[str]:
    """localstripe, a stateful fake Stripe server, on a free loopback port in
    a process group of its own (`--from-scratch`: it would otherwise reload
    the pickle an earlier run left in /tmp). Started only when a test asks
    for it (through `stripe_settings`); its base URL."""
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path_factory.mktemp("localstripe") / "localstripe.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "localstripe", "--from-scratch", "--port", str(port)],
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/js.stripe.com/v3/", timeout=1)  # noqa: S310 — our own loopback server
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                os.killpg(server.pid, signal.SIGKILL)
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture
def stripe_settings(localstripe, monkeypatch):
    """The portal configured for card payments against localstripe, emptied
    first (`DELETE /_config/data`; webhook registrations survive it). The
    environment is what a deployment would set; settings are read again."""
    import urllib.request

    from portal_app.settings import get_settings

    request = urllib.request.Request(localstripe + "/_config/data", method="DELETE")
    urllib.request.urlopen(request, timeout=10)  # noqa: S310 — our own loopback server
    monkeypatch.setenv("PORTAL_STRIPE_SECRET_KEY", "sk_test_portal")
    monkeypatch.setenv("PORTAL_STRIPE_PUBLISHABLE_KEY", "pk_test_portal")
    monkeypatch.setenv("PORTAL_STRIPE_WEBHOOK_SECRET", "whsec_portal")
    monkeypatch.setenv("PORTAL_STRIPE_API_BASE", localstripe)
    monkeypatch.setenv("PORTAL_STRIPE_JS_URL", localstripe + "/js.stripe.com/v3/")
    get_settings.cache_clear()
    yield get_settings()
    monkeypatch.undo()
    get_settings.cache_clear()
