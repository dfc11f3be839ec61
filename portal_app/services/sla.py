"""Service levels for support requests: business-time arithmetic, the clocks
on each ticket, the at-risk and breached flags, and the staff admins'
settings (targets per priority, opening hours, holidays).

Business time: the team's opening hours per weekday, minus holidays, in the
instance's one time zone (`PORTAL_TIMEZONE`). `add_business` and
`business_minutes` are pure functions of a `Calendar`; they walk day by day
and build each day's opening window from the local date and time, so a day
on which the clocks change (DST) still opens at 09:00 local time.

The clocks (one policy per priority, optionally per organisation): when a
ticket is raised, the first-response and resolution clocks start. They run
only while the ticket is "open" (with us): waiting on the customer pauses
them, resolving or closing stops them, and going back to open resumes them
with the business time that was left. The first public staff reply meets
the first response; resolving meets the resolution. A priority or category
change recomputes the due times from the (new) policy with the time already
used. `services/tickets.py` calls in at the few places where a status,
priority or category changes; nothing else there knows about SLAs.

The periodic job (`flag_due`) flags tickets that are at risk (less than
`PORTAL_SLA_AT_RISK_PERCENT` of a target left) and breached (past due),
each once per ticket, claimed by a conditional UPDATE so two runs at once
notify once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from sqlalchemy import and_, or_, update
from sqlmodel import Session, select

from portal_app import routes
from portal_app.models import BusinessHours, Holiday, Organization, SlaPolicy, Ticket, User
from portal_app.models.base import utcnow
from portal_app.services import audit, live, notifications
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.formatting import current_zone, format_date, format_due
from portal_app.services.mail import public_link, queue_mail
from portal_app.services.principal import Principal
from portal_app.settings import get_settings

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PRIORITY_ORDER = ("urgent", "high", "normal", "low")  # services/tickets.py PRIORITIES, most pressing first
DAY_MINUTES = 24 * 60
MAX_TARGET_MINUTES = 60 * DAY_MINUTES  # sixty whole days of business time is more than any promise
MAX_DAYS = 3 * 366  # how far the arithmetic walks before it gives up (a calendar with no open day)
HOLIDAY_NAME_MAX = 80
# Targets when no policy row exists (the migration writes these as the defaults too):
# an 8.5-hour business day (09:00–17:30).
FALLBACK: dict[str, tuple[int, int]] = {"urgent": (60, 240), "high": (240, 510), "normal": (510, 1530),
                                        "low": (1020, 2550)}


# ---------------------------------------------------------------- business time (pure)

@dataclass(frozen=True)
class Calendar:
    """Opening hours per weekday (0 Monday: (opens, closes) in minutes after
    local midnight, or None when closed), holidays, and the zone."""

    hours: tuple[tuple[int, int] | None, ...]
    holidays: frozenset[date] = frozenset()
    zone: tzinfo = timezone.utc

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening hours as UTC instants, or None when closed."""
        hours = self.hours[day.weekday()]
        if hours is None or day in self.holidays or hours[0] >= hours[1]:
            return None
        opens, closes = (datetime.combine(day, _clock(m), tzinfo=self.zone) for m in hours)
        return opens.astimezone(timezone.utc), closes.astimezone(timezone.utc)

    @property
    def ever_open(self) -> bool:
        return any(h is not None and h[0] < h[1] for h in self.hours)


