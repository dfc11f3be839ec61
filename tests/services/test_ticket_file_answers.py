"""File questions of intake forms, the services: the answer is one of the
raiser's own pending attachment uploads, attached to the opening message
and shown by name with its download to whoever may read that message;
required ones refuse an empty answer; a wrong type, someone else's upload,
another organisation's, one already attached, a stale id or one given twice
get a message next to that question and store nothing (the upload stays
pending); an agents-only question never shows to the customer; disguised
and oversized files are refused when uploaded; the three-case permission
base for reading the answered file."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlmodel import Session, select

from portal_app.integrations.storage import make_storage
from portal_app.models import StoredFile, Ticket, TicketAnswer, TicketAttachment, TicketCategory, TicketField
from portal_app.services import files, tickets
from portal_app.services import ticket_forms as forms
from portal_app.services.errors import Invalid, NotFound, TooLarge
from portal_app.settings import load_settings
from tests.factories import ours_and_theirs, staff_admin
from tests.permissions import Permission, join, permission_tests

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
SEE_ALL = ("owner", "admin")


def _category(session: Session) -> int:
    """"Request a change": a category with no questions of its own."""
    return session.exec(select(TicketCategory.id).where(TicketCategory.name == "Request a change")).one()


def _screenshot_question(session: Session, *, required: bool = False) -> TicketField:
    """A file question on "Request a change", added as a staff admin would
    (a row here: the permission cases' builders have no staff admin)."""
    field = TicketField(category_id=_category(session), label="Screenshot", kind="file", required=required,
                        help_text="What you see on the screen", position=1)
    session.add(field)
    session.flush()
    return field


def _name(field: TicketField) -> str:
    return f"field-{field.id}"


def _upload(session: Session, principal, name: str = "screen.png", *, kind: str = tickets.ATTACHMENT_KIND,
            org_id: int | None = None) -> int:
    return files.store(session, principal, org_id or principal.current.org_id, kind=kind, filename=name,
                       chunks=[PNG], storage=make_storage(files.get_settings())).id


def _raise(session: Session, principal, answers: dict, *, subject: str = "The export button is grey",
           **kwargs) -> Ticket:
    return tickets.do_raise(session, principal, principal.current.org_id, category=_category(session),
                            subject=subject, body="See the screenshot.", answers=answers, **kwargs)


def _answered_file(session: Session, owner) -> int:
    """The owner raises a request answering the file question: the file's id."""
    field = _screenshot_question(session)
    file_id = _upload(session, owner)
    _raise(session, owner, {f"field-{field.id}": file_id})
    return file_id


def _read(session, actor, file_id, stored) -> None:
    assert stored.id == file_id and stored.filename == "screen.png"


# Who reads the file a question was answered with: whoever sees the request
# (owners and admins see all of the organisation's; a member not the
# raiser's), agents; never another organisation, whatever the id's type.
test_file_answer_permissions = permission_tests(
    Permission("read a file answer", lambda s, p, file_id: files.access_file(s, p, file_id), SEE_ALL,
               target_row=_answered_file, refused=NotFound, staff_allowed=True, check=_read),
)


@pytest.fixture
def org(engine, tmp_path, monkeypatch):
    """Ours: an owner and a member; Theirs: an owner; a staff admin. Files go
    to a throwaway directory."""
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path)
    monkeypatch.setattr(files, "get_settings", lambda: settings)
    with Session(engine, expire_on_commit=False) as session:
        people = ours_and_theirs(session)
        owner = people["owner"]
        people |= {"mia": join(session, owner, "mia@example.com", "member", "Mia"), "admin": staff_admin(session)}
        session.commit()
        yield session, people


def _pending(session: Session, file_id: int) -> bool:
    return session.exec(select(TicketAttachment).where(TicketAttachment.file_id == file_id)).first() is None


def test_an_admin_adds_a_file_question_and_options_do_not_apply(org):
    session, p = org
    assert tickets.FIELD_KINDS["file"] == "File upload"
    field = forms.do_add_question(session, p["admin"], _category(session), label="Screenshot", kind="file",
                                  options="These\nare ignored", help_text="A picture of the error")
    session.commit()
    assert (field.kind, json.loads(field.options)) == ("file", [])
    assert [(f.label, f.kind, f.options) for f in tickets.category_form(session, _category(session))] == [
        ("Screenshot", "file", ())]


