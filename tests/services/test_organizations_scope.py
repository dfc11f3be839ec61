"""Organisations are reached only through the acting person's memberships."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from portal_app.models import Organization
from portal_app.services import organizations
from portal_app.services.errors import Invalid, NotFound
from tests.factories import register, sign_in


@pytest.fixture
def two_orgs(any_engine):
    with Session(any_engine) as session:
        register(session)
        register(session, "eve@example.com", company="Eve Ltd", name="Eve")
        _, ada = sign_in(session)
        _, eve = sign_in(session, "eve@example.com")
        yield session, ada, eve


def test_owner_renames_own_organisation(two_orgs):
    session, ada, _ = two_orgs
    org = organizations.rename(session, ada, ada.current.org_id, name="  Difference Engines ")
    assert org.name == "Difference Engines"


def test_other_organisation_is_not_found_and_unchanged(two_orgs):
    session, ada, eve = two_orgs
    for org_id in (eve.current.org_id, str(eve.current.org_id), None, 10**9):
        with pytest.raises(NotFound):
            organizations.get_for(session, ada, org_id)
        with pytest.raises(NotFound):
            organizations.rename(session, ada, org_id, name="Pwned")
    assert session.get(Organization, eve.current.org_id).name == "Eve Ltd"


def test_bad_name_changes_nothing(two_orgs):
    session, ada, _ = two_orgs
    with pytest.raises(Invalid, match="at most 200"):
        organizations.rename(session, ada, ada.current.org_id, name="x" * 10_000)
    session.rollback()
    assert session.get(Organization, ada.current.org_id).name == "Analytical Engines"
