"""`require_role`, the one role check: what each kind of refusal says, and
that ids of the wrong type are simply not found. (Each domain's actions run
through it in the generated permission cases, tests/permissions.py.)"""

from __future__ import annotations

import dataclasses

import pytest

from portal_app.services.errors import ErrorCode, Forbidden, NotFound
from portal_app.services.principal import ROLES, OrgRole, Principal, require_role

BILLING_IN_7 = Principal(user_id=1, email="b@example.com", name="B", email_verified=True, session_id=1,
                         memberships=(OrgRole(7, "Seven", "billing"),))


def test_a_role_among_those_allowed_is_returned():
    assert require_role(BILLING_IN_7, 7, *ROLES) == "billing"
    assert require_role(BILLING_IN_7, 7, "owner", "billing", acting=True) == "billing"


@pytest.mark.parametrize("org_id", [8, True, 7.0, "7", None, [7]])
def test_not_a_member_or_not_an_id_is_not_found(org_id):
    with pytest.raises(NotFound, match="Organisation not found."):
        require_role(BILLING_IN_7, org_id, *ROLES)


@pytest.mark.parametrize("roles,to,message", [
    (("owner",), "change this", "Only owners can change this."),
    (("owner", "admin"), "manage members", "Only owners and admins can manage members."),
    (("owner", "admin", "member"), "do this", "Only owners, admins and members can do this."),
])
def test_another_role_is_forbidden_saying_who_may(roles, to, message):
    with pytest.raises(Forbidden) as err:
        require_role(BILLING_IN_7, 7, *roles, to=to)
    assert (err.value.message, err.value.code) == (message, ErrorCode.ROLE_REQUIRED)


def test_two_step_setup_comes_before_everything_and_changes_need_a_confirmed_address():
    needs_mfa = dataclasses.replace(BILLING_IN_7, mfa_required=True)
    with pytest.raises(Forbidden) as err:
        require_role(needs_mfa, 7, *ROLES)
    assert err.value.code == ErrorCode.MFA_REQUIRED
    unconfirmed = dataclasses.replace(BILLING_IN_7, email_verified=False)
    assert require_role(unconfirmed, 7, *ROLES) == "billing"  # reading is fine
    with pytest.raises(Forbidden) as err:
        require_role(unconfirmed, 7, "owner", acting=True)
    assert err.value.code == ErrorCode.UNVERIFIED


def test_the_roles_must_be_named():
    with pytest.raises(ValueError):
        require_role(BILLING_IN_7, 7)
