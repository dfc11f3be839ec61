"""Jobs on Redis run by `python -m portal_app worker` processes, as when the
portal is scaled out: real subprocesses, the real Redis of this machine (a
database of its own, emptied first), and mail delivered once each however
many workers take jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from sqlmodel import Session, select

from portal_app.db import make_engine
from portal_app.models import OutgoingMail
from portal_app.settings import PROJECT_ROOT

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
QUEUE_SCRIPT = """
import sys
from portal_app.db import session_scope
from portal_app.services.mail import queue_mail
with session_scope() as session:
    for n in range(int(sys.argv[1])):
        queue_mail(session, to=f"person{n}@example.com", subject=f"Mail {n}", body="Hello")
"""


def _env(data_dir: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    environ.update(PORTAL_DATA_DIR=str(data_dir), PORTAL_REDIS_URL=REDIS_URL)
    return environ


def _run(data_dir: Path, *args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=PROJECT_ROOT, env=_env(data_dir), check=True, timeout=120,
                   capture_output=True)


def _start_worker(data_dir: Path, n: int) -> subprocess.Popen:
    log = (data_dir / f"worker-{n}.log").open("w")
    return subprocess.Popen([sys.executable, "-m", "portal_app", "worker"], cwd=PROJECT_ROOT,
                            env=_env(data_dir), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGINT)  # huey's graceful stop: running jobs finish
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _wait_for_files(outbox: Path, count: int, timeout: float) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(outbox.glob("*.eml")) if outbox.exists() else []
        if len(files) >= count:
            return files
        time.sleep(0.1)
    return sorted(outbox.glob("*.eml")) if outbox.exists() else []


@pytest.fixture
def data_dir(tmp_path) -> Path:
    redis.Redis.from_url(REDIS_URL).flushdb()
    _run(tmp_path, "-m", "portal_app", "migrate")
    yield tmp_path
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_jobs_queued_on_redis_wait_for_a_worker_and_go_once_it_runs(data_dir):
    _run(data_dir, "-c", QUEUE_SCRIPT, "3")
    queued = redis.Redis.from_url(REDIS_URL).llen("huey.redis.portal")
    assert queued == 3  # no consumer inside the process that queued them: with Redis, workers run jobs
    assert not (data_dir / "outbox").exists()
    worker = _start_worker(data_dir, 1)
    try:
        assert len(_wait_for_files(data_dir / "outbox", 3, timeout=20)) == 3
        _run(data_dir, "-c", QUEUE_SCRIPT, "1")  # queued while it runs: out within about a second
        started = time.monotonic()
        assert len(_wait_for_files(data_dir / "outbox", 4, timeout=10)) == 4
        assert time.monotonic() - started < 3
    finally:
        _stop(worker)
    assert worker.returncode is not None


def test_two_workers_deliver_each_mail_exactly_once(data_dir):
    workers = [_start_worker(data_dir, n) for n in (1, 2)]
    try:
        _run(data_dir, "-c", QUEUE_SCRIPT, "20")
        files = _wait_for_files(data_dir / "outbox", 20, timeout=30)
        time.sleep(1)  # a duplicate would land now
        files = sorted((data_dir / "outbox").glob("*.eml"))
    finally:
        for worker in workers:
            _stop(worker)
    assert len(files) == 20
    engine = make_engine(f"sqlite:///{data_dir / 'portal.db'}")
    with Session(engine) as session:
        rows = session.exec(select(OutgoingMail)).all()
    engine.dispose()
    assert len(rows) == 20 and all(r.sent_at is not None and r.attempts == 1 for r in rows)
