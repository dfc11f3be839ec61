"""`signed_in`: the handler gets the principal from the session, never from
the payload; Reflex sees the handler without it."""

from __future__ import annotations

import inspect

import pytest

from portal_app.state.members import MembersState
from portal_app.state.org_profile import OrgProfileState
from portal_app.state.security import SecurityState
from portal_app.state.session import busy, signed_in
from portal_app.state.staff import StaffState


@pytest.mark.parametrize(("state", "name", "payload"), [
    (SecurityState, "revoke", ["session_id"]),
    (SecurityState, "revoke_others", []),
    (SecurityState, "change_password", ["form"]),  # under @busy as well
    (MembersState, "invite", ["form"]),
    (OrgProfileState, "upload_logo", []),
    (StaffState, "make_owner", ["membership_id"]),
])
def test_reflex_sees_only_the_payload(state, name, payload):
    handler = getattr(state, name)
    assert list(handler.get_parameters())[1:] == payload
    assert "principal" not in handler._get_type_hints()


def test_a_misfit_payload_is_refused_before_the_session_is_looked_up():
    class Probe:
        looked_up = False

        def _principal(self):  # noqa: ANN202
            Probe.looked_up = True

    @signed_in()
    async def handler(self, principal, item_id: str):  # noqa: ANN001, ANN202
        raise AssertionError("must not run")

    with pytest.raises(TypeError):
        handler(Probe(), item_id="1", principal="someone").send(None)
    with pytest.raises(TypeError):
        handler(Probe()).send(None)
    assert Probe.looked_up is False


def test_busy_must_sit_above_signed_in():
    with pytest.raises(TypeError, match="busy"):
        signed_in()(busy("x")(lambda self, principal: None))
    assert inspect.iscoroutinefunction(busy("x")(signed_in()(lambda self, principal: None)).__wrapped__)
