"""The organisation page (members, invitations) and the invitation page."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import (PASSWORD_HINT, card, confirm_dialog, form_error, link_button, select_field,
                                         submit_button, text_field)
from portal_app.components.layout import portal_page
from portal_app.services.principal import ROLES
from portal_app.state.invitation import InvitationState
from portal_app.state.organization import LOGO_INPUT_ID, OrganizationState


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
            on_change=lambda role: OrganizationState.set_role(row["id"], role),
        ),
        _confirm("Remove", "Remove this member?",
                 rx.text(row["name"], " will lose access to this organisation."),
                 "Remove", OrganizationState.remove(row["id"]), "Remove " + row["name"]),
        spacing="2", align="center",
    )
    leave = rx.cond(
        OrganizationState.sole_owner,
        # Leaving would be refused (an organisation keeps an owner): say what to do instead.
        rx.text("You are the only owner: make someone else owner first, then you can leave.",
                size="1", color_scheme="gray", max_width="18em"),
        _confirm("Leave", "Leave this organisation?", "You will lose access until someone invites you again.",
                 "Leave", OrganizationState.remove(row["id"]), "Leave the organisation"),
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
        rx.cond(OrganizationState.can_manage & (row["me"] != "yes"), manage,
                rx.hstack(rx.badge(row["role"]), rx.cond(row["me"] == "yes", leave), spacing="2")),
        width="100%", align="center", wrap="wrap", role="listitem", aria_label=row["name"],
        padding_y="0.5em", border_bottom="1px solid var(--gray-a4)",
    )


def _invite_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Invite someone", size="3", as_="h3"),
            form_error(OrganizationState.error),
            rx.flex(
                rx.box(text_field("Email address", "email", OrganizationState.errors, type="email",
                                  field_id="invite-email", max_length=254), flex="1", min_width="14em"),
                select_field("Role", "role", [(role, role) for role in ROLES], field_id="invite-role",
                             default="member"),
                gap="1em", wrap="wrap", width="100%", align="start",
            ),
            rx.box(submit_button("Send invitation", "invite"), width="12em"),
            spacing="3", width="100%",
        ),
        on_submit=OrganizationState.invite,
        key=OrganizationState.form_key,
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
                  on_click=OrganizationState.withdraw(row["id"])),
        width="100%", align="center", role="listitem", padding_y="0.5em",
    )


def _invitations() -> rx.Component:
    return rx.card(
        rx.vstack(
            _invite_form(),
            rx.heading("Pending invitations", size="3", as_="h3"),
            rx.cond(OrganizationState.invitations.length() > 0,
                    rx.vstack(rx.foreach(OrganizationState.invitations, _invitation_row), spacing="0",
                              width="100%", role="list", aria_label="Pending invitations"),
                    rx.text("No pending invitations.", color_scheme="gray", size="2")),
            spacing="4", width="100%",
        ),
        width="100%",
    )


def _profile_field(label: str, name: str, **kwargs) -> rx.Component:
    return text_field(label, name, OrganizationState.profile_errors, field_id=f"profile-{name}",
                      default_value=OrganizationState.profile[name].to(str), **kwargs)


def _profile_form() -> rx.Component:
    p = OrganizationState.profile
    return rx.form(
        rx.vstack(
            _profile_field("Name", "name", max_length=200),
            _profile_field("Legal name", "legal_name", max_length=200, required=False),
            rx.vstack(
                rx.el.label("Address", html_for="profile-address", style={"font-weight": "500", "font-size": "0.9em"}),
                rx.text_area(id="profile-address", name="address", rows="3", max_length=1000, width="100%",
                             default_value=p["address"]),
                rx.cond(OrganizationState.profile_errors["address"].to(str),
                        rx.text(OrganizationState.profile_errors["address"].to(str), color_scheme="red", size="2",
                                role="alert")),
                spacing="1", width="100%",
            ),
            _profile_field("VAT or tax id", "tax_id", max_length=50, required=False),
            _profile_field("Billing email", "billing_email", type="email", max_length=254, required=False),
            rx.box(submit_button("Save profile", "save_org_profile"), width="12em"),
            spacing="3", width="100%",
        ),
        on_submit=OrganizationState.save_profile,
        key=OrganizationState.profile_key,
        aria_label="Organisation profile",
        width="100%",
    )


def _profile_facts() -> rx.Component:
    p = OrganizationState.profile
    return rx.data_list.root(
        *[rx.data_list.item(rx.data_list.label(label), rx.data_list.value(p[key]))
          for label, key in (("Legal name", "legal_name"), ("Address", "address"), ("VAT or tax id", "tax_id"),
                             ("Billing email", "billing_email"))],
        orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
    )


def _logo() -> rx.Component:
    upload = rx.vstack(
        rx.el.label("Logo file (PNG or JPEG, at most 1 MB)", html_for=LOGO_INPUT_ID,
                    style={"font-weight": "500", "font-size": "0.9em"}),
        rx.el.input(id=LOGO_INPUT_ID, type="file", accept="image/png,image/jpeg",
                    style={"max-width": "100%", "font-size": "0.9em"}),
        rx.hstack(
            rx.button("Upload logo", on_click=OrganizationState.upload_logo,
                      loading=OrganizationState.busy == "upload_logo"),
            rx.cond(OrganizationState.logo_url != "",
                    rx.button("Remove logo", variant="soft", color_scheme="red", on_click=OrganizationState.remove_logo,
                              loading=OrganizationState.busy == "remove_logo")),
            spacing="2", wrap="wrap",
        ),
        spacing="2", width="100%", max_width="24em",
    )
    return rx.vstack(
        rx.heading("Logo", size="3", as_="h3"),
        rx.cond(OrganizationState.logo_url != "",
                rx.image(src=OrganizationState.logo_url, alt="Organisation logo", max_height="4em", max_width="12em"),
                rx.text("No logo yet.", size="2", color_scheme="gray")),
        rx.cond(OrganizationState.can_edit_profile, upload),
        spacing="2", width="100%",
    )


def _profile_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Profile", size="4", as_="h2"),
            rx.cond(OrganizationState.can_edit_profile, _profile_form(), _profile_facts()),
            _logo(),
            spacing="4", width="100%",
        ),
        width="100%",
    )


@portal_page(route=routes.ORGANIZATION, title="Organisation", on_load=OrganizationState.load, private=True)
def organization() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.heading(OrganizationState.org_name, size="7", as_="h1"), rx.spacer(),
                  rx.cond(OrganizationState.can_manage, rx.link("Audit log", href=routes.ORGANIZATION_AUDIT)),
                  width="100%", align="center", wrap="wrap"),
        _profile_card(),
        rx.card(
            rx.vstack(
                rx.heading("Members", size="4", as_="h2"),
                rx.vstack(rx.foreach(OrganizationState.members, _member_row), spacing="0", width="100%",
                          role="list", aria_label="Members"),
                spacing="3", width="100%",
            ),
            width="100%",
        ),
        rx.cond(OrganizationState.can_manage, _invitations()),
        spacing="4", width="100%",
    )


def _new_account_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Create your account to join. Your email address: ",
                    rx.text.strong(InvitationState.invited_email)),
            text_field("Your name", "name", InvitationState.errors, autocomplete="name", max_length=200),
            text_field("Password", "password", InvitationState.errors, type="password",
                       autocomplete="new-password", hint=PASSWORD_HINT),
            submit_button("Create account and join", "accept_new_account"),
            spacing="3", width="100%",
        ),
        on_submit=InvitationState.create_account,
        aria_label="Create an account and join",
        width="100%",
    )


def _signed_in_choice() -> rx.Component:
    return rx.cond(
        InvitationState.user_email == InvitationState.invited_email,
        rx.button("Accept and join", size="3", on_click=InvitationState.accept),
        rx.vstack(
            rx.text("This invitation is for ", rx.text.strong(InvitationState.invited_email),
                    ", but you are signed in as ", rx.text.strong(InvitationState.user_email), "."),
            rx.button("Sign out", variant="soft", on_click=InvitationState.sign_out),
            spacing="2",
        ),
    )


@portal_page(route=routes.ACCEPT_INVITATION, title="Invitation", on_load=InvitationState.load)
def accept_invitation() -> rx.Component:
    return card(
        form_error(InvitationState.error),
        rx.cond(
            InvitationState.valid,
            rx.vstack(
                rx.text("You are invited to join ", rx.text.strong(InvitationState.invited_org), " as ",
                        rx.text.strong(InvitationState.invited_role), "."),
                rx.cond(
                    InvitationState.signed_in,
                    _signed_in_choice(),
                    rx.cond(InvitationState.has_account,
                            link_button("Sign in to accept", InvitationState.sign_in_href),
                            _new_account_form()),
                ),
                spacing="4", width="100%",
            ),
            rx.cond(InvitationState.checked, rx.link("Go to sign in", href=routes.SIGN_IN),
                    rx.text("Checking your invitation…")),
        ),
        heading="Invitation",
    )
