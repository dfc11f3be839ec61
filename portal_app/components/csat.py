"""Satisfaction ratings: the part of a ticket's page that shows the rating
and offers the form (1 to 5, an optional comment), the badge on the agent
console's rows, and the staff's support report. Comments are plain text:
shown with `rx.text` (React escapes it), never as HTML or Markdown."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import (
    LABEL_STYLE, SELECT_STYLE, TEXTAREA_STYLE, field_message, form_error, submit_button,
)
from portal_app.components.pagination import pager
from portal_app.services import csat
from portal_app.state.csat import SupportReportState
from portal_app.state.tickets import TicketState

COMMENT_STYLE = {"white-space": "pre-wrap", "overflow-wrap": "anywhere"}


def rating_badge(score) -> rx.Component:  # noqa: ANN001 — a Var holding "1".."5"
    return rx.badge("Rated ", score, " of 5", color_scheme="violet", variant="soft", high_contrast=True)


# ---------------------------------------------------------------- the ticket page

def _shown() -> rx.Component:
    r = TicketState.rating
    return rx.vstack(
        rx.hstack(
            rating_badge(r["score"]),
            rx.text(r["words"], weight="medium", size="2"),
            rx.cond(r["reopened"] == "yes", rx.badge("Given before the request was reopened", color_scheme="amber",
                                                     variant="soft", high_contrast=True)),
            align="center", wrap="wrap", spacing="2",
        ),
        rx.cond(r["comment"] != "", rx.text(r["comment"], size="2", style=COMMENT_STYLE)),
        rx.text("By ", r["by"], " on ", r["when"], size="1", color_scheme="gray", high_contrast=True),
        spacing="2", width="100%",
    )


def _score_choice(score: int, words: str) -> rx.Component:
    choice_id = f"rating-score-{score}"
    return rx.el.label(
        rx.el.input(type="radio", name="score", value=str(score), id=choice_id, required=True,
                    default_checked=TicketState.rating["score"] == str(score),
                    aria_describedby="rating-score-help"),
        f"{score} · {words}",
        html_for=choice_id,
        style={"display": "flex", "gap": "0.4em", "align-items": "center", "padding": "0.25em 0.5em",
               "border": "1px solid var(--gray-a6)", "border-radius": "var(--radius-2)", "cursor": "pointer"},
    )


def _form() -> rx.Component:
    comment_error = TicketState.rating_errors["comment"].to(str)
    changing = TicketState.rating.length() > 0
    return rx.form(
        rx.vstack(
            form_error(TicketState.rating_error),
            rx.el.fieldset(
                rx.el.legend("How satisfied are you with how we handled this request?", style=LABEL_STYLE),
                rx.flex(*[_score_choice(score, words) for score, words in csat.SCORES.items()], spacing="2",
                        wrap="wrap", margin_top="0.4em"),
                field_message(TicketState.rating_errors, "score", "rating-score",
                              "1 is very dissatisfied, 5 very satisfied"),
                style={"border": "none", "padding": "0", "margin": "0", "min-width": "0"},
            ),
            rx.vstack(
                rx.el.label("Comment (optional)", html_for="rating-comment", style=LABEL_STYLE),
                rx.text_area(id="rating-comment", name="comment", rows="3", max_length=csat.COMMENT_MAX, size="3",
                             default_value=TicketState.rating["comment"].to(str),
                             aria_invalid=rx.cond(comment_error, "true", "false"),
                             aria_describedby="rating-comment-help", style={**TEXTAREA_STYLE, "min-height": "5em"}),
                field_message(TicketState.rating_errors, "comment", "rating-comment",
                              f"What went well, what could be better; at most {csat.COMMENT_MAX:,} characters"),
                spacing="1", width="100%",
            ),
            rx.box(rx.cond(changing, submit_button("Change rating", "rate"), submit_button("Send rating", "rate")),
                   width="min(14em, 100%)"),
            spacing="3", width="100%",
        ),
        on_submit=TicketState.rate,
        key=TicketState.rating_key,
        aria_label="Satisfaction rating",
        width="100%",
    )


def rating_panel() -> rx.Component:
    """The rating of the request, when it has one, and the form, when the
    person may give or change it (customers, once it is solved)."""
    has = TicketState.rating.length() > 0
    return rx.cond(
        has | TicketState.can_rate,
        rx.card(rx.vstack(
            rx.heading("Satisfaction rating", size="4", as_="h2"),
            rx.cond(has, _shown()),
            rx.cond(TicketState.can_rate, _form()),
            spacing="3", width="100%",
        ), width="100%", role="region", aria_label="Satisfaction rating"),
    )


# ---------------------------------------------------------------- the staff's report

def _figure(label: str, key: str) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(label, size="2", color_scheme="gray", high_contrast=True),
        rx.text(SupportReportState.figures[key], size="6", weight="bold"),
        spacing="1",
    ))


def _period() -> rx.Component:
    return rx.vstack(
        rx.el.label("Period", html_for="report-period", style=LABEL_STYLE),
        rx.el.select(*[rx.el.option(f"Last {days} days", value=str(days)) for days in csat.PERIODS],
                     id="report-period", value=SupportReportState.period, on_change=SupportReportState.set_period,
                     style={**SELECT_STYLE, "width": "min(14em, 100%)"}),
        spacing="1",
    )


def _bar(row) -> rx.Component:  # noqa: ANN001 — a Var of one distribution row
    return rx.el.li(
        rx.flex(
            rx.text(row["score"], " · ", row["words"], size="2", min_width="11em"),
            rx.box(rx.box(height="0.75em", width=row["percent"], background="var(--accent-9)",
                          border_radius="var(--radius-1)"),
                   flex="1", min_width="4em", background="var(--gray-a3)", border_radius="var(--radius-1)",
                   aria_hidden="true"),
            rx.text(row["count"], size="2", weight="medium", min_width="2.5em", text_align="right"),
            spacing="3", align="center", wrap="wrap", width="100%",
        ),
        style={"list-style": "none", "padding": "0.2em 0"},
    )


def _comment(row) -> rx.Component:  # noqa: ANN001 — a Var of one comment row
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.link(row["label"], " · ", row["subject"], href=row["href"], weight="medium", high_contrast=True,
                        style={"overflow-wrap": "anywhere"}),
                rx.spacer(),
                rating_badge(row["score"]),
                width="100%", align="start", wrap="wrap", spacing="2",
            ),
            rx.text(row["comment"], size="2", style=COMMENT_STYLE),
            rx.text(row["by"], " of ", row["org"], " · ", row["when"], size="1", color_scheme="gray",
                    high_contrast=True),
            spacing="1", width="100%",
        ),
        style={"padding": "0.75em 0", "border-bottom": "1px solid var(--gray-a4)", "list-style": "none"},
    )


def support_report_page() -> rx.Component:
    s = SupportReportState
    return rx.vstack(
        rx.heading("Support report", size="7", as_="h1"),
        rx.text("Requests, response times and satisfaction over a period. Times are wall-clock, from when a request "
                "was raised (not business hours); solved means resolved or closed, merged duplicates left out; "
                "ratings count by when they were last given.", size="2", color_scheme="gray", high_contrast=True),
        _period(),
        form_error(s.error),
        rx.cond(
            s.loaded,
            rx.vstack(
                rx.grid(
                    _figure("Requests raised", "raised"),
                    _figure("Requests solved", "solved"),
                    _figure("Median first response", "first_response"),
                    _figure("Median time to solve", "resolution"),
                    _figure("Average rating", "average"),
                    _figure("Ratings", "ratings"),
                    columns=rx.breakpoints(initial="1", xs="2", md="3"), spacing="3", width="100%",
                ),
                rx.heading("Ratings from 1 to 5", size="4", as_="h2"),
                rx.el.ul(rx.foreach(s.distribution, _bar), aria_label="Ratings from 1 to 5",
                         style={"padding": "0", "margin": "0", "width": "100%"}),
                rx.heading("Latest comments", size="4", as_="h2"),
                rx.cond(
                    s.total > 0,
                    rx.vstack(
                        rx.el.ul(rx.foreach(s.comments, _comment), aria_label="Latest comments",
                                 style={"padding": "0", "margin": "0", "width": "100%"}),
                        rx.cond(s.pages > 1, pager(s.page, s.pages, s.position, s.go_to)),
                        spacing="3", width="100%",
                    ),
                    rx.text("No rating came with a comment in this period.", color_scheme="gray", high_contrast=True),
                ),
                spacing="4", width="100%",
            ),
            rx.skeleton(rx.box(height="10em", width="100%")),
        ),
        spacing="4", width="100%",
    )
