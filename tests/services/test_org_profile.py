"""The organisation profile and logo: who may see and change them, and bad input."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from portal_app.integrations.storage import LocalStorage, check_key
from portal_app.models import AuditEvent, Organization
from portal_app.services import files, org_profile
from portal_app.services.errors import Forbidden, Invalid, NotFound, PortalError
from tests.factories import register, sign_in
from tests.permissions import Permission, join, permission_tests

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


@pytest.fixture
def org(any_engine, tmp_path):
    with Session(any_engine, expire_on_commit=False) as session:
        register(session)
        register(session, "eve@example.com", company="Eve Ltd", name="Eve")
        _, ada = sign_in(session)
        _, eve = sign_in(session, "eve@example.com")
        yield session, ada, eve, LocalStorage(tmp_path / "files")


def _fields(**overrides) -> dict:
    return {"name": "Analytical Engines", "legal_name": "Analytical Engines Ltd",
            "address": "  12 Babbage Street \r\nLondon  ", "tax_id": "GB 123.456-78",
            "billing_email": "Billing@Example.com", **overrides}


def _shown(session: Session, actor, org_id: int, profile) -> None:
    assert profile.name == "Ours"
    assert profile.can_edit == (actor.role_in(org_id) in EDITORS)  # what the page offers


def _saved(session: Session, actor, org_id: int, org) -> None:
    assert session.get(Organization, org_id).tax_id == "GB 123.456-78"


def _no_logo(session: Session, actor, org_id: int, result) -> None:
    assert session.get(Organization, org_id).logo_key == ""


EDITORS = ("owner", "admin", "billing")
test_profile_permissions = permission_tests(
    Permission("get", lambda s, p, org_id: org_profile.get_profile(s, p, org_id), ("owner", "admin", "billing", "member"),
               check=_shown),
    Permission("update", lambda s, p, org_id: org_profile.update_profile(s, p, org_id, **_fields(name="Ours")),
               EDITORS, check=_saved),
    Permission("remove_logo", lambda s, p, org_id: org_profile.remove_logo(s, p, org_id), EDITORS, check=_no_logo),
)


def test_owner_updates_the_profile(org):
    session, ada, _, _ = org
    org_profile.update_profile(session, ada, ada.current.org_id, **_fields())
    profile = org_profile.get_profile(session, ada, ada.current.org_id)
    assert profile.address == "12 Babbage Street\nLondon"
    assert profile.billing_email == "billing@example.com" and profile.can_edit


def test_a_new_name_is_audited_as_a_rename_and_the_rest_as_a_profile_update(org):
    """The profile is the one way to rename: the log says from what to what."""
    session, ada, _, _ = org
    org_id = ada.current.org_id
    org_profile.update_profile(session, ada, org_id, **_fields(name="Difference Engines"))
    org_profile.update_profile(session, ada, org_id, **_fields(name="Difference Engines"))  # nothing new
    events = session.exec(select(AuditEvent).where(AuditEvent.org_id == org_id, AuditEvent.action.like("org.%"))
                          .order_by(AuditEvent.id)).all()
    assert [(e.action, json.loads(e.details)) for e in events] == [
        ("org.renamed", {"from": "Analytical Engines", "to": "Difference Engines"}),
        ("org.profile_updated", {"fields": ["address", "billing_email", "legal_name", "tax_id"]}),
        ("org.profile_updated", {"fields": []}),
    ]


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "Name is required"),
    ("legal_name", "x" * 10_000, "at most 200"),
    ("address", "line\n" * 20, "at most 10 lines"),
    ("address", "bad\x00char", "not allowed"),
    ("tax_id", "<script>", "letters, digits"),
    ("billing_email", "nope", "valid email"),
    ("address", 12, "must be text"),
])
def test_bad_profile_input_changes_nothing(org, field, value, message):
    session, ada, _, _ = org
    with pytest.raises(Invalid, match=message) as err:
        org_profile.update_profile(session, ada, ada.current.org_id, **_fields(**{field: value}))
    assert err.value.field == field
    session.rollback()
    assert session.get(Organization, ada.current.org_id).legal_name == ""


def test_the_logo_is_set_by_editors_of_that_organisation_only(org):
    """The upload needs a storage, so it is checked here rather than in the
    permission cases above (which cover the same rule for the profile)."""
    session, ada, eve, storage = org
    for bogus in (ada.current.org_id, str(ada.current.org_id), True):
        with pytest.raises(NotFound):
            org_profile.set_logo(session, eve, bogus, data=PNG, storage=storage)
    bob = join(session, ada, "bob@example.com", "member", "Bob")
    with pytest.raises(Forbidden, match="Only owners, admins and billing members can change the profile."):
        org_profile.set_logo(session, bob, ada.current.org_id, data=PNG, storage=storage)
    assert not storage.root.exists() or not any(storage.root.rglob("*"))


def test_logo_upload_replace_read_and_remove(org):
    session, ada, eve, storage = org
    org_id = ada.current.org_id
    org_profile.set_logo(session, ada, org_id, data=PNG, storage=storage)
    first = session.get(Organization, org_id).logo_key
    assert org_profile.read_logo(session, ada, org_id, storage) == (PNG, "image/png")
    session.commit()
    org_profile.set_logo(session, ada, org_id, data=JPEG, storage=storage)
    assert (storage.root / first).exists()  # until the new one commits
    session.commit()
    assert not (storage.root / first).exists()  # then the old file is gone
    assert org_profile.read_logo(session, ada, org_id, storage)[1] == "image/jpeg"
    assert files.usage(session, org_id) == len(JPEG)  # a logo counts in the quota, once
    with pytest.raises(NotFound):
        org_profile.read_logo(session, eve, org_id, storage)
    org_profile.remove_logo(session, ada, org_id, storage=storage)
    with pytest.raises(NotFound):
        org_profile.read_logo(session, ada, org_id, storage)
    session.commit()
    assert files.usage(session, org_id) == 0 and not any(p.is_file() for p in storage.root.rglob("*"))


@pytest.mark.parametrize("data,message", [
    (b"", "Choose an image"),
    ("text", "Choose an image"),
    (b"<svg onload=alert(1)></svg>", "PNG or JPEG"),
    (b"GIF89a" + b"\x00" * 10, "PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 1_000_001, "at most 1 MB"),
])
def test_bad_logos_are_refused(org, data, message):
    session, ada, _, storage = org
    with pytest.raises(PortalError, match=message):
        org_profile.set_logo(session, ada, ada.current.org_id, data=data, storage=storage)
    assert not any(p.is_file() for p in storage.root.rglob("*")) if storage.root.exists() else True


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "logos/../../x", "Logos/A", ""])
def test_storage_refuses_keys_that_escape(key):
    with pytest.raises(ValueError):
        check_key(key)
