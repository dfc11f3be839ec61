"""What every page of the customer's own organisation does first (billing,
catalogue, my services): nobody goes to sign in, staff go to the back
office's page of the same thing, and a person in no organisation is told so."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services.principal import Principal

NO_ORGANISATION = "You are not a member of an organisation."


class CustomerPageMixin(rx.State, mixin=True):
    """Mixed into such a page's state (before SessionState)."""

    loaded: bool = False
    refused: str = ""  # why the page shows nothing (no organisation, or a role that does not see it)

    async def _customer(self, staff_page: str) -> tuple[Principal | None, object]:
        """(the person, None) for a customer working in an organisation;
        otherwise (None, what the handler returns)."""
        principal = await self._principal()
        if principal is None:
            return None, rx.redirect(routes.SIGN_IN)
        if principal.is_staff:
            return None, rx.redirect(staff_page)
        if principal.current is None:
            self.refused, self.loaded = NO_ORGANISATION, True
            return None, None
        self.refused = ""
        return principal, None
