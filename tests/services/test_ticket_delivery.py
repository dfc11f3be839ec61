"""A support request's files and mail through the real components: its
attachments on both storage backends (a local directory, and S3 through
moto's server), and its notifications delivered to a real SMTP server
(aiosmtpd) on loopback, where an internal note never arrives."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session, select

from portal_app.integrations import mail as delivery
from portal_app.models import OutgoingMail, TicketCategory
from portal_app.services import files, tickets
from portal_app.services.errors import Invalid, NotFound
from portal_app.settings import load_settings
from tests.factories import register, sign_in, staff_admin
from tests.smtp_sink import SmtpSink

PDF = b"%PDF-1.7\n" + b"1 0 obj <<>> endobj\n" * 50


@pytest.fixture
def people(engine):
    with Session(engine, expire_on_commit=False) as session:
        register(session, "cara@example.com", company="Cara Ltd", name="Cara Customer")
        register(session, "eve@example.com", company="Eve Ltd", name="Eve")
        _, cara = sign_in(session, "cara@example.com")
        _, eve = sign_in(session, "eve@example.com")
        agent = staff_admin(session)
        yield session, cara, eve, agent


def _category(session: Session) -> int:
    return session.exec(select(TicketCategory.id).order_by(TicketCategory.position)).first()


def _chunks(data: bytes, size: int = 1000):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_attachments_are_stored_and_read_back_on_both_backends(people, storage):
    session, cara, eve, agent = people
    upload = files.store(session, cara, cara.current.org_id, kind=tickets.ATTACHMENT_KIND, filename="report.pdf",
                         chunks=_chunks(PDF), storage=storage)
    session.commit()
    # A request refused for its input keeps the upload pending: nothing is lost, it can be sent again.
    with pytest.raises(Invalid):
        tickets.do_raise(session, cara, cara.current.org_id, category=_category(session), subject="",
                         body="See the report.", attachments=[upload.id])
    session.rollback()
    assert [u.id for u in tickets.pending_uploads(session, cara, cara.current.org_id, [upload.id])] == [upload.id]
    ticket = tickets.do_raise(session, cara, cara.current.org_id, category=_category(session),
                              subject="The report is wrong", body="See the report.", attachments=[upload.id])
    session.commit()

    (message,) = tickets.ticket_view(session, agent, ticket.number).messages
    assert [a.filename for a in message.attachments] == ["report.pdf"]
    for reader in (cara, agent):  # the raiser and staff read the same bytes back
        assert b"".join(files.open_file(files.access_file(session, reader, upload.id), storage)) == PDF
    with pytest.raises(NotFound):  # another organisation cannot
        files.access_file(session, eve, upload.id)


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


def _deliver_all(session: Session, sink: SmtpSink, tmp_path) -> None:
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=sink.port,
                                   smtp_from="support@example.com")
    for mail_id in session.exec(select(OutgoingMail.id).where(OutgoingMail.sent_at.is_(None))).all():
        assert delivery.deliver(mail_id, session.get_bind(), settings).status == "sent"


def test_replies_are_mailed_over_smtp_and_an_internal_note_never_is(people, smtp, tmp_path):
    session, cara, _, agent = people
    ticket = tickets.do_raise(session, cara, cara.current.org_id, category=_category(session),
                              subject="Exports time out", body="Since Monday.")
    session.commit()
    _deliver_all(session, smtp, tmp_path)  # the staff's "new request" mail, and anything before it
    before = len(smtp.to("cara@example.com"))

    tickets.do_reply(session, agent, ticket.number, body="Customer is on the legacy plan (secret-note-word).",
                     internal=True)
    tickets.do_reply(session, agent, ticket.number, body="We turned exports on for you: try again?")
    session.commit()
    _deliver_all(session, smtp, tmp_path)

    new = smtp.to("cara@example.com")[before:]
    assert len(new) == 1  # the reply; the note sent nothing
    assert tickets.label(ticket.number) in new[0]["Subject"]
    everything = "".join(m.as_string() for m in smtp.messages)
    assert "secret-note-word" not in everything and "legacy plan" not in everything
