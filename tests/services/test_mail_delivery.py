"""The outbox delivered to a real SMTP server (aiosmtpd) and, without one, to
.eml files in the data directory."""

from __future__ import annotations

import dataclasses
import email
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlmodel import Session, select

from portal_app.integrations.mail import deliver_pending
from portal_app.models import OutgoingMail
from portal_app.services.mail import queue_mail
from portal_app.settings import load_settings


class Collect(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _queue(engine) -> None:
    with Session(engine) as session:
        queue_mail(session, to="ada@example.com", subject="Hello", body="Line one\nLine two")
        session.commit()


def test_delivers_over_smtp_and_marks_sent(engine, tmp_path, smtp_server):
    controller, handler = smtp_server
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host="127.0.0.1",
                                   smtp_port=controller.port, smtp_from="portal@example.com")
    _queue(engine)
    assert deliver_pending(engine, settings) == 1
    (message,) = handler.messages
    assert message["To"] == "ada@example.com" and message["Subject"].startswith("Hello")
    assert "Line two" in message.get_payload()
    assert deliver_pending(engine, settings) == 0  # nothing sent twice


def test_without_smtp_mail_lands_in_the_outbox_directory(engine, tmp_path):
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host=None)
    _queue(engine)
    assert deliver_pending(engine, settings) == 1
    (path,) = settings.outbox_dir.glob("*.eml")
    parsed = email.message_from_bytes(path.read_bytes())
    assert parsed["To"] == "ada@example.com"


def test_unreachable_server_keeps_the_mail_for_later(engine, tmp_path):
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host="127.0.0.1",
                                   smtp_port=_free_port())
    _queue(engine)
    assert deliver_pending(engine, settings) == 0
    with Session(engine) as session:
        row = session.exec(select(OutgoingMail)).one()
        assert row.sent_at is None and row.attempts == 1 and "ConnectionRefused" in row.last_error


def test_concurrent_delivery_runs_send_each_mail_once(engine, tmp_path, smtp_server):
    import threading

    controller, handler = smtp_server
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host="127.0.0.1",
                                   smtp_port=controller.port)
    for _ in range(5):
        _queue(engine)
    runs = [threading.Thread(target=deliver_pending, args=(engine, settings)) for _ in range(4)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert len(handler.messages) == 5
