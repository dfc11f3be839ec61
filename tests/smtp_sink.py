"""A real SMTP server (aiosmtpd) on a free loopback port that keeps every
message it accepts: what mail tests deliver to, in this process or from
worker processes started by a test."""

from __future__ import annotations

from email.message import Message as EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from tests.live_app import free_port


class _Collect(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[EmailMessage] = []

    def handle_message(self, message: EmailMessage) -> None:
        self.messages.append(message)


class SmtpSink:
    """Started on entering, stopped on leaving; `messages` in arrival order."""

    def __init__(self) -> None:
        self._handler = _Collect()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=free_port())

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def messages(self) -> list[EmailMessage]:
        return self._handler.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._controller.stop()