def test_a_file_answer_is_attached_to_the_opening_message_and_shown_with_its_download(org):
    session, p = org
    owner, mia = p["owner"], p["mia"]
    field = forms.do_add_question(session, p["admin"], _category(session), label="Screenshot", kind="file")
    log = forms.do_add_question(session, p["admin"], _category(session), label="Log", kind="file", required=True)
    screen, log_file, other = _upload(session, mia), _upload(session, mia, "log.txt"), _upload(session, mia, "x.png")
    session.commit()
    # An id as code passes it (an int) or as a form sends it (a string); another file attached as usual.
    ticket = _raise(session, mia, {_name(field): screen, _name(log): str(log_file)}, attachments=[other])
    session.commit()
    stored = session.exec(select(TicketAnswer.field_id, TicketAnswer.value).where(TicketAnswer.ticket_id ==
                                                                                   ticket.id)).all()
    assert sorted(stored) == sorted([(field.id, str(screen)), (log.id, str(log_file))])
    for reader in (mia, owner, p["admin"]):
        view = tickets.ticket_view(session, reader, ticket.number)
        assert [(a.question, a.value, a.file.id if a.file else None) for a in view.answers] == [
            ("Screenshot", "screen.png", screen), ("Log", "log.txt", log_file)]
        # The answered files show with their questions, not again among the message's attachments.
        assert [f.filename for f in view.messages[0].attachments] == ["x.png"]
        assert files.access_file(session, reader, screen).id == screen
    assert not _pending(session, screen) and not _pending(session, log_file)
    with pytest.raises(NotFound):
        files.access_file(session, p["theirs"], screen)
    # A question left unanswered stores nothing.
    second = _raise(session, mia, {_name(log): _upload(session, mia, "log2.txt")}, subject="Another")
    session.commit()
    assert [a.question for a in tickets.ticket_view(session, mia, second.number).answers] == ["Log"]


@pytest.mark.parametrize("empty", [None, "", "missing"])
def test_a_required_file_question_refuses_an_empty_answer(org, empty):
    session, p = org
    field = _screenshot_question(session, required=True)
    session.commit()
    answers = {} if empty == "missing" else {_name(field): empty}
    with pytest.raises(Invalid) as err:
        _raise(session, p["mia"], answers)
    assert err.value.field == _name(field) and "is required" in err.value.message
    session.rollback()
    assert session.exec(select(Ticket)).all() == []


def _refusals(session: Session, p: dict) -> dict[str, object]:
    """Every answer a file question refuses, by why."""
    mia, owner, theirs = p["mia"], p["owner"], p["theirs"]
    attached = _upload(session, mia, "sent.png")
    tickets.do_raise(session, mia, mia.current.org_id, category=_category(session), subject="Earlier", body="x",
                     attachments=[attached])
    return {
        "a list": [_upload(session, mia)], "a dict": {"id": 1}, "True": True, "a float": 1.0, "words": "screen.png",
        "a negative id": -3, "zero": 0, "a huge id": 2**70, "a path": "C:\\fakepath\\screen.png",
        "someone else's upload": _upload(session, owner, "owners.png"),
        "another organisation's upload": _upload(session, theirs, "theirs.png"),
        "an upload already attached": attached,
        "a stale id": 10**9,
        "a logo, not an attachment": _upload(session, owner, "logo.png", kind="logo"),
    }


def test_every_wrong_file_answer_is_refused_next_to_its_question_and_nothing_is_stored(org):
    session, p = org
    field = _screenshot_question(session)
    refusals = _refusals(session, p)
    session.commit()
    before = {t.id for t in session.exec(select(Ticket)).all()}
    for why, value in refusals.items():
        with pytest.raises(Invalid) as err:
            _raise(session, p["mia"], {_name(field): value}, subject=f"Try {why}")
        assert err.value.field == _name(field), why
        assert "Screenshot" in err.value.message or "file" in err.value.message, why
        session.rollback()
        assert {t.id for t in session.exec(select(Ticket)).all()} == before, why
    # The files that were offered stay as they were: pending, their owner's.
    for why in ("someone else's upload", "another organisation's upload"):
        assert _pending(session, refusals[why]), why
    assert session.exec(select(TicketAnswer)).all() == []


