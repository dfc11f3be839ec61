"""The current organisation's profile and logo. Logos go through our own
upload route, which checks the session of that very request."""

from __future__ import annotations

import json

import reflex as rx

from portal_app.services import org_profile
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.state.forms import form_values
from portal_app.state.session import SessionState, busy, field_errors, signed_in

LOGO_INPUT_ID = "logo-file"
# Posts the chosen file as the request body; resolves to {ok, message}: the
# route's success JSON carries `message`, an error is problem+json (`detail`).
_UPLOAD_SCRIPT = """(async () => {
  const file = document.getElementById(%(input)s).files[0];
  if (!file) { return {ok: false, message: "Choose an image file first."}; }
  try {
    const response = await fetch(%(url)s, {method: "POST", body: file, credentials: "same-origin",
                                           headers: {"Content-Type": "application/octet-stream"}});
    const answer = await response.json().catch(() => ({}));
    if (response.ok) { return {ok: true, message: answer.message || ""}; }
    return {ok: false, message: answer.detail || "The logo could not be uploaded."};
  } catch (error) {
    return {ok: false, message: "The upload did not reach the portal. Check your connection and try again."};
  }
})()"""


class OrgProfileState(SessionState):
    """The organisation's profile and logo: shown to every member, edited by
    the roles `org_profile.EDITORS` names."""

    profile: dict[str, str] = {}
    can_edit_profile: bool = False
    logo_url: str = ""
    profile_errors: dict[str, str] = {}
    profile_key: int = 0

    async def _reload(self, principal: Principal) -> None:
        self._show(principal)
        current = principal.current
        if current is None or principal.needs_mfa_setup:  # no organisation data until MFA is set up
            self.profile, self.can_edit_profile, self.logo_url = {}, False, ""
            return
        profile = await self._read(org_profile.get_profile, principal, current.org_id)
        self.profile = {"name": profile.name, "legal_name": profile.legal_name, "address": profile.address,
                        "tax_id": profile.tax_id, "billing_email": profile.billing_email}
        self.can_edit_profile = profile.can_edit
        self.profile_key += 1  # remount the form so it shows what was just loaded
        # The version in the URL changes with each new logo, so caches never show an old one.
        self.logo_url = (f"/api/organizations/{current.org_id}/logo?v={profile.logo_version}"
                         if profile.has_logo else "")

    @rx.event
    async def load(self):
        self.profile_errors = {}
        principal = await self._principal()
        if principal is not None and principal.current is not None:
            await self._reload(principal)

    @rx.event
    @busy("save_org_profile")
    @signed_in(in_org=True)
    async def save_profile(self, principal: Principal, form: dict):
        data = form_values(form)
        self.profile_errors = {}
        try:
            await self._act(org_profile.update_profile, principal, principal.current.org_id,
                            name=data.get("name"), legal_name=data.get("legal_name"), address=data.get("address"),
                            tax_id=data.get("tax_id"), billing_email=data.get("billing_email"))
        except PortalError as err:
            message, self.profile_errors = field_errors(err)
            return rx.toast.error(message) if message else None
        await self._reload(await self._principal())
        return rx.toast.success("Profile saved.")

    @rx.event
    @signed_in(in_org=True)
    def upload_logo(self, principal: Principal):
        """Send the chosen file from the page to our own upload route, which
        checks the session of that request (never Reflex's `/_upload`)."""
        url = f"/api/organizations/{principal.current.org_id}/logo"
        self.busy = "upload_logo"  # until the page reports the answer to `logo_uploaded`
        return rx.call_script(_UPLOAD_SCRIPT % {"input": json.dumps(LOGO_INPUT_ID), "url": json.dumps(url)},
                              callback=OrgProfileState.logo_uploaded)

    @rx.event
    @signed_in()
    async def logo_uploaded(self, principal: Principal, result: dict):
        """The upload route's answer, as the page received it: only a message
        for this person; what the page shows is reloaded from the server."""
        self.busy = ""
        await self._reload(principal)
        answer = result if isinstance(result, dict) else {}
        message = str(answer.get("message") or "The logo could not be uploaded.")[:300]
        return rx.toast.success(message) if answer.get("ok") is True else rx.toast.error(message)

    @rx.event
    @signed_in(in_org=True)
    async def remove_logo(self, principal: Principal):
        try:
            await self._act(org_profile.remove_logo, principal, principal.current.org_id)
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._reload(principal)
        return rx.toast.success("Logo removed.")
