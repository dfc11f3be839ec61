"""Private files: an upload streams into storage (both backends) with its
real type found from the bytes, a limit per kind and a quota per
organisation; another organisation cannot see or touch a file; a rollback
leaves no bytes behind; bad and disguised files get a clear message and
nothing is kept."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session, select

from portal_app.integrations.storage import read_all
from portal_app.models import StoredFile
from portal_app.services import files
from portal_app.services.errors import ErrorCode, Invalid, NotFound, TooLarge
from portal_app.settings import load_settings
from portal_app.services.principal import ROLES
from tests.factories import ada_and_eve
from tests.permissions import Permission, permission_tests

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"1 0 obj <<>> endobj\n" * 50
MB = 1_000_000


@pytest.fixture
def people(any_engine, seeded):
    """Ada and Eve (`factories.ada_and_eve`), made once per module on SQLite (`seeded`)."""
    made = seeded(any_engine, ada_and_eve)
    with Session(any_engine, expire_on_commit=False) as session:
        yield session, *made


def _keys(storage) -> list[str]:
    from portal_app.integrations.storage import S3Storage

    if isinstance(storage, S3Storage):
        return [o["Key"] for o in storage.client.list_objects_v2(Bucket=storage.bucket).get("Contents", [])]
    return [str(p) for p in storage.root.rglob("*") if p.is_file()] if storage.root.exists() else []


def _chunks(data: bytes, size: int = 1000):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_a_member_uploads_and_reads_back_on_both_backends(people, storage):
    session, ada, _ = people
    stored = files.store(session, ada, ada.current.org_id, kind="attachment", filename="report.pdf",
                         chunks=_chunks(PDF), storage=storage)
    session.commit()
    assert (stored.content_type, stored.size, stored.filename) == ("application/pdf", len(PDF), "report.pdf")
    found = files.access_file(session, ada, stored.id)
    assert b"".join(files.open_file(found, storage)) == PDF
    assert files.usage(session, ada.current.org_id) == len(PDF)


def test_another_organisation_cannot_see_or_touch_a_file(people, storage):
    session, ada, eve = people
    stored = files.store(session, ada, ada.current.org_id, kind="attachment", filename="secret.pdf",
                         chunks=[PDF], storage=storage)
    session.commit()
    for call in (lambda: files.access_file(session, eve, stored.id),
                 lambda: files.delete(session, eve, stored.id, storage=storage),
                 lambda: files.store(session, eve, ada.current.org_id, kind="attachment", filename="x.pdf",
                                     chunks=[PDF], storage=storage)):
        with pytest.raises(NotFound):
            call()
    session.rollback()
    assert session.get(StoredFile, stored.id) is not None
    assert len(_keys(storage)) == 1


def _attached(session, owner) -> int:
    stored = files.store(session, owner, owner.current.org_id, kind="attachment", filename="a.txt",
                         chunks=[b"hello"])
    session.flush()
    return stored.id


test_permissions = permission_tests(
    Permission("add a logo", lambda s, p, org: files.store(s, p, org, kind="logo", filename="l.png", chunks=[PNG]),
               allowed=("owner", "admin", "billing")),
    Permission("add an attachment", lambda s, p, org: files.store(s, p, org, kind="attachment",
                                                                  filename="a.pdf", chunks=[PDF]),
               allowed=ROLES),
    Permission("read a file", lambda s, p, file_id: files.access_file(s, p, file_id), allowed=ROLES,
               target_row=_attached),
    Permission("remove an attachment", lambda s, p, file_id: files.delete(s, p, file_id), allowed=ROLES,
               target_row=_attached),
)


def test_the_real_type_comes_from_the_bytes(people, storage):
    session, ada, _ = people
    org_id = ada.current.org_id
    disguised = {
        "invoice.pdf": b"MZ\x90\x00" + b"\x00" * 100,  # a Windows program named .pdf
        "photo.png": b"\x7fELF" + b"\x00" * 100,
        "page.txt": b"<!DOCTYPE html><script>alert(1)</script>",
        "logo.png": b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        "notes.txt": b"   <?xml version='1.0'?><svg/>",
        "data.csv": b"a,b\x00c",
        "run.sh": b"#!/bin/sh\nrm -rf /\n",
    }
    for name, data in disguised.items():
        with pytest.raises(Invalid) as refused:
            files.store(session, ada, org_id, kind="attachment", filename=name, chunks=[data], storage=storage)
        assert refused.value.code == ErrorCode.BAD_FILE_TYPE and refused.value.message == (
            "The file must be an image, a PDF, a text or CSV file, an office document or a zip.")
    with pytest.raises(Invalid, match="PNG or JPEG"):
        files.store(session, ada, org_id, kind="logo", filename="logo.png", chunks=[PDF], storage=storage)
    assert _keys(storage) == []
    assert files.sniff(b"PK\x03\x04rest", "plan.docx") == "application/vnd.openxmlformats-officedocument"
    assert files.sniff(b"a;b\n1;2\n", "export.csv") == "text/csv"
    assert files.sniff("Grüße aus Köln".encode(), "hello.txt") == "text/plain"


def test_bad_input_gets_a_clear_message_and_keeps_nothing(people, storage):
    session, ada, _ = people
    org_id = ada.current.org_id
    cases = [
        (dict(kind="attachment", filename="empty.txt", chunks=[]), Invalid, "empty"),
        (dict(kind="attachment", filename="", chunks=[b"x"]), Invalid, "File name"),
        (dict(kind="attachment", filename="x" * 256 + ".txt", chunks=[b"x"]), Invalid, "File name"),
        (dict(kind="attachment", filename=["a.txt"], chunks=[b"x"]), Invalid, "File name"),
        (dict(kind="secrets", filename="a.txt", chunks=[b"x"]), Invalid, "Unknown kind"),
        (dict(kind=None, filename="a.txt", chunks=[b"x"]), Invalid, "Unknown kind"),
    ]
    for kwargs, error, words in cases:
        with pytest.raises(error, match=words):
            files.store(session, ada, org_id, storage=storage, **kwargs)
    for bogus in (org_id + 1000, str(org_id), True, None):
        with pytest.raises(NotFound):
            files.store(session, ada, bogus, kind="attachment", filename="a.txt", chunks=[b"x"], storage=storage)
    for bogus in (999999, "1", True, 1.0, None, [1]):
        with pytest.raises(NotFound):
            files.access_file(session, ada, bogus)
    assert _keys(storage) == []
    assert session.exec(select(StoredFile)).all() == []


def test_the_default_limits_read_as_configured():
    """PORTAL_MAX_UPLOAD_MB=25 is "25 MB" in every message, not 26 (MiB)."""
    settings = load_settings()
    assert files._megabytes(settings.max_upload_bytes) == "25 MB"
    assert files._megabytes(settings.org_quota_bytes) == "1024 MB"


def test_the_kind_limit_and_the_quota(people, storage, monkeypatch):
    session, ada, _ = people
    org_id = ada.current.org_id
    small = dataclasses.replace(load_settings(), max_upload_bytes=2 * MB, org_quota_bytes=3 * MB)
    monkeypatch.setattr(files, "get_settings", lambda: small)
    big = b"a" * (2 * MB + 1)
    with pytest.raises(TooLarge, match="at most 2 MB"):
        files.store(session, ada, org_id, kind="attachment", filename="big.txt", chunks=_chunks(big, 64 * 1024),
                    storage=storage)
    files.store(session, ada, org_id, kind="attachment", filename="one.txt", chunks=[b"a" * (2 * MB)],
                storage=storage)
    session.commit()
    with pytest.raises(TooLarge) as full:
        files.store(session, ada, org_id, kind="attachment", filename="two.txt", chunks=[b"a" * (2 * MB)],
                    storage=storage)
    assert full.value.code == ErrorCode.QUOTA_FULL and "remaining storage" in full.value.message
    files.store(session, ada, org_id, kind="attachment", filename="fits.txt", chunks=[b"a" * MB],
                storage=storage)
    session.commit()
    with pytest.raises(TooLarge, match="has used its") as none_left:
        files.store(session, ada, org_id, kind="attachment", filename="more.txt", chunks=[b"a"], storage=storage)
    assert none_left.value.code == ErrorCode.QUOTA_FULL
    assert len(_keys(storage)) == 2


def test_a_rollback_takes_the_bytes_out_again(people, storage):
    session, ada, _ = people
    files.store(session, ada, ada.current.org_id, kind="attachment", filename="a.txt", chunks=[b"kept?"],
                storage=storage)
    assert len(_keys(storage)) == 1
    session.rollback()
    assert _keys(storage) == []


def test_delete_removes_the_bytes_once_committed(people, storage):
    session, ada, _ = people
    stored = files.store(session, ada, ada.current.org_id, kind="attachment", filename="a.txt", chunks=[b"bye"],
                         storage=storage)
    session.commit()
    files.delete(session, ada, stored.id, storage=storage)
    assert len(_keys(storage)) == 1  # still there until the delete commits
    session.commit()
    assert _keys(storage) == []
    with pytest.raises(NotFound):
        files.access_file(session, ada, stored.id)


def test_read_all_is_for_small_files_only_in_name(storage):
    """`read_all` is the logo's helper: it reads through `open` as well."""
    storage.save("logos/1/abc", [b"12", b"34"])
    assert read_all(storage, "logos/1/abc") == b"1234"
