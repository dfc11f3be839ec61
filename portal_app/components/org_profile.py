"""The profile and logo section of the organisation page."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import submit_button, text_field
from portal_app.state.org_profile import LOGO_INPUT_ID, OrgProfileState


def _profile_field(label: str, name: str, **kwargs) -> rx.Component:
    return text_field(label, name, OrgProfileState.profile_errors, field_id=f"profile-{name}",
                      default_value=OrgProfileState.profile[name].to(str), **kwargs)


def _profile_form() -> rx.Component:
    p = OrgProfileState.profile
    return rx.form(
        rx.vstack(
            _profile_field("Name", "name", max_length=200),
            _profile_field("Legal name", "legal_name", max_length=200, required=False),
            rx.vstack(
                rx.el.label("Address", html_for="profile-address", style={"font-weight": "500", "font-size": "0.9em"}),
                rx.text_area(id="profile-address", name="address", rows="3", max_length=1000, width="100%",
                             default_value=p["address"]),
                rx.cond(OrgProfileState.profile_errors["address"].to(str),
                        rx.text(OrgProfileState.profile_errors["address"].to(str), color_scheme="red", size="2",
                                role="alert")),
                spacing="1", width="100%",
            ),
            _profile_field("VAT or tax id", "tax_id", max_length=50, required=False),
            _profile_field("Billing email", "billing_email", type="email", max_length=254, required=False),
            rx.box(submit_button("Save profile", "save_org_profile"), width="12em"),
            spacing="3", width="100%",
        ),
        on_submit=OrgProfileState.save_profile,
        key=OrgProfileState.profile_key,
        aria_label="Organisation profile",
        width="100%",
    )


def _profile_facts() -> rx.Component:
    p = OrgProfileState.profile
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
            rx.button("Upload logo", on_click=OrgProfileState.upload_logo,
                      loading=OrgProfileState.busy == "upload_logo"),
            rx.cond(OrgProfileState.logo_url != "",
                    rx.button("Remove logo", variant="soft", color_scheme="red", on_click=OrgProfileState.remove_logo,
                              loading=OrgProfileState.busy == "remove_logo")),
            spacing="2", wrap="wrap",
        ),
        spacing="2", width="100%", max_width="24em",
    )
    return rx.vstack(
        rx.heading("Logo", size="3", as_="h3"),
        rx.cond(OrgProfileState.logo_url != "",
                rx.image(src=OrgProfileState.logo_url, alt="Organisation logo", max_height="4em", max_width="12em"),
                rx.text("No logo yet.", size="2", color_scheme="gray")),
        rx.cond(OrgProfileState.can_edit_profile, upload),
        spacing="2", width="100%",
    )


def profile_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Profile", size="4", as_="h2"),
            rx.cond(OrgProfileState.can_edit_profile, _profile_form(), _profile_facts()),
            _logo(),
            spacing="4", width="100%",
        ),
        width="100%",
    )
