"""Choosing an organisation in the back office (a draft invoice, a price
list, a new subscription): a select of the first names, narrowed as staff
type words of a name (`invoice_lists.staff_orgs`, staff only)."""

from __future__ import annotations

import reflex as rx

from portal_app.services import invoice_lists
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.state.session import signed_in


class OrgFinderMixin(rx.State, mixin=True):
    """Mixed into a staff page's state; `_list_orgs` fills the select on load."""

    orgs: list[list[str]] = []  # [id, name]
    more_orgs: bool = False  # the select shows the first invoice_lists.ORG_CHOICES: type to narrow it

    async def _list_orgs(self, principal: Principal, words: object = "") -> None:
        try:
            found, self.more_orgs = await self._read(invoice_lists.staff_orgs, principal, words)
        except PortalError:  # not staff, or words that are not a name
            self.orgs, self.more_orgs = [], False
            return
        self.orgs = [[str(org_id), name] for org_id, name in found]

    @rx.event
    @signed_in()
    async def find_org(self, principal: Principal, words: str):
        """Narrow the organisation select to names containing `words`."""
        await self._list_orgs(principal, words)
