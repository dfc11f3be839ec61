"""The members and invitations sections of the organisation page."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import confirm_dialog, form_error, select_field, submit_button, text_field
from portal_app.services.principal import ROLES
from portal_app.state.members import MembersState


def _confirm(trigger_label: str, title: str, description, action_label: str, on_confirm,
             aria_label) -> rx.Component:
    trigger = rx.button(trigger_label, size="1", variant="soft", color_scheme="red", aria_label=aria_label)
    return confirm_dialog(trigger, title=title, description=description, action_label=action_label,
                          on_confirm=on_confirm)


def _member_row(row: rx.Var) -> rx.Component:
    manage = rx.hstack(
        rx.select.root(
            rx.select.trigger(aria_label="Role of " + row["name"]),
            rx.select.content(*[rx.select.item(role, value=role) for role in ROLES]),
            value=row["role"], size="1",
            on_change=lambda role: MembersState.set_role(row["id"], role),
        ),
        _confirm("Remove", "Remove this member?",
                 rx.text(row["name"], " will lose access to this organisation."),
                 "Remove", MembersState.remove(row["id"]), "Remove " + row["name"]),
        spacing="2", align="center",
    )
    leave = rx.cond(
        MembersState.sole_owner,
        # Leaving would be refused (an organisation keeps an owner): say what to do instead.
        rx.text("You are the only owner: make someone else owner first, then you can leave.",
                size="1", color_scheme="gray", max_width="18em"),
        _confirm("Leave", "Leave this organisation?", "You will lose access until someone invites you again.",
                 "Leave", MembersState.remove(row["id"]), "Leave the organisation"),
    )
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.text(row["name"], weight="medium"),
                      rx.cond(row["me"] == "yes", rx.badge("You", color_scheme="gray")),
                      rx.cond(row["mfa"] == "yes", rx.badge("2-step on", color_scheme="green")),
                      spacing="2", align="center", wrap="wrap"),
            rx.text(row["email"], size="2", color_scheme="gray"),
            spacing="0", align="start", min_width="0",
        ),
        rx.spacer(),
        rx.cond(MembersState.can_manage & (row["me"] != "yes"), manage,
                rx.hstack(rx.badge(row["role"]), rx.cond(row["me"] == "yes", leave), spacing="2")),
        width="100%", align="center", wrap="wrap", role="listitem", aria_label=row["name"],
        padding_y="0.5em", border_bottom="1px solid var(--gray-a4)",
    )


def _invite_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Invite someone", size="3", as_="h3"),
            form_error(MembersState.error),
            rx.flex(
                rx.box(text_field("Email address", "email", MembersState.errors, type="email",
                                  field_id="invite-email", max_length=254), flex="1", min_width="14em"),
                select_field("Role", "role", [(role, role) for role in ROLES], field_id="invite-role",
                             default="member"),
                gap="1em", wrap="wrap", width="100%", align="start",
            ),
            rx.box(submit_button("Send invitation", "invite"), width="12em"),
            spacing="3", width="100%",
        ),
        on_submit=MembersState.invite,
        key=MembersState.form_key,
        aria_label="Invite someone",
        width="100%",
    )


def _invitation_row(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(row["email"], weight="medium", style={"overflow-wrap": "anywhere"}),
                  rx.text(row["role"], " · expires ", row["expires"], size="2", color_scheme="gray"),
                  spacing="0", align="start", min_width="0"),
        rx.spacer(),
        rx.button("Withdraw", size="1", variant="soft", color_scheme="gray", flex_shrink="0",
                  aria_label="Withdraw the invitation to " + row["email"],
                  on_click=MembersState.withdraw(row["id"])),
        width="100%", align="center", role="listitem", padding_y="0.5em",
    )


def invitations_card() -> rx.Component:
    """Inviting, and the pending invitations: for those who manage members."""
    return rx.card(
        rx.vstack(
            _invite_form(),
            rx.heading("Pending invitations", size="3", as_="h3"),
            rx.cond(MembersState.invitations.length() > 0,
                    rx.vstack(rx.foreach(MembersState.invitations, _invitation_row), spacing="0",
                              width="100%", role="list", aria_label="Pending invitations"),
                    rx.text("No pending invitations.", color_scheme="gray", size="2")),
            spacing="4", width="100%",
        ),
        width="100%",
    )


def members_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Members", size="4", as_="h2"),
            rx.vstack(rx.foreach(MembersState.members, _member_row), spacing="0", width="100%",
                      role="list", aria_label="Members"),
            spacing="3", width="100%",
        ),
        width="100%",
    )
