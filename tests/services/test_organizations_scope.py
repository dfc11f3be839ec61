"""Organisations are reached only through `organizations.visible_to`: the
acting person's memberships on customer paths, every organisation for staff
in the back office only."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from portal_app.models import AuditEvent
from portal_app.services import org_profile, organizations, staff
from portal_app.services.errors import Forbidden, NotFound
from tests.factories import register, rename_organization, sign_in, staff_admin
from tests.permissions import Permission, permission_tests

test_organization_permissions = permission_tests(
    Permission("access", lambda s, p, org_id: organizations.access_organization(s, p, org_id),
               ("owner", "admin", "billing", "member"),
               check=lambda s, actor, org_id, org: None if org.id == org_id else pytest.fail(f"got {org.id}")),
)


@pytest.fixture
def two_orgs(any_engine):
    with Session(any_engine) as session:
        register(session)
        register(session, "eve@example.com", company="Eve Ltd", name="Eve")
        _, ada = sign_in(session)
        _, eve = sign_in(session, "eve@example.com")
        yield session, ada, eve


def test_members_reach_their_own_organisation_only(two_orgs):
    session, ada, eve = two_orgs
    assert organizations.access_organization(session, ada, ada.current.org_id).name == "Analytical Engines"
    assert [o.name for o in session.exec(organizations.visible_to(ada))] == ["Analytical Engines"]
    for org_id in (eve.current.org_id, str(eve.current.org_id), float(eve.current.org_id), True, None, 10**9):
        with pytest.raises(NotFound):
            organizations.access_organization(session, ada, org_id)


def test_staff_read_organisations_in_the_back_office_only(two_orgs):
    """The rule decided once: staff belong to no organisation, so customer
    paths (profile, logo) show them nothing; the back office shows every
    organisation to staff and none to customers."""
    session, ada, eve = two_orgs
    root = staff_admin(session)
    org_id = eve.current.org_id
    with pytest.raises(NotFound):
        organizations.access_organization(session, root, org_id)
    with pytest.raises(NotFound):
        org_profile.get_profile(session, root, org_id)
    assert organizations.access_organization(session, root, org_id, back_office=True).name == "Eve Ltd"
    assert staff.list_org_members(session, root, org_id)[0].name == "Eve Ltd"
    assert len(session.exec(organizations.visible_to(root, back_office=True)).all()) == 2
    with pytest.raises(NotFound):
        organizations.access_organization(session, ada, ada.current.org_id, back_office=True)
    with pytest.raises(Forbidden):
        staff.list_org_members(session, ada, ada.current.org_id)


def test_renaming_is_a_profile_change_audited_as_a_rename(two_orgs):
    session, ada, _ = two_orgs
    org = rename_organization(session, ada, "  Difference Engines ")
    assert org.name == "Difference Engines"
    event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.org_id) == ("org.renamed", ada.current.org_id)
    assert '"from": "Analytical Engines"' in event.details and '"to": "Difference Engines"' in event.details
