"""The back office's organisation chooser: a search box that narrows the
select under it (state: `state/org_finder.py`)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import LABEL_STYLE, SELECT_STYLE, field_message


def org_chooser(state, *, field_id: str, name: str, default="", required: bool = True,  # noqa: ANN001
                errors=None) -> rx.Component:  # noqa: ANN001
    """"Find an organisation" (words of its name) above the "Organisation"
    select the form sends as `name`."""
    search_id = f"{field_id}-search"
    return rx.vstack(
        rx.el.label("Find an organisation", html_for=search_id, style=LABEL_STYLE),
        rx.input(id=search_id, type="search", size="2", max_length=100, aria_describedby=f"{search_id}-help",
                 on_change=state.find_org.debounce(300)),
        rx.text(rx.cond(state.more_orgs, "Showing the first matches: type more of the name to narrow them.",
                        "Words of its name narrow the list below."),
                id=f"{search_id}-help", size="1", color_scheme="gray", high_contrast=True),
        rx.el.label("Organisation", html_for=field_id, style=LABEL_STYLE),
        rx.el.select(rx.el.option("Choose…", value=""),
                     rx.foreach(state.orgs, lambda o: rx.el.option(o[1], value=o[0])),
                     id=field_id, name=name, default_value=default, required=required,
                     aria_describedby=f"{field_id}-help", style={**SELECT_STYLE, "width": "100%"}),
        field_message(errors, name, field_id) if errors is not None else rx.fragment(),
        spacing="1", width="100%", max_width="28em", min_width="0")
