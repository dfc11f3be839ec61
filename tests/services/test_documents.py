"""The document library, the services: the permission base (folders,
uploads, reading, deleting; another organisation not found), folder
audiences per role, versions kept and numbered, staff sharing one file
into two organisations (two independent copies, on both storage
backends), the download route's check (`files.access_file`), and bad
input (names, disguised and hostile files, oversized files) refused with
nothing kept."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session, select

from portal_app.models import AuditEvent, Document, DocumentVersion, Folder, Notification, StoredFile
from portal_app.services import documents, files
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound, TooLarge
from portal_app.settings import load_settings
from tests.factories import ada_and_eve, staff_admin
from tests.permissions import Permission, join, permission_tests

PDF = b"%PDF-1.7\n" + b"1 0 obj <<>> endobj\n" * 50
TEXT = b"Line one\nLine two <b>not bold</b>\n"
STAFF = dict(staff_allowed=True)


def _upload(session: Session, principal, org_id: int, filename: str = "notes.txt", data: bytes = TEXT,
            storage=None) -> StoredFile:  # noqa: ANN001
    return files.store(session, principal, org_id, kind=documents.KIND, filename=filename, chunks=[data],
                       storage=storage)


def _folder(session: Session, owner, *, name: str = "Shared", audience: object = "all") -> int:  # noqa: ANN001
    return documents.create_folder(session, owner, owner.current.org_id, name=name, audience=audience).id


def _document(session: Session, owner) -> int:  # noqa: ANN001
    folder_id = _folder(session, owner)
    stored = _upload(session, owner, owner.current.org_id, "contract.pdf", PDF)
    return documents.add_files(session, owner, folder_id, [stored.id])[0].id


def _version_file(session: Session, owner) -> int:  # noqa: ANN001
    document_id = _document(session, owner)
    return session.exec(select(DocumentVersion.file_id).where(DocumentVersion.document_id == document_id)).one()


def _org_of_folder(session: Session, folder_id: object) -> int:
    folder = session.get(Folder, folder_id) if type(folder_id) is int else None  # noqa: E721
    return folder.org_id if folder is not None else 0


def _uploaded(session, actor, folder_id, org_id) -> None:  # noqa: ANN001
    """The full upload: the file into storage, then linked into the folder."""
    assert org_id == _org_of_folder(session, folder_id)
    stored = _upload(session, actor, org_id)
    (document,) = documents.add_files(session, actor, folder_id, [stored.id], note="First draft")
    assert (document.name, document.current_version) == ("notes.txt", 1)


def _folder_created(session, actor, org_id, folder) -> None:  # noqa: ANN001
    assert (folder.org_id, folder.name, folder.audience) == (org_id, "Contracts", "owner,admin")
    assert session.exec(select(AuditEvent.action).where(AuditEvent.target_type == "folder")).all() == [
        "document.folder_created"]


def _deleted(session, actor, document_id, name) -> None:  # noqa: ANN001
    assert name == "contract.pdf" and session.get(Document, document_id) is None
    assert session.exec(select(StoredFile).where(StoredFile.kind == documents.KIND)).all() == []


test_document_permissions = permission_tests(
    Permission("create folder", lambda s, p, org: documents.create_folder(s, p, org, name="Contracts",
                                                                          audience=["owner", "admin"]),
               allowed=("owner", "admin"), check=_folder_created, **STAFF),
    Permission("change folder", lambda s, p, fid: documents.update_folder(s, p, fid, name="Renamed",
                                                                          audience="billing"),
               allowed=("owner", "admin"), target_row=_folder, **STAFF),
    Permission("upload into folder", lambda s, p, fid: documents.upload_org(s, p, fid),
               allowed=("owner", "admin", "billing", "member"), target_row=_folder, check=_uploaded, **STAFF),
    Permission("list folders", lambda s, p, org: documents.list_folders(s, p, org),
               allowed=("owner", "admin", "billing", "member"),
               target_row=lambda s, owner: (_folder(s, owner), owner.current.org_id)[1], **STAFF),
    Permission("list documents", lambda s, p, fid: documents.list_documents(s, p, fid),
               allowed=("owner", "admin", "billing", "member"), target_row=_folder, **STAFF),
    Permission("view document", lambda s, p, did: documents.document_view(s, p, did),
               allowed=("owner", "admin", "billing", "member"), target_row=_document, **STAFF),
    Permission("download a version", lambda s, p, fid: files.access_file(s, p, fid),
               allowed=("owner", "admin", "billing", "member"), target_row=_version_file, **STAFF),
    Permission("delete document", lambda s, p, did: documents.delete_document(s, p, did),
               allowed=("owner", "admin"), target_row=_document, check=_deleted, **STAFF),
)


# ---------------------------------------------------------------- the people of one test

@pytest.fixture
def people(any_engine, seeded):
    """Ada (owner of Analytical Engines) with a billing member and a plain
    member, Eve (owner of Eve Ltd), and a staff admin; on SQLite and PostgreSQL."""
    def build(session: Session):
        ada, eve = ada_and_eve(session)
        billing = join(session, ada, "bill@example.com", "billing", "Bill Billing")
        member = join(session, ada, "mo@example.com", "member", "Mo Member")
        return ada, billing, member, eve, staff_admin(session)

    made = seeded(any_engine, build)
    with Session(any_engine, expire_on_commit=False) as session:
        yield session, *made


def test_folder_audience_per_role(people):
    session, ada, billing, member, eve, _ = people
    org = ada.current.org_id
    contracts = _folder(session, ada, name="Contracts", audience="owner,admin")
    bills = _folder(session, ada, name="Billing", audience=["billing"])
    shared = _folder(session, ada, name="Shared with you")
    stored = _upload(session, ada, org, "nda.pdf", PDF)
    (nda,) = documents.add_files(session, ada, contracts, [stored.id])
    session.commit()
    assert [f.name for f in documents.list_folders(session, ada, org)] == ["Billing", "Contracts", "Shared with you"]
    assert [f.name for f in documents.list_folders(session, billing, org)] == ["Billing", "Shared with you"]
    assert [f.name for f in documents.list_folders(session, member, org)] == ["Shared with you"]
    assert documents.list_folders(session, ada, org)[1].documents == 1
    for who in (billing, member):
        with pytest.raises(NotFound):
            documents.access_folder(session, who, contracts)
        with pytest.raises(NotFound):
            documents.document_view(session, who, nda.id)
        with pytest.raises(NotFound):
            files.access_file(session, who, stored.id)  # the download route's check
    with pytest.raises(NotFound):
        documents.access_folder(session, member, bills)
    assert documents.access_folder(session, billing, bills).id == bills
    assert documents.access_folder(session, member, shared).id == shared
    # a member who sees a folder uploads into it; one who does not, cannot
    assert documents.upload_org(session, member, shared) == org
    with pytest.raises(NotFound):
        documents.upload_org(session, member, contracts)
    mine = _upload(session, member, org, "mine.txt")
    with pytest.raises(NotFound):
        documents.add_files(session, member, contracts, [mine.id])
    session.rollback()


def test_versions_are_kept_and_numbered(people):
    session, ada, billing, _, _, _ = people
    org = ada.current.org_id
    folder_id = _folder(session, ada)
    first = _upload(session, ada, org, "Report.txt", b"version one\n")
    (doc,) = documents.add_files(session, ada, folder_id, [first.id], note="Draft")
    second = _upload(session, billing, org, "report.TXT", b"version two\n")
    (same,) = documents.add_files(session, billing, folder_id, [second.id], note="Final figures")
    third = _upload(session, ada, org, "anything.txt", b"version three\n")
    documents.add_version(session, ada, doc.id, third.id, note="Typo fixed")
    session.commit()
    assert same.id == doc.id
    view = documents.document_view(session, billing, doc.id)
    assert [(v.number, v.note, v.current) for v in view.versions] == [
        (3, "Typo fixed", True), (2, "Final figures", False), (1, "Draft", False)]
    assert view.versions[1].created_by == "Bill Billing"
    assert (view.preview, view.text) == ("text", "version three\n")
    for version, data in zip(view.versions, (b"version three\n", b"version two\n", b"version one\n"), strict=True):
        assert b"".join(files.open_file(files.access_file(session, billing, version.file_id))) == data
    _, rows = documents.list_documents(session, ada, folder_id)
    assert [(r.name, r.version, r.size) for r in rows] == [("Report.txt", 3, len(b"version three\n"))]
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.target_type == "document")
                           .order_by(AuditEvent.id)).all()
    assert actions == ["document.uploaded", "document.version_added", "document.version_added"]
    # a version stays with its document: it cannot be removed on its own, or linked twice
    with pytest.raises(Forbidden):
        files.delete(session, ada, first.id)
    with pytest.raises(Invalid):
        documents.add_files(session, ada, folder_id, [first.id])
    session.rollback()


def test_search_and_sort(people):
    session, ada, *_ = people
    folder_id = _folder(session, ada)
    for name in ("b-minutes.txt", "A-plan.txt", "c-budget.txt"):
        documents.add_files(session, ada, folder_id, [_upload(session, ada, ada.current.org_id, name).id])
    session.commit()
    assert [r.name for r in documents.list_documents(session, ada, folder_id)[1]] == [
        "A-plan.txt", "b-minutes.txt", "c-budget.txt"]
    assert [r.name for r in documents.list_documents(session, ada, folder_id, sort="date")[1]][0] == "c-budget.txt"
    assert [r.name for r in documents.list_documents(session, ada, folder_id, query="BUDG")[1]] == ["c-budget.txt"]
    assert documents.list_documents(session, ada, folder_id, query="%")[1] == []


def test_another_organisation_cannot_see_or_touch_anything(people):
    session, ada, _, _, eve, _ = people
    document_id = _document(session, ada)
    folder_id = session.get(Document, document_id).folder_id
    file_id = session.exec(select(DocumentVersion.file_id)).one()
    eves = _upload(session, eve, eve.current.org_id, "eve.txt")
    session.commit()
    calls = (
        lambda: documents.access_folder(session, eve, folder_id),
        lambda: documents.list_folders(session, eve, ada.current.org_id),
        lambda: documents.list_documents(session, eve, folder_id),
        lambda: documents.document_view(session, eve, document_id),
        lambda: documents.update_folder(session, eve, folder_id, name="Mine", audience="all"),
        lambda: documents.create_folder(session, eve, ada.current.org_id, name="Mine"),
        lambda: documents.add_files(session, eve, folder_id, [eves.id]),
        lambda: documents.add_version(session, eve, document_id, eves.id),
        lambda: documents.delete_document(session, eve, document_id),
        lambda: documents.upload_org(session, eve, folder_id),
        lambda: files.access_file(session, eve, file_id),
        lambda: files.delete(session, eve, file_id),
        lambda: _upload(session, eve, ada.current.org_id),
    )
    for call in calls:
        with pytest.raises(NotFound):
            call()
        session.rollback()
    # Ada cannot link Eve's upload either (a file id that is not hers)
    with pytest.raises(Invalid):
        documents.add_files(session, ada, folder_id, [eves.id])
    session.rollback()
    assert session.get(Document, document_id).current_version == 1


def test_staff_upload_into_a_customer_folder(people):
    session, ada, *_, staff = people
    folder_id = _folder(session, ada)
    session.commit()
    assert documents.upload_org(session, staff, folder_id) == ada.current.org_id
    stored = _upload(session, staff, ada.current.org_id, "from-us.pdf", PDF)
    (doc,) = documents.add_files(session, staff, folder_id, [stored.id])
    session.commit()
    assert files.access_file(session, ada, stored.id).id == stored.id
    # other kinds stay members-only, and a missing organisation is not found
    with pytest.raises(NotFound):
        files.store(session, staff, ada.current.org_id, kind="attachment", filename="a.txt", chunks=[TEXT])
    with pytest.raises(NotFound):
        _upload(session, staff, 10**9)
    assert doc.current_version == 1


def test_staff_share_into_two_organisations_makes_two_copies(people, storage):
    session, ada, billing, member, eve, staff = people
    contracts = _folder(session, ada, name="Contracts", audience="owner,admin")
    session.commit()
    stored = _upload(session, staff, ada.current.org_id, "terms.pdf", PDF, storage=storage)
    made = documents.share(session, staff, stored.id, [ada.current.org_id, eve.current.org_id],
                           folder_name="contracts", note="New terms", storage=storage)
    session.commit()
    assert [d.org_id for d in made] == [ada.current.org_id, eve.current.org_id]
    assert made[0].folder_id == contracts  # the existing folder, any case
    eves_folder = session.get(Folder, made[1].folder_id)
    assert (eves_folder.name, eves_folder.audience) == ("contracts", "all")
    copies = [session.exec(select(StoredFile).join(DocumentVersion, DocumentVersion.file_id == StoredFile.id)
                           .where(DocumentVersion.document_id == d.id)).one() for d in made]
    assert copies[0].key != copies[1].key and [c.org_id for c in copies] == [ada.current.org_id, eve.current.org_id]
    assert b"".join(files.open_file(copies[1], storage)) == PDF
    # who sees the folder is told; who does not, is not
    told = set(session.exec(select(Notification.user_id).where(Notification.event == "document_shared")).all())
    assert ada.user_id in told and eve.user_id in told
    assert billing.user_id not in told and member.user_id not in told
    # deleting one organisation's copy leaves the other's bytes
    documents.delete_document(session, ada, made[0].id, storage=storage)
    session.commit()
    assert b"".join(files.open_file(session.get(StoredFile, copies[1].id), storage)) == PDF
    with pytest.raises(Exception):  # noqa: B017 — gone from storage, whatever the backend raises
        b"".join(files.open_file(copies[0], storage))
    # Eve's owner cannot read Ada's (now gone) copy; Ada cannot read Eve's
    with pytest.raises(NotFound):
        files.access_file(session, ada, copies[1].id)


def test_share_refuses_forged_input(people):
    session, ada, _, _, eve, staff = people
    theirs = _upload(session, ada, ada.current.org_id, "ada.txt")
    ours = _upload(session, staff, ada.current.org_id, "ours.txt")
    session.commit()
    for file_id, orgs, folder in ((theirs.id, [ada.current.org_id], "Shared"),  # not staff's upload
                                  (ours.id, [eve.current.org_id], "Shared"),  # uploaded elsewhere
                                  ("1", [ada.current.org_id], "Shared"),
                                  (ours.id, [], "Shared"),
                                  (ours.id, [ada.current.org_id], ""),
                                  (ours.id, [ada.current.org_id], "x" * 101)):
        with pytest.raises(Invalid):
            documents.share(session, staff, file_id, orgs, folder_name=folder)
        session.rollback()
    with pytest.raises(NotFound):
        documents.share(session, staff, ours.id, [ada.current.org_id, 10**9], folder_name="Shared")
    session.rollback()
    with pytest.raises(Forbidden):
        documents.share(session, ada, theirs.id, [ada.current.org_id], folder_name="Shared")
    session.rollback()
    assert session.exec(select(Document)).all() == []


@pytest.mark.parametrize("filename, data, expected", [
    ("", TEXT, Invalid),
    ("x" * 10_000 + ".txt", TEXT, Invalid),
    ("bad\x00name.txt", TEXT, Invalid),
    ("report.pdf", b"MZ\x90\x00" + b"\x00" * 100, Invalid),  # a program named as a PDF
    ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', Invalid),
    ("page.txt", b"<!DOCTYPE html><html><script>alert(1)</script></html>", Invalid),
    ("empty.txt", b"", Invalid),
])
def test_bad_files_are_refused_and_nothing_kept(people, filename, data, expected):
    session, ada, *_ = people
    with pytest.raises(expected) as err:
        _upload(session, ada, ada.current.org_id, filename, data)
    assert err.value.message
    session.rollback()
    assert session.exec(select(StoredFile)).all() == []


def test_an_oversized_file_is_refused(people, monkeypatch):
    session, ada, *_ = people
    small = dataclasses.replace(load_settings(), max_upload_bytes=1000)
    monkeypatch.setattr(files, "get_settings", lambda: small)
    with pytest.raises(TooLarge) as err:
        _upload(session, ada, ada.current.org_id, "big.txt", b"a" * 2000)
    assert "at most" in err.value.message
    session.rollback()
    assert session.exec(select(StoredFile)).all() == []


def test_names_notes_and_audiences(people):
    session, ada, *_ = people
    org = ada.current.org_id
    folder_id = _folder(session, ada)
    sneaky = _upload(session, ada, org, "../../etc/passwd.txt")
    hostile = _upload(session, ada, org, '<img src=x onerror="alert(1)">.txt')
    made = documents.add_files(session, ada, folder_id, [sneaky.id, hostile.id])
    assert [d.name for d in made] == ["passwd.txt", '<img src=x onerror="alert(1)">.txt']  # kept as text
    for name, audience in (("", "all"), ("x" * 101, "all"), ("a\x00b", "all"), ("Shared", "all"),
                           ("Other", "root"), ("Other", ["owner", "superuser"]), ("Other", []), ("Other", 7)):
        with pytest.raises(Invalid):
            documents.create_folder(session, ada, org, name=name, audience=audience)
    note = _upload(session, ada, org, "n.txt")
    for bad in ("x" * 501, "a\x00b", 12):
        with pytest.raises(Invalid):
            documents.add_files(session, ada, folder_id, [note.id], note=bad)
    for ids in ([], "1", [True], [1.5], list(range(1, 30))):
        with pytest.raises(Invalid):
            documents.add_files(session, ada, folder_id, ids)
    assert documents.parse_audience(["member", "owner", "admin", "billing"]) == "all"
    assert documents.parse_audience("admin,owner") == "owner,admin"
    session.rollback()


def test_delete_removes_every_version_file_after_commit(people, storage):
    session, ada, billing, *_ = people
    org = ada.current.org_id
    folder_id = _folder(session, ada)
    one = _upload(session, ada, org, "plan.txt", b"one\n", storage=storage)
    (doc,) = documents.add_files(session, ada, folder_id, [one.id])
    two = _upload(session, ada, org, "plan.txt", b"two\n", storage=storage)
    documents.add_files(session, ada, folder_id, [two.id])
    session.commit()
    with pytest.raises(Forbidden) as err:
        documents.delete_document(session, billing, doc.id, storage=storage)
    assert err.value.code == ErrorCode.ROLE_REQUIRED
    session.rollback()
    assert documents.delete_document(session, ada, doc.id, storage=storage) == "plan.txt"
    session.commit()
    assert session.exec(select(StoredFile)).all() == []
    assert session.exec(select(DocumentVersion)).all() == []
    for stored in (one, two):
        with pytest.raises(Exception):  # noqa: B017
            b"".join(files.open_file(stored, storage))


def test_two_uploads_of_one_name_at_once_make_one_document_with_two_versions(people, any_engine):
    from tests.factories import at_once

    session, ada, billing, *_ = people
    org = ada.current.org_id
    folder_id = _folder(session, ada)
    ids = [_upload(session, who, org, "same.txt", f"from {n}\n".encode()).id for n, who in enumerate((ada, billing))]
    session.commit()
    who = (ada, billing)
    results = at_once(any_engine, lambda s, n: documents.add_files(s, who[n], folder_id, [ids[n]])[0].id, 2)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len(set(results)) == 1
    numbers = session.exec(select(DocumentVersion.number).where(DocumentVersion.document_id == results[0])
                           .order_by(DocumentVersion.number)).all()
    assert numbers == [1, 2]