def _clock(minute: int) -> time:
    return time(23, 59, 59, 999999) if minute >= DAY_MINUTES else time(minute // 60, minute % 60)


def _local_day(instant: datetime, zone: tzinfo) -> date:
    return _aware(instant).astimezone(zone).date()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def add_business(start: datetime, minutes: float, calendar: Calendar) -> datetime:
    """The instant `minutes` of business time after `start` (before it when
    negative; 0: `start` itself). Raises ValueError when the calendar never opens."""
    start = _aware(start).astimezone(timezone.utc)
    if minutes == 0:
        return start
    if not calendar.ever_open:
        raise ValueError("the business calendar has no opening hours")
    if minutes < 0:
        return _back(start, timedelta(minutes=-minutes), calendar)
    left = timedelta(minutes=minutes)
    day = _local_day(start, calendar.zone) - timedelta(days=1)  # a window may start the local day before
    for _ in range(MAX_DAYS):
        window = calendar.window(day)
        day += timedelta(days=1)
        if window is None or window[1] <= start:
            continue
        begin = max(window[0], start)
        if begin + left <= window[1]:
            return begin + left
        left -= window[1] - begin
    raise ValueError("no business time left within three years (are there holidays every day?)")


def _back(start: datetime, left: timedelta, calendar: Calendar) -> datetime:
    day = _local_day(start, calendar.zone) + timedelta(days=1)
    for _ in range(MAX_DAYS):
        window = calendar.window(day)
        day -= timedelta(days=1)
        if window is None or window[0] >= start:
            continue
        end = min(window[1], start)
        if end - left >= window[0]:
            return end - left
        left -= end - window[0]
    raise ValueError("no business time left within three years (are there holidays every day?)")


def business_minutes(start: datetime, end: datetime, calendar: Calendar) -> float:
    """Business minutes between two instants (negative when `end` is before `start`)."""
    start, end = _aware(start).astimezone(timezone.utc), _aware(end).astimezone(timezone.utc)
    if end < start:
        return -business_minutes(end, start, calendar)
    total = timedelta()
    day, last = _local_day(start, calendar.zone) - timedelta(days=1), _local_day(end, calendar.zone)
    while day <= last:
        window = calendar.window(day)
        day += timedelta(days=1)
        if window is not None:
            overlap = min(window[1], end) - max(window[0], start)
            if overlap > timedelta():
                total += overlap
    return total.total_seconds() / 60


# ---------------------------------------------------------------- the settings, read

def calendar(session: Session) -> Calendar:
    """The instance's business calendar (two small reads)."""
    rows = {h.weekday: h for h in session.exec(select(BusinessHours)).all()}
    hours = tuple((rows[d].opens_minute, rows[d].closes_minute)
                  if d in rows and rows[d].opens_minute is not None and rows[d].closes_minute is not None
                  else None for d in range(7))
    if not rows:  # a database without the migration's rows: Monday to Friday, 09:00–17:30
        hours = ((540, 1050),) * 5 + (None, None)
    days = frozenset(session.exec(select(Holiday.day)).all())
    return Calendar(hours, days, current_zone())


def targets(session: Session, org_id: int, priority: str) -> tuple[int, int]:
    """(first response, resolution) in business minutes for a ticket of
    this organisation and priority: the organisation's policy, else the default."""
    rows = session.exec(select(SlaPolicy).where(SlaPolicy.priority == priority,
                                                or_(SlaPolicy.org_id == org_id, SlaPolicy.org_id.is_(None)))).all()
    chosen = next((r for r in rows if r.org_id == org_id), None) or next((r for r in rows if r.org_id is None), None)
    if chosen is None:
        return FALLBACK.get(priority, FALLBACK["normal"])
    return chosen.first_response_minutes, chosen.resolution_minutes


def at_risk_share() -> float:
    return min(max(get_settings().sla_at_risk_percent, 0), 100) / 100


# ---------------------------------------------------------------- the clocks on a ticket

def _running(ticket: Ticket) -> bool:
    return ticket.sla_running_since is not None


def _run(session: Session, ticket: Ticket, now: datetime, cal: Calendar | None = None) -> None:
    """Start a running stretch now: due times from the policy minus what was used."""
    cal = cal or calendar(session)
    first, resolution = targets(session, ticket.org_id, ticket.priority)
    share, used = at_risk_share(), ticket.sla_used_minutes
    ticket.sla_running_since = now
    pending = [(resolution, "resolution")] + ([(first, "first")] if ticket.first_responded_at is None else [])
    warn: list[datetime] = []
    for target, which in pending:
        left = target - used  # negative: already overdue, and the due time stays in the past
        due = add_business(now, left, cal)
        if which == "first":
            ticket.first_response_due_at = due
        else:
            ticket.resolution_due_at = due
        warn.append(add_business(now, max(left - share * target, 0), cal))
    if ticket.first_responded_at is not None:
        ticket.first_response_due_at = None
    ticket.sla_at_risk_at = min(warn)


def _stop(session: Session, ticket: Ticket, now: datetime, cal: Calendar | None = None) -> None:
    """End the running stretch: count its business time as used; no due times while stopped."""
    if not _running(ticket):
        return
    cal = cal or calendar(session)
    ticket.sla_used_minutes += max(round(business_minutes(ticket.sla_running_since, now, cal)), 0)
    ticket.sla_running_since = None
    ticket.first_response_due_at = ticket.resolution_due_at = ticket.sla_at_risk_at = None


def _missed(ticket: Ticket, due: datetime | None, now: datetime) -> None:
    if due is not None and now > due and ticket.sla_breached_at is None:
        ticket.sla_breached_at = due


def start(session: Session, ticket: Ticket, now: datetime) -> None:
    """A new ticket: both clocks start now."""
    ticket.sla_used_minutes, ticket.first_responded_at = 0, None
    _run(session, ticket, now)


def status_changed(session: Session, ticket: Ticket, now: datetime) -> None:
    """The ticket's status is now `ticket.status`: the clocks run while it is
    open, pause while it waits on the customer, stop when resolved or closed
    (a target missed by then counts as breached)."""
    if ticket.status == "open" and not _running(ticket):
        _run(session, ticket, now)
    elif ticket.status != "open" and _running(ticket):
        if ticket.status in ("resolved", "closed"):
            _missed(ticket, ticket.resolution_due_at, now)
        _stop(session, ticket, now)


def first_response(session: Session, ticket: Ticket, now: datetime) -> None:
    """A public staff reply: the first one meets the first-response target."""
    if ticket.first_responded_at is not None:
        return
    _missed(ticket, ticket.first_response_due_at, now)
    ticket.first_responded_at = now
    if _running(ticket):
        cal = calendar(session)
        _stop(session, ticket, now, cal)
        _run(session, ticket, now, cal)


def policy_changed(session: Session, ticket: Ticket, now: datetime) -> None:
    """Priority or category changed: the due times follow the policy now in
    force, with the business time already used."""
    if _running(ticket):
        cal = calendar(session)
        _stop(session, ticket, now, cal)
        _run(session, ticket, now, cal)


def set_demo_clock(session: Session, ticket: Ticket, now: datetime, *, used: int,
                   responded_at: datetime | None) -> None:
    """Demo data (services/demo.py): a ticket whose clocks have used `used`
    business minutes so far, running now if it is open."""
    ticket.sla_used_minutes, ticket.first_responded_at, ticket.sla_running_since = used, responded_at, None
    ticket.first_response_due_at = ticket.resolution_due_at = ticket.sla_at_risk_at = None
    if ticket.status == "open":
        _run(session, ticket, now)


@dataclass(frozen=True)
class Clock:
    """What a page needs to say about a ticket's service level."""

    first_due: datetime | None
    resolution_due: datetime | None
    responded: bool
    at_risk_at: datetime | None
    breached_at: datetime | None

    @classmethod
    def of(cls, ticket: Ticket) -> Clock:
        return cls(ticket.first_response_due_at, ticket.resolution_due_at, ticket.first_responded_at is not None,
                   ticket.sla_at_risk_at, ticket.sla_breached_at)

    def next_due(self) -> datetime | None:
        return self.first_due if self.first_due is not None and not self.responded else self.resolution_due

    def breached(self, now: datetime) -> bool:
        due = self.next_due()
        return self.breached_at is not None or (due is not None and due <= now)

    def at_risk(self, now: datetime) -> bool:
        return not self.breached(now) and self.at_risk_at is not None and self.at_risk_at <= now


def promise(status: str, clock: Clock, now: datetime | None = None) -> str:
    """The customer's promise for an open ticket ("We aim to reply by Tue
    14:00 GMT."), or "" when the clocks are not running."""
    now = now or utcnow()
    if status != "open":
        return ""
    if clock.first_due is not None and not clock.responded:
        due, verb = clock.first_due, "reply"
    elif clock.resolution_due is not None:
        due, verb = clock.resolution_due, "resolve this"
    else:
        return ""
    if due <= now:
        return f"We aimed to {verb} by {format_due(due, now=now)} and are running late: it is with our team."
    return f"We aim to {verb} by {format_due(due, now=now)}."


def queue_filters(now: datetime) -> dict[str, object]:
    """The console's SLA queues as SQL conditions (services/tickets.py `_queues`)."""
    # Each side spelled out with IS NOT NULL, so that a clock without a due
    # time is FALSE rather than NULL (NOT NULL would drop the row from "at risk").
    overdue = or_(and_(Ticket.first_response_due_at.is_not(None), Ticket.first_response_due_at <= now),
                  and_(Ticket.resolution_due_at.is_not(None), Ticket.resolution_due_at <= now))
    breached = and_(Ticket.status.in_(("open", "waiting")), or_(Ticket.sla_breached_at.is_not(None), overdue))
    at_risk = and_(Ticket.status == "open", Ticket.sla_breached_at.is_(None), Ticket.sla_at_risk_at.is_not(None),
                   Ticket.sla_at_risk_at <= now, ~overdue)
    return {"at_risk": at_risk, "breached": breached}


# ---------------------------------------------------------------- the periodic job

CLAIM_LIMIT = 200  # per run; the next minute takes the rest


def _recipients(session: Session, ticket: Ticket) -> list[int]:
    if ticket.assignee_id is not None:
        return [ticket.assignee_id]
    from portal_app.services.tickets import AGENT_ROLES

    return list(session.exec(select(User.id).where(User.staff_role.in_(AGENT_ROLES), User.is_active)).all())


def _tell(session: Session, ticket: Ticket, event_key: str, due: datetime | None) -> None:
    from portal_app.services.tickets import label

    which = "first response" if ticket.first_responded_at is None else "resolution"
    facts = {"ticket": label(ticket.number), "subject": ticket.subject, "target": which,
             "due": format_due(due) if due else "now"}
    event = notifications.EVENTS[event_key]
    target = notifications.Target(routes.ticket_path(ticket.number), ticket.org_id)
    notifications.notify(session, _recipients(session, ticket), event, target, facts=facts)
    address = get_settings().sla_alert_email
    if address:
        title = event.phrase.format(**facts)
        queue_mail(session, to=address, subject=title[:120],
                   body=f"{title}\n\nSee it in the portal: {public_link(target.path)}\n\n"
                        "You get this email because this address is PORTAL_SLA_ALERT_EMAIL.")


def flag_due(session: Session, now: datetime | None = None) -> tuple[int, int]:
    """Flag (and tell about) the tickets that became at risk or breached,
    each once: every flag is claimed by a conditional UPDATE, so two runs
    at the same time tell once. Returns (at risk, breached) flagged now."""
    now = now or utcnow()
    queues = queue_filters(now)
    flagged = {"sla_at_risk": 0, "sla_breached": 0}
    for key, column, wanted in (  # breaches first: a ticket already past due is not "at risk" too
            ("sla_breached", Ticket.sla_breached_at, and_(queues["breached"], Ticket.sla_breached_at.is_(None))),
            ("sla_at_risk", Ticket.sla_at_risk_notified_at, and_(queues["at_risk"],
                                                                 Ticket.sla_at_risk_notified_at.is_(None)))):
        ids = session.exec(select(Ticket.id).where(wanted).order_by(Ticket.id).limit(CLAIM_LIMIT)).all()
        for ticket_id in ids:
            claimed = session.execute(update(Ticket).where(Ticket.id == ticket_id, column.is_(None))
                                      .values({column.key: now})).rowcount
            if claimed != 1:
                continue  # another run took it
            ticket = session.get(Ticket, ticket_id)
            session.refresh(ticket)
            due = Clock.of(ticket).next_due()
            _tell(session, ticket, key, due)
            # The flag shows on the staff's page of the ticket and in their queues, never to customers.
            live.changed(session, live.ticket_key(ticket.id, staff=True), live.staff_key("tickets"))
            flagged[key] += 1
    session.flush()
    return flagged["sla_at_risk"], flagged["sla_breached"]


# ---------------------------------------------------------------- the staff admins' settings

def _admin(principal: Principal) -> None:
    principal.require_staff("admin")


@dataclass(frozen=True)
class PolicyRow:
    priority: str
    org_id: int | None
    org: str  # "" for the default
    first_response_minutes: int
    resolution_minutes: int


@dataclass(frozen=True)
class HoursRow:
    weekday: int
    name: str
    opens: str  # "09:00", "" when closed
    closes: str


@dataclass(frozen=True)
class HolidayRow:
    id: int
    day: date
    name: str


@dataclass(frozen=True)
class Settings:
    policies: list[PolicyRow]  # the defaults in priority order, then the organisations' overrides
    hours: list[HoursRow]
    holidays: list[HolidayRow]
    zone: str


def _hhmm(minute: int | None) -> str:
    return "" if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"


def settings_view(session: Session, principal: Principal) -> Settings:
    """The SLA screen: policies, opening hours and holidays (staff admins). Four statements."""
    _admin(principal)
    rows = session.exec(select(SlaPolicy, Organization.name).outerjoin(Organization, Organization.id ==
                                                                       SlaPolicy.org_id)).all()
    order = {p: i for i, p in enumerate(PRIORITY_ORDER)}
    defaults = {r.priority: r for r, _ in rows if r.org_id is None}
    policies = [PolicyRow(p, None, "", *(
        (defaults[p].first_response_minutes, defaults[p].resolution_minutes) if p in defaults else FALLBACK[p]))
        for p in PRIORITY_ORDER]
    policies += sorted((PolicyRow(r.priority, r.org_id, name or "", r.first_response_minutes, r.resolution_minutes)
                        for r, name in rows if r.org_id is not None),
                       key=lambda r: (r.org.lower(), r.org_id, order.get(r.priority, 9)))
    cal = {h.weekday: h for h in session.exec(select(BusinessHours)).all()}
    hours = [HoursRow(d, WEEKDAYS[d], _hhmm(cal[d].opens_minute) if d in cal else "",
                      _hhmm(cal[d].closes_minute) if d in cal else "") for d in range(7)]
    holidays = [HolidayRow(h.id, h.day, h.name)
                for h in session.exec(select(Holiday).order_by(Holiday.day)).all()]
    return Settings(policies, hours, holidays, get_settings().timezone)


def _priority(value: object) -> str:
    if not isinstance(value, str) or value not in FALLBACK:
        raise Invalid("Choose a priority from the list.", field="priority")
    return value


def _minutes(value: object, field: str, label: str) -> int:
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 6:
        text = int(text)
    if type(text) is not int or not 1 <= text <= MAX_TARGET_MINUTES:  # noqa: E721 — True is an int too
        raise Invalid(f"{label}: a whole number of business minutes from 1 to {MAX_TARGET_MINUTES}.", field=field)
    return text


def _org(session: Session, value: object) -> Organization | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        value = int(value)
    org = session.get(Organization, value) if type(value) is int else None  # noqa: E721
    if org is None:
        raise NotFound("Organisation not found.")
    return org


def do_set_policy(session: Session, principal: Principal, priority: object, *, first_response: object,
                  resolution: object, org_id: object = None) -> SlaPolicy:
    """Set the targets for a priority: the default, or one organisation's override."""
    _admin(principal)
    chosen, org = _priority(priority), _org(session, org_id)
    first = _minutes(first_response, "first_response", "First response")
    resolve = _minutes(resolution, "resolution", "Resolution")
    if first > resolve:
        raise Invalid("The first response cannot be due after the resolution.", field="first_response")
    owner = org.id if org else None
    row = session.exec(select(SlaPolicy).where(SlaPolicy.priority == chosen, SlaPolicy.org_id == owner
                                               if owner is not None else SlaPolicy.org_id.is_(None))).first()
    old = (row.first_response_minutes, row.resolution_minutes) if row else None
    if row is None:
        row = SlaPolicy(priority=chosen, org_id=owner, first_response_minutes=first, resolution_minutes=resolve)
    row.first_response_minutes, row.resolution_minutes = first, resolve
    session.add(row)
    if old != (first, resolve):
        audit.record(session, "sla.policy_changed", actor=principal, org_id=owner, target_type="sla_policy",
                     target_id=chosen, target_label=f"{chosen} priority" + (f" for {org.name}" if org else ""),
                     details={"first_response": first, "resolution": resolve,
                              **({"from": list(old)} if old else {})})
    session.flush()
    return row


def do_set_override(session: Session, principal: Principal, org_id: object, priority: object, *,
                    first_response: object, resolution: object) -> SlaPolicy:
    """One organisation's own targets for a priority (the organisation is required)."""
    _admin(principal)
    if _org(session, org_id) is None:
        raise Invalid("Choose an organisation.", field="org")
    return do_set_policy(session, principal, priority, first_response=first_response, resolution=resolution,
                         org_id=org_id)


def do_remove_override(session: Session, principal: Principal, org_id: object, priority: object) -> None:
    """An organisation goes back to the default for that priority."""
    _admin(principal)
    chosen, org = _priority(priority), _org(session, org_id)
    if org is None:
        raise Invalid("The default policies stay; change their targets instead.", field="priority")
    row = session.exec(select(SlaPolicy).where(SlaPolicy.priority == chosen, SlaPolicy.org_id == org.id)).first()
    if row is None:
        raise NotFound("That organisation has no policy of its own for this priority.")
    session.delete(row)
    audit.record(session, "sla.policy_removed", actor=principal, org_id=org.id, target_type="sla_policy",
                 target_id=chosen, target_label=f"{chosen} priority for {org.name}")
    session.flush()


_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")


def _time(value: object, field: str) -> int:
    if not isinstance(value, str) or not _TIME.fullmatch(value.strip()):
        raise Invalid("Write the time as HH:MM, e.g. 09:00.", field=field)
    hours, minutes = value.strip().split(":")
    return int(hours) * 60 + int(minutes)


def do_set_hours(session: Session, principal: Principal, week: object) -> None:
    """The opening hours of the week: `week` maps each weekday (0 Monday …
    6 Sunday) to {"opens": "09:00", "closes": "17:30"} or {"closed": True}.
    All seven days or nothing; at least one day open."""
    _admin(principal)
    if not isinstance(week, dict) or sorted(week) != list(range(7)) or any(
            not isinstance(v, dict) for v in week.values()):
        raise Invalid("Give the hours of every weekday.")
    wanted: dict[int, tuple[int | None, int | None]] = {}
    for day in range(7):
        given, prefix = week[day], f"day-{day}"
        if type(given.get("closed", False)) is not bool:  # noqa: E721
            raise Invalid("Choose open or closed.", field=f"{prefix}-closed")
        if given.get("closed"):
            wanted[day] = (None, None)
            continue
        start, end = _time(given.get("opens"), f"{prefix}-opens"), _time(given.get("closes"), f"{prefix}-closes")
        if end <= start:
            raise Invalid("Closing time must be after opening time.", field=f"{prefix}-closes")
        wanted[day] = (start, end)
    if all(start is None for start, _ in wanted.values()):
        raise Invalid("At least one day must have opening hours.")
    rows = {h.weekday: h for h in session.exec(select(BusinessHours)).all()}
    for day, (start, end) in wanted.items():
        row = rows.get(day) or BusinessHours(weekday=day)
        old = (row.opens_minute, row.closes_minute) if row.opens_minute is not None else (None, None)
        if old == (start, end) and day in rows:
            continue
        row.opens_minute, row.closes_minute = start, end
        session.add(row)
        audit.record(session, "sla.hours_changed", actor=principal, target_type="sla_hours", target_id=str(day),
                     target_label=WEEKDAYS[day],
                     details={"hours": f"{_hhmm(start)}–{_hhmm(end)}" if start is not None else "closed"})
    session.flush()


def do_add_holiday(session: Session, principal: Principal, *, day: object, name: object) -> Holiday:
    """A day off for the whole team (a bank holiday)."""
    _admin(principal)
    try:
        when = date.fromisoformat(day.strip()) if isinstance(day, str) and len(day.strip()) == 10 else None
    except ValueError:
        when = None
    if when is None:
        raise Invalid("Choose a date.", field="day")
    clean = name.strip() if isinstance(name, str) else None
    if not clean or len(clean) > HOLIDAY_NAME_MAX or any(ord(c) < 32 for c in clean):
        raise Invalid(f"Give the holiday a name of at most {HOLIDAY_NAME_MAX} characters.", field="name")
    if session.exec(select(Holiday.id).where(Holiday.day == when)).first() is not None:
        raise Invalid(f"{format_date(when)} is already a holiday.", field="day")
    row = Holiday(day=when, name=clean)
    session.add(row)
    session.flush()
    audit.record(session, "sla.holiday_added", actor=principal, target_type="sla_holiday", target_id=row.id,
                 target_label=f"{clean} ({format_date(when)})")
    session.flush()
    return row


def do_remove_holiday(session: Session, principal: Principal, holiday_id: object) -> None:
    _admin(principal)
    row = session.get(Holiday, holiday_id) if type(holiday_id) is int else None  # noqa: E721
    if row is None:
        raise NotFound("Holiday not found.")
    session.delete(row)
    audit.record(session, "sla.holiday_removed", actor=principal, target_type="sla_holiday", target_id=row.id,
                 target_label=f"{row.name} ({format_date(row.day)})")
    session.flush()


def organisations(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """Organisations a policy can be overridden for (the first 500 by name)."""
    _admin(principal)
    return [(i, n) for i, n in session.exec(select(Organization.id, Organization.name)
                                            .order_by(Organization.name, Organization.id).limit(500)).all()]


# Audit actions of this module (registered here, like files.READERS, so the area stays in one file).
audit.ACTIONS.update({
    "sla.policy_changed": "changed an SLA policy",
    "sla.policy_removed": "removed an organisation's SLA policy",
    "sla.hours_changed": "changed the support opening hours",
    "sla.holiday_added": "added a support holiday",
    "sla.holiday_removed": "removed a support holiday",
})
def _said(words: str, joiner: str = ""):  # noqa: ANN202 — a sentence builder for audit.SENTENCES
    return lambda s: f"{s.actor} {words}" + (f" {joiner}{s.target}" if s.target else "")


audit.SENTENCES.update({
    "sla.policy_changed": _said("changed the SLA targets", "for "),
    "sla.policy_removed": _said("removed the SLA targets", "for "),
    "sla.hours_changed": _said("changed the support opening hours", "on "),
    "sla.holiday_added": _said("added a support holiday:"),
    "sla.holiday_removed": _said("removed a support holiday:"),
})
