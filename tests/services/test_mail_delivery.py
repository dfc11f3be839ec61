"""The outbox delivered to a real SMTP server (aiosmtpd) and, without one, to
.eml files in the data directory: one delivery per row however many workers
try, retries with backoff, a dead letter after the last attempt, and the job
queued only once the transaction that wrote the mail commits."""

from __future__ import annotations

import dataclasses
import email
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from portal_app.integrations import mail as delivery
from portal_app.jobs.mail import deliver_mail
from portal_app.jobs.queue import huey
from portal_app.models import OutgoingMail
from portal_app.services.mail import queue_mail
from portal_app.settings import load_settings
from tests.live_app import free_port
from tests.smtp_sink import SmtpSink


@pytest.fixture
def smtp_server():
    with SmtpSink() as sink:
        yield sink


def _queue(engine) -> int:
    with Session(engine) as session:
        mail_id = queue_mail(session, to="ada@example.com", subject="Hello", body="Line one\nLine two").id
        session.commit()
    return mail_id


def _row(engine, mail_id: int) -> OutgoingMail:
    with Session(engine) as session:
        return session.get(OutgoingMail, mail_id)


@pytest.fixture
def queue():
    """The test process's job queue (a SQLite file in the test data dir), empty."""
    huey.flush()
    yield huey
    huey.flush()


def _queued(queue) -> list[tuple]:
    return [(task.name, task.args) for task in queue.pending()]


def test_delivers_over_smtp_and_marks_sent(engine, tmp_path, smtp_server):
    sink = smtp_server
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host="127.0.0.1",
                                   smtp_port=sink.port, smtp_from="portal@example.com")
    mail_id = _queue(engine)
    assert delivery.deliver(mail_id, engine, settings).status == "sent"
    (message,) = sink.messages
    assert message["To"] == "ada@example.com" and message["Subject"].startswith("Hello")
    assert "Line two" in message.get_payload()
    assert delivery.deliver(mail_id, engine, settings).status == "skipped"  # nothing sent twice
    assert len(sink.messages) == 1
    row = _row(engine, mail_id)
    assert row.sent_at is not None and row.attempts == 1 and row.not_before is None


def test_without_smtp_mail_lands_in_the_outbox_directory(engine, tmp_path):
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host=None)
    assert delivery.deliver(_queue(engine), engine, settings).status == "sent"
    (path,) = settings.outbox_dir.glob("*.eml")
    parsed = email.message_from_bytes(path.read_bytes())
    assert parsed["To"] == "ada@example.com"


def test_the_job_is_queued_after_commit_and_never_after_rollback(engine, queue):
    mail_id = _queue(engine)
    assert _queued(queue) == [("mail.deliver", (mail_id,))]
    with Session(engine) as session:
        queue_mail(session, to="bob@example.com", subject="Never", body="Rolled back")
        session.rollback()
    with Session(engine) as session:
        queue_mail(session, to="cy@example.com", subject="Never", body="Closed without commit")
    assert _queued(queue) == [("mail.deliver", (mail_id,))]
    with Session(engine) as session:
        assert session.exec(select(OutgoingMail)).all() == [_row(engine, mail_id)]


def test_unreachable_server_retries_with_backoff_then_gives_up(engine, tmp_path):
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host="127.0.0.1",
                                   smtp_port=free_port())
    mail_id = _queue(engine)
    outcome = delivery.deliver(mail_id, engine, settings)
    assert outcome.status == "retry" and outcome.retry_in == delivery.RETRY_DELAYS[0]
    row = _row(engine, mail_id)
    assert row.sent_at is None and row.attempts == 1 and "ConnectionRefused" in row.last_error
    assert row.not_before is not None  # the backoff: not due yet, so neither a job nor the sweep sends it
    assert delivery.deliver(mail_id, engine, settings).status == "skipped"
    assert mail_id not in delivery.due_ids(engine)
    statuses = []
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        _make_due(engine, mail_id)
        statuses.append(delivery.deliver(mail_id, engine, settings).status)
    assert statuses == ["retry"] * (delivery.MAX_ATTEMPTS - 2) + ["dead"]
    row = _row(engine, mail_id)
    assert row.dead_at is not None and row.sent_at is None and row.attempts == delivery.MAX_ATTEMPTS
    _make_due(engine, mail_id)
    assert delivery.deliver(mail_id, engine, settings).status == "skipped"  # a dead letter stays put
    assert mail_id not in delivery.due_ids(engine)


def _make_due(engine, mail_id: int) -> None:
    """As if the backoff (or a claim) had run out: `not_before` in the past,
    and the row older than the sweep's grace period."""
    from portal_app.models.base import utcnow

    with Session(engine) as session:
        row = session.get(OutgoingMail, mail_id)
        row.created_at = utcnow() - timedelta(minutes=5)
        row.not_before = None if row.not_before is None else utcnow() - timedelta(seconds=1)
        session.add(row)
        session.commit()


def test_the_job_schedules_its_own_retry(engine, queue, tmp_path, monkeypatch):
    """The task itself (as a consumer runs it): a failure schedules it again
    after the backoff. It reads the configured database, so point that at
    this test's engine."""
    monkeypatch.setattr(delivery, "get_engine", lambda: engine)
    monkeypatch.setattr(delivery, "get_settings", lambda: dataclasses.replace(
        load_settings(), data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=free_port()))
    mail_id = _queue(engine)
    queue.flush()
    before = datetime.now(timezone.utc)
    assert deliver_mail.call_local(mail_id) == "retry"
    (retry,) = queue.pending()  # queued with an eta; a consumer holds it back until then
    assert retry.args == (mail_id,) and retry.name == "mail.deliver"
    wait = retry.eta.replace(tzinfo=timezone.utc) - before
    assert timedelta(seconds=delivery.RETRY_DELAYS[0] - 1) <= wait <= timedelta(seconds=delivery.RETRY_DELAYS[0] + 5)


def test_the_sweep_finds_lost_and_due_mail_only(engine, tmp_path):
    sent, lost, fresh = _queue(engine), _queue(engine), _queue(engine)
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host=None)
    delivery.deliver(sent, engine, settings)
    _make_due(engine, sent)
    _make_due(engine, lost)
    assert delivery.due_ids(engine) == [lost]  # `fresh` still has its own job coming
    assert fresh not in delivery.due_ids(engine)


def test_concurrent_workers_send_each_mail_once(any_engine, tmp_path, smtp_server):
    import threading

    eng = any_engine
    sink = smtp_server
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host="127.0.0.1",
                                   smtp_port=sink.port)
    ids = [_queue(eng) for _ in range(5)]
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        for mail_id in ids:
            delivery.deliver(mail_id, eng, settings)

    runs = [threading.Thread(target=worker) for _ in range(4)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert len(sink.messages) == 5
    assert all(_row(eng, mail_id).attempts == 1 for mail_id in ids)