def test_one_upload_answers_once_and_the_opening_message_keeps_its_limit(org):
    session, p = org
    mia = p["mia"]
    field = _screenshot_question(session)
    other = forms.do_add_question(session, p["admin"], _category(session), label="Second screenshot", kind="file")
    shared = _upload(session, mia)
    session.commit()
    twice = {_name(field): shared, _name(other): shared}
    for answers, attachments in ((twice, []), ({_name(field): shared}, [shared])):
        with pytest.raises(Invalid, match="already attached or answers another question") as err:
            _raise(session, mia, answers, attachments=attachments)
        assert err.value.field in (_name(field), _name(other))
        session.rollback()
    ten = [_upload(session, mia, f"{n}.png") for n in range(tickets.MAX_ATTACHMENTS)]
    with pytest.raises(Invalid, match="the files of its answers included") as err:
        _raise(session, mia, {_name(field): shared}, attachments=ten)
    assert err.value.field == "attachments"
    session.rollback()
    assert session.exec(select(Ticket)).all() == [] and _pending(session, shared)


def test_an_agents_only_file_question_never_shows_to_the_customer(org):
    session, p = org
    owner, admin = p["owner"], p["admin"]
    internal = forms.do_add_question(session, admin, _category(session), label="Evidence", kind="file",
                                     internal=True)
    public = forms.do_add_question(session, admin, _category(session), label="Screenshot", kind="file")
    session.commit()
    assert [f.label for f in tickets.category_form(session, _category(session))] == ["Screenshot"]
    # Not asked, so not accepted: the customer cannot answer it.
    with pytest.raises(Invalid, match="reload the page"):
        _raise(session, owner, {_name(internal): _upload(session, owner)})
    session.rollback()
    # A question answered, then made agents-only: staff still see the answer; the customer no longer does.
    screen = _upload(session, owner)
    ticket = _raise(session, owner, {_name(public): screen})
    forms.do_change_question(session, admin, public.id, label="Screenshot", kind="file", required=False,
                             help_text="", internal=True)
    session.commit()
    customer = tickets.ticket_view(session, owner, ticket.number)
    assert customer.answers == []
    # Their own upload is still theirs to read: it stays among the opening message's files.
    assert [f.id for f in customer.messages[0].attachments] == [screen]
    staff = tickets.ticket_view(session, admin, ticket.number)
    assert [(a.question, a.value, a.file.id) for a in staff.answers] == [("Screenshot", "screen.png", screen)]
    assert staff.messages[0].attachments == ()


def test_a_file_answer_the_person_cannot_read_shows_no_download(org):
    session, p = org
    owner = p["owner"]
    field = _screenshot_question(session)
    ticket = _raise(session, owner, {})
    # An answer naming a file that is not attached to a message this person reads (rows as a
    # future agents' path might write them): shown without its name or download.
    session.add(TicketAnswer(ticket_id=ticket.id, field_id=field.id, value=str(_upload(session, owner))))
    session.commit()
    assert [(a.question, a.value, a.file) for a in tickets.ticket_view(session, owner, ticket.number).answers] == [
        ("Screenshot", tickets.FILE_GONE, None)]


def test_disguised_and_oversized_files_are_refused_when_uploaded(org, monkeypatch):
    session, p = org
    mia = p["mia"]
    for name, data in (("screen.png", b"MZ\x90\x00 a Windows program renamed .png"),
                       ("screen.png", b"\x7fELF a Linux program"),
                       ("screen.png", b"<svg onload=alert(1)>")):
        with pytest.raises(Invalid, match="must be an image") as err:
            files.store(session, mia, mia.current.org_id, kind=tickets.ATTACHMENT_KIND, filename=name,
                        chunks=[data], storage=make_storage(files.get_settings()))
        assert err.value.field == "file"
    small = dataclasses.replace(files.get_settings(), max_upload_bytes=100)
    monkeypatch.setattr(files, "get_settings", lambda: small)
    with pytest.raises(TooLarge, match="at most"):
        files.store(session, mia, mia.current.org_id, kind=tickets.ATTACHMENT_KIND, filename="big.png",
                    chunks=[PNG], storage=make_storage(small))
    session.rollback()
    assert session.exec(select(StoredFile)).all() == []
