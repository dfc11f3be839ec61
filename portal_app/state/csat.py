"""Satisfaction ratings in the page: the rating part of a ticket's page
(`RatingMixin`, mixed into `state.tickets.TicketState`, so the rating
reloads with the ticket when its live key fires) and the staff's support
report (`SupportReportState`).

Handlers resolve the person and call `services/csat.py`, which authorises:
the ticket is the page's own (its route, through `access_ticket`), the
score a string "1".."5" turned into a number here and checked there, the
comment plain text. Nothing else from a payload is taken."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal_app import routes
from portal_app.services import csat, tickets
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_datetime, format_number
from portal_app.services.principal import Principal
from portal_app.state.forms import form_values
from portal_app.state.paging import PagerMixin
from portal_app.state.session import SessionState, busy, field_errors, signed_in

_SCORE_TEXTS = {str(score): score for score in csat.SCORES}


def parse_score(value: object) -> object:
    """The form's "1".."5" as a number; anything else as it came, for the
    service to refuse with its message."""
    return _SCORE_TEXTS.get(value, value) if isinstance(value, str) else value


def rating_fields(view: csat.RatingView | None) -> dict[str, str]:
    """What the page shows of a rating ({} when there is none)."""
    if view is None or view.score is None:
        return {}
    return {"score": str(view.score), "words": csat.SCORES[view.score], "comment": view.comment,
            "by": view.rated_by, "when": format_datetime(view.changed_at or view.rated_at),
            "reopened": "yes" if view.reopened else ""}


class RatingMixin(rx.State, mixin=True):
    """The rating of the ticket a page shows, and the form that gives or
    changes it. The state it is mixed into defines `_number` (the ticket of
    the page) and `_reload` (read the whole page again)."""

    rating: dict[str, str] = {}  # score, words, comment, by, when, reopened ("yes")
    can_rate: bool = False
    rating_errors: dict[str, str] = {}
    rating_error: str = ""
    rating_key: int = 0  # bumped to start the form afresh from the stored rating

    def _show_rating(self, view: csat.RatingView | None) -> None:
        fields = rating_fields(view)
        if fields != self.rating:
            self.rating_key += 1
        self.rating = fields
        self.can_rate = bool(view and view.can_rate)

    @rx.event
    @busy("rate")
    @signed_in()
    async def rate(self, principal: Principal, form: dict):
        data = form_values(form)
        self.rating_errors, self.rating_error = {}, ""
        changing = bool(self.rating)
        try:
            await self._act(csat.do_rate, principal, self._number(), score=parse_score(data.get("score")),
                            comment=data.get("comment"))
        except PortalError as err:
            self.rating_error, self.rating_errors = field_errors(err)
            return None
        await self._reload(principal)
        return rx.toast.success("Your rating was changed." if changing else "Thank you for your rating.")


# ---------------------------------------------------------------- the staff's report

def _duration(minutes: float | None) -> str:
    """A wall-clock duration as people read it: "45 min", "3 h 20 min", "2 d 4 h"."""
    if minutes is None:
        return "No requests yet"
    whole = round(minutes)
    days, rest = divmod(whole, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def _report_page(session: Session, principal: Principal, days: int, page: int, cursor: object) -> tuple:
    """The figures and a page of comments, in one transaction."""
    return csat.report(session, principal, days), csat.comments(session, principal, days, page=page, cursor=cursor)


class SupportReportState(PagerMixin, SessionState):
    """The support report (staff agents): a period's figures and comments."""

    period: str = str(csat.DEFAULT_PERIOD)  # "7", "30" or "90" days
    figures: dict[str, str] = {}
    distribution: list[dict[str, str]] = []  # score, words, count, percent
    comments: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""

    async def _fetch(self):
        principal = await self._principal()
        if principal is None or principal.staff_role not in tickets.AGENT_ROLES:
            return rx.redirect(routes.DASHBOARD)
        self.error = ""
        try:
            report, page = await self._read(_report_page, principal, int(self.period), self.page, self._cursor)
        except PortalError as err:  # e.g. staff who have not set up two-step verification yet
            self._lose_page()
            self.error = err.message
            self.loaded = True
            return None
        self._show_page(page)
        average = f"{format_number(round(report.average, 1))} out of 5" if report.average is not None else "No ratings"
        self.figures = {"raised": format_number(report.raised), "solved": format_number(report.solved),
                        "first_response": _duration(report.first_response_minutes),
                        "resolution": _duration(report.resolution_minutes),
                        "average": average, "ratings": format_number(report.ratings),
                        "since": format_datetime(report.since)}
        top = max(report.distribution.values()) or 1
        self.distribution = [{"score": str(score), "words": csat.SCORES[score], "count": format_number(n),
                              "percent": f"{round(100 * n / top)}%"}
                             for score, n in sorted(report.distribution.items(), reverse=True)]
        self.comments = [{"label": tickets.label(r.number), "href": routes.ticket_path(r.number), "subject": r.subject,
                          "org": r.org, "score": str(r.score), "comment": r.comment, "by": r.rated_by,
                          "when": format_datetime(r.changed_at)} for r in page.rows]
        self.loaded = True
        return None

    @rx.event
    async def load(self):
        self.period, self.page, self.loaded = str(csat.DEFAULT_PERIOD), 1, False
        return await self._fetch()

    @rx.event
    async def set_period(self, period: str):
        """Only a period the page offers; anything else shows the default."""
        self.period = period if isinstance(period, str) and period in {str(p) for p in csat.PERIODS} else str(
            csat.DEFAULT_PERIOD)
        self.page, self._cursor = 1, None
        return await self._fetch()
