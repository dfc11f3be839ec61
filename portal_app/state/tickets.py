"""Support requests in the page: the list (filters, search, pages), raising
one, and one ticket's page (the conversation, replying, closing and
reopening, following; for staff also internal notes and the status).

Every handler resolves the person first and calls a service that
authorises: the organisation is always the person's current one, a ticket
is found by its number through `access_ticket`, and nothing a payload says
about organisations, statuses or authors is taken from it. Open pages
follow the change signal of their tickets (`_watch`/`_live`), so a reply
appears without a reload: a list its organisation's (or, for staff, every
organisation's) tickets, a ticket's page its own ticket only."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal_app import routes
from portal_app.models.base import utcnow
from portal_app.services import csat, knowledge_search, live, sla, ticket_lists, tickets
from portal_app.services.errors import Invalid, NotFound, PortalError
from portal_app.services.formatting import format_datetime, format_size
from portal_app.services.principal import Principal
from portal_app.state.csat import RatingMixin
from portal_app.state.files import AttachmentsMixin, upload_answers, upload_script
from portal_app.state.forms import form_values
from portal_app.state.paging import PagerMixin
from portal_app.state.session import SIGN_IN_AGAIN, SessionState, busy, field_errors, signed_in
from portal_app.state.sla import row_sla

FILTERS = ("status", "category", "priority", "sort", "q", "org", "assignee")  # the last two: staff
STATUS_COLOURS = {"open": "amber", "waiting": "blue", "resolved": "green", "closed": "gray"}


def _watch_key(principal: Principal) -> str | None:
    """The tickets a list of this person follows: every organisation's for
    staff, the current organisation's for a customer."""
    if principal.is_staff:
        return live.staff_key("tickets")
    return live.org_key(principal.current.org_id, "tickets") if principal.current else None


def _ticket_keys(principal: Principal, ticket_id: int) -> list[str]:
    """What one ticket's page follows: that ticket only (a change to another
    ticket of the organisation leaves it alone), and for staff also what
    only they see of it (internal notes, SLA flags)."""
    return [live.ticket_key(ticket_id), *([live.ticket_key(ticket_id, staff=True)] if principal.is_staff else [])]


def _status(status: str) -> dict[str, str]:
    return {"status": tickets.STATUSES.get(status, status), "status_colour": STATUS_COLOURS.get(status, "gray")}


# ---------------------------------------------------------------- the list

def _list_page(session: Session, principal: Principal, page: int, cursor: object, filters: dict,
               mine: bool, following: bool, queue: str) -> tuple:
    """The page of the list, the categories, the organisation's sharing
    setting (customers) and the queue counts (staff), in one transaction."""
    shared = tickets.open_to_members(session, principal, principal.current.org_id) if principal.current else False
    counts = ticket_lists.queue_counts(session, principal) if principal.is_staff else {}
    agents = ticket_lists.agent_choices(session, principal) if principal.is_staff else []
    return (ticket_lists.list_tickets(session, principal, page=page, cursor=cursor, mine=mine, following=following,
                                 queue=queue if principal.is_staff else "", **filters),
            tickets.categories(session), shared, counts, agents)


class TicketListState(PagerMixin, SessionState):
    """The tickets the person may see, newest activity first."""

    rows: list[dict[str, str]] = []
    categories: list[dict[str, str]] = []
    agents: list[dict[str, str]] = []  # staff: the assignee filter's choices
    filters: dict[str, str] = {}
    mine: bool = False
    following: bool = False
    is_staff: bool = False
    can_share: bool = False  # an owner or admin: may open every request to every member
    shared: bool = False  # every member sees every request of the organisation
    # The agent console (staff): the queue shown, each queue's count, the rows ticked for a bulk action.
    queue: str = "active"
    counts: dict[str, int] = {}
    selected: list[str] = []
    loaded: bool = False
    errors: dict[str, str] = {}
    error: str = ""

    async def _fetch(self):
        principal = await self._principal()
        if principal is None:
            return rx.redirect(routes.SIGN_IN)
        self.errors, self.error = {}, ""
        try:
            result, categories, self.shared, self.counts, agents = await self._read(
                _list_page, principal, self.page, self._cursor, self.filters, self.mine, self.following, self.queue)
        except PortalError as err:
            self._lose_page()
            self.error, self.errors = field_errors(err)
            return None
        self._show_page(result)
        self.is_staff = principal.is_staff
        self.can_share = principal.current is not None and principal.current.role in tickets.SEE_ALL
        self.categories = [{"id": str(c.id), "name": c.name} for c in categories]
        self.agents = [{"id": str(i), "name": n} for i, n in agents]
        now = utcnow()
        self.rows = [{"number": str(r.number), "label": tickets.label(r.number), "subject": r.subject,
                      "href": routes.ticket_path(r.number), "priority": tickets.PRIORITIES.get(r.priority, ""),
                      "category": r.category, "org": r.org, "raised_by": r.raised_by,
                      "when": format_datetime(r.last_activity_at), "assignee": r.assignee,
                      "rating": str(r.rating) if r.rating and principal.is_staff else "",
                      **row_sla(r.clock, r.status, now, staff=principal.is_staff), **_status(r.status)}
                     for r in result.rows]
        shown = {row["number"] for row in self.rows}
        self.selected = [n for n in self.selected if n in shown]
        self.loaded = True
        if key := _watch_key(principal):
            await self._watch(key)
        return None

    @rx.event
    async def load(self):
        self.filters, self.page, self.mine, self.following, self.loaded = {}, 1, False, False, False
        self.queue, self.selected = "active", []
        return await self._fetch()

    @rx.event
    async def show_queue(self, queue: str):
        """Staff pick a queue; an unknown name shows every ticket."""
        self.queue = queue if isinstance(queue, str) and queue in ticket_lists.QUEUE_WORDS else ""
        self.page, self.selected = 1, []
        return await self._fetch()

    @rx.event
    def toggle(self, number: str):
        """Tick or untick a row for a bulk action (only rows shown count)."""
        if not any(row["number"] == number for row in self.rows):
            return
        self.selected = [n for n in self.selected if n != number] if number in self.selected else [
            *self.selected, number]

    @rx.event
    @busy("bulk")
    @signed_in()
    async def bulk(self, principal: Principal, action: str):
        numbers = [tickets.parse_number(n) for n in self.selected]
        try:
            done = await self._act(ticket_lists.do_bulk, principal, [n for n in numbers if n], action=action)
        except PortalError as err:
            return rx.toast.error(err.message)
        self.selected = []
        await self._fetch()
        return rx.toast.success(f"{done} request{'' if done == 1 else 's'} updated.")

    @rx.event
    async def apply(self, form: dict):
        data = form_values(form)
        self.filters = {key: data[key] for key in FILTERS if isinstance(data.get(key), str) and data[key]}
        self.mine, self.following = data.get("mine") == "on", data.get("following") == "on"
        self.page = 1
        return await self._fetch()

    async def _live(self, keys: list[str]) -> None:
        """A ticket changed somewhere in what this list shows: read the page again."""
        await self._fetch()

    @rx.event
    @signed_in(in_org=True)
    async def set_shared(self, principal: Principal, value: bool):
        try:
            await self._act(tickets.set_open_to_members, principal, principal.current.org_id, value=value)
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._fetch()
        return rx.toast.success("Every member now sees all requests." if value else
                                "Members now see the requests they raised or follow.")


# ---------------------------------------------------------------- raising one

_NO_FILE = {"file_id": "", "file_name": "", "file_size": ""}


class NewTicketState(AttachmentsMixin, SessionState):
    categories: list[dict[str, str]] = []
    category: str = ""  # the chosen category's id: its description, priority and questions show
    # The chosen category's questions: name, label, kind, required ("yes"/""), help, options ("\n"-joined),
    # and for a file question the upload chosen as its answer: file_id, file_name, file_size ("": none).
    fields: list[dict[str, str]] = []
    answer_uploading: str = ""  # the file question whose file is being uploaded (its name)
    errors: dict[str, str] = {}
    error: str = ""
    # Help-centre articles that may answer the subject as typed: title, category, href.
    suggestions: list[dict[str, str]] = []

    @rx.var
    def allows_priority(self) -> bool:
        return any(c["id"] == self.category and c["priority"] == "yes" for c in self.categories)

    @rx.var
    def category_help(self) -> str:
        return next((c["description"] for c in self.categories if c["id"] == self.category), "")

    async def _upload_org(self, principal: Principal) -> int | None:
        return principal.current.org_id if principal.current is not None and not principal.is_staff else None

    @rx.event
    async def load(self):
        self.errors, self.error, self.category, self.attachments, self.upload_errors = {}, "", "", [], []
        self.fields, self.suggestions, self.answer_uploading = [], [], ""
        principal = await self._principal()
        if principal is not None and principal.current is None:
            return rx.redirect(routes.TICKETS)  # staff raise no requests of their own
        rows = await self._read(tickets.categories)
        self.categories = [{"id": str(c.id), "name": c.name, "description": c.description,
                            "priority": "yes" if c.allows_priority else ""} for c in rows]
        return None

    @rx.event
    async def choose(self, category: str):
        """The category select changed: only a known id is kept; its questions show."""
        self.category = category if any(c["id"] == category for c in self.categories) else ""
        await self._read_fields()

    @rx.event
    @signed_in(in_org=True)
    async def suggest(self, principal: Principal, subject: str):
        """The subject as it is typed (debounced): the help centre's articles
        this person may read that may answer it (`knowledge_search.suggest`, typos
        corrected, nothing recorded). Each opens in a new tab with
        `?from=ticket`, so the form keeps what was typed and an answer found
        there counts as a deflection (services/knowledge.py)."""
        text = subject[:tickets.SUBJECT_MAX] if isinstance(subject, str) else ""
        hits = await self._read(knowledge_search.suggest, principal, text) if text.strip() else []
        self.suggestions = [{"title": hit.title, "category": hit.category,
                             "href": f"{routes.help_path(hit.slug)}?from=ticket"} for hit in hits]

    async def _read_fields(self) -> None:
        """The chosen category's questions, as they are now (a file question
        still asked keeps the file chosen for it)."""
        rows = await self._read(tickets.category_form, self.category) if self.category else []
        chosen = {f["name"]: f for f in self.fields if f["kind"] == "file"}
        self.fields = [{"name": f.name, "label": f.label, "kind": f.kind, "required": "yes" if f.required else "",
                        "help": f.help_text, "options": "\n".join(f.options),
                        **{key: chosen.get(f.name, _NO_FILE)[key] if f.kind == "file" else "" for key in _NO_FILE}}
                       for f in rows]

    def _file_question(self, name: object) -> dict[str, str] | None:
        """A file question shown on the page, by its name (nothing else)."""
        return next((f for f in self.fields if f["kind"] == "file" and f["name"] == name), None)

    def _set_file(self, name: str, values: dict[str, str]) -> None:
        self.fields = [{**f, **values} if f["name"] == name else f for f in self.fields]

    def _answer_file_ids(self) -> dict[str, int | str]:
        """The file questions' answers: the uploads chosen on this page (kept
        on the server; whatever the form's payload says about them is not read)."""
        return {f["name"]: int(f["file_id"]) if f["file_id"] else "" for f in self.fields if f["kind"] == "file"}

    @rx.event
    async def upload_answer(self, name: str):
        """A file question's input changed: send its file from the page, as
        an attachment upload (the same route, checks and quota)."""
        if self._file_question(name) is None:
            return None
        principal = await self._principal()
        org_id = await self._upload_org(principal) if principal is not None else None
        if org_id is None:
            return rx.toast.error(SIGN_IN_AGAIN)
        self.answer_uploading, self.errors = name, {k: v for k, v in self.errors.items() if k != name}
        return rx.call_script(upload_script(name, f"{name}-progress", org_id),
                              callback=NewTicketState.answer_attached)

    @rx.event
    async def answer_attached(self, result: list):
        """What the page reports for the question being uploaded; trusted for
        nothing but which id to check (`tickets.pending_uploads`)."""
        name, self.answer_uploading = self.answer_uploading, ""
        principal = await self._principal()
        org_id = await self._upload_org(principal) if principal is not None else None
        if org_id is None:
            return rx.toast.error(SIGN_IN_AGAIN)
        if self._file_question(name) is None:
            return None
        ids, problems = upload_answers(result)
        if not ids:
            self.errors = {**self.errors, name: problems[0] if problems else "Choose a file to upload."}
            return None
        try:
            uploads = await self._read(tickets.pending_uploads, principal, org_id, ids[:1])
        except PortalError as err:
            message = "That file is not available: upload it again." if isinstance(err, Invalid) else err.message
            self.errors = {**self.errors, name: message}
            return None
        self._set_file(name, {"file_id": str(uploads[0].id), "file_name": uploads[0].filename,
                              "file_size": format_size(uploads[0].size)})
        return None

    @rx.event
    def remove_answer_file(self, name: str):
        """Leave the file out of this answer (it stays uploaded, unattached)."""
        if self._file_question(name) is not None:
            self._set_file(name, _NO_FILE)

    async def _form_changed(self, name: str) -> None:
        """A question's error: staff may have changed the form since the page
        read it. Read it again; an error about a question the person did
        not see (new, or removed meanwhile) is said above the form."""
        shown = {f["name"] for f in self.fields}
        await self._read_fields()
        if name not in shown or name not in {f["name"] for f in self.fields}:
            self.error, self.errors = "The questions for this category have changed: check them and send again.", {}

    @rx.event
    @busy("raise_ticket")
    @signed_in(in_org=True)
    async def submit(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            ticket = await self._act(tickets.do_raise, principal, principal.current.org_id,
                                     category=data.get("category"), subject=data.get("subject"),
                                     body=data.get("body"), priority=data.get("priority"),
                                     attachments=self._attachment_ids(),
                                     answers={**{k: v for k, v in data.items() if isinstance(k, str)
                                                 and k.startswith("field-")}, **self._answer_file_ids()})
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            if self._file_question(err.field) is not None:
                self._set_file(err.field, _NO_FILE)  # not usable (any more): the person chooses a file again
            if isinstance(err.field, str) and err.field.startswith("field-"):
                await self._form_changed(err.field)
            return None
        self.attachments, self.fields = [], []
        return [rx.redirect(routes.ticket_path(ticket.number)),
                rx.toast.success(f"Request {tickets.label(ticket.number)} sent. We will reply here and by email.")]


# ---------------------------------------------------------------- one ticket

def _ticket_page(session: Session, principal: Principal, number: int | None) -> tuple:
    """The ticket as the person sees it, its satisfaction rating and, for
    staff, the categories it can move to: one transaction."""
    view = tickets.ticket_view(session, principal, number)
    return view, tickets.categories(session) if view.can_note else [], csat.rating_view(session, principal, number)


class TicketState(RatingMixin, AttachmentsMixin, SessionState):
    found: bool = False
    loaded: bool = False
    ticket: dict[str, str] = {}
    messages: list[dict] = []  # each: id, author, html, when, side, internal, files [{name, size, href}]
    answers: list[dict[str, str]] = []  # the intake form's: question, answer, and a file's href and size (or "")
    followers: list[str] = []
    following: bool = False
    can_reply: bool = False
    can_close: bool = False
    can_reopen: bool = False
    can_note: bool = False
    statuses: list[list[str]] = []  # [value, words], for the staff's status select
    categories: list[list[str]] = []  # [id, name], for the staff's category select
    errors: dict[str, str] = {}
    error: str = ""
    reply_key: int = 0  # bumped to empty the reply box after a reply was sent
    _org_id: int = 0  # the ticket's organisation: where a customer's attachments go
    _ticket_id: int = 0  # the ticket's id: the key its page watches

    def _number(self) -> int | None:
        return tickets.parse_number(self.router.page.params.get("ticket_number", ""))

    async def _reload(self, principal: Principal | None) -> None:
        if principal is None:
            self.found = False
            return
        try:
            view, categories, rating = await self._read(_ticket_page, principal, self._number())
        except (NotFound, PortalError):
            self.found, self.ticket, self.messages = False, {}, []
            self._show_rating(None)
            self.loaded = True
            return
        self.found, self.loaded, self._org_id, self._ticket_id = True, True, view.org_id, view.id
        self._show_rating(rating)
        self.ticket = {"label": tickets.label(view.number), "subject": view.subject, "category": view.category,
                       "priority": tickets.PRIORITIES.get(view.priority, ""), "org": view.org,
                       "raised_by": view.raised_by, "assignee": view.assignee, "status_key": view.status,
                       "mine": "yes" if view.assigned_to_me else "", "priority_key": view.priority,
                       "category_id": str(view.category_id),
                       "merged_into": tickets.label(view.merged_into) if view.merged_into else "",
                       "merged_href": routes.ticket_path(view.merged_into) if view.merged_into else "",
                       "opened": format_datetime(view.created_at), "promise": _promise(view),
                       **row_sla(view.clock, view.status, utcnow(), staff=view.can_note), **_status(view.status)}
        self.messages = [{"id": str(m.id), "author": m.author, "html": m.html, "when": format_datetime(m.created_at),
                          "side": "staff" if m.staff else "customer", "internal": "yes" if m.internal else "",
                          "files": [{"name": f.filename, "size": format_size(f.size),
                                     "href": f"/api/files/{f.id}"} for f in m.attachments]}
                         for m in view.messages]
        self.answers = [{"question": a.question, "answer": a.value, "href": f"/api/files/{a.file.id}" if a.file else "",
                         "size": format_size(a.file.size) if a.file else ""} for a in view.answers]
        self.followers, self.following = view.followers, view.following
        self.can_reply, self.can_close, self.can_reopen, self.can_note = (view.can_reply, view.can_close,
                                                                          view.can_reopen, view.can_note)
        self.statuses = [[key, words] for key, words in tickets.STATUSES.items()] if view.can_note else []
        self.categories = [[str(c.id), c.name] for c in categories]

    async def _upload_org(self, principal: Principal) -> int | None:
        """Customers attach files to their replies (staff: not yet)."""
        return self._org_id if self.found and self.can_reply and not principal.is_staff else None

    @rx.event
    async def load(self):
        self.errors, self.error, self.loaded, self.attachments, self.upload_errors = {}, "", False, [], []
        self.rating_errors, self.rating_error = {}, ""
        principal = await self._principal()
        await self._reload(principal)
        if principal is not None and self.found:
            await self._watch(*_ticket_keys(principal, self._ticket_id))

    async def _live(self, keys: list[str]) -> None:
        """A reply, a status change: show the ticket as it is now."""
        await self._reload(await self._principal())

    async def _ticket_action(self, principal: Principal, fn, *args, success: str, **kwargs):
        """Run a ticket action on this page's ticket and show the result."""
        try:
            await self._act(fn, principal, self._number(), *args, **kwargs)
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._reload(principal)
        return rx.toast.success(success)

    @rx.event
    @busy("reply")
    @signed_in()
    async def reply(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        internal = data.get("internal") == "on"
        try:
            await self._act(tickets.do_reply, principal, self._number(), body=data.get("body"), internal=internal,
                            attachments=self._attachment_ids())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.reply_key, self.attachments = self.reply_key + 1, []
        await self._reload(principal)
        return rx.toast.success("Internal note added." if internal else "Reply sent.")

    @rx.event
    @signed_in()
    async def close(self, principal: Principal):
        return await self._ticket_action(principal, tickets.do_close, success="Request closed.")

    @rx.event
    @signed_in()
    async def reopen(self, principal: Principal):
        return await self._ticket_action(principal, tickets.do_reopen, success="Request reopened.")

    @rx.event
    @signed_in()
    async def follow(self, principal: Principal):
        return await self._ticket_action(principal, tickets.do_follow, success="You follow this request.")

    @rx.event
    @signed_in()
    async def unfollow(self, principal: Principal):
        return await self._ticket_action(principal, tickets.do_unfollow, success="You no longer follow it.")

    @rx.event
    @signed_in()
    async def set_status(self, principal: Principal, status: str):
        return await self._ticket_action(principal, tickets.do_set_status, status, success="Status changed.")

    @rx.event
    @signed_in()
    async def set_priority(self, principal: Principal, priority: str):
        return await self._ticket_action(principal, tickets.do_set_priority, priority, success="Priority changed.")

    @rx.event
    @signed_in()
    async def set_category(self, principal: Principal, category: str):
        return await self._ticket_action(principal, tickets.do_set_category, category, success="Category changed.")

    @rx.event
    @signed_in()
    async def take(self, principal: Principal):
        """Staff: assign this ticket to oneself."""
        return await self._ticket_action(principal, tickets.do_assign, principal.user_id, success="Assigned to you.")

    @rx.event
    @signed_in()
    async def release(self, principal: Principal):
        """Staff: leave this ticket unassigned."""
        return await self._ticket_action(principal, tickets.do_assign, None, success="Unassigned.")


def _promise(view: tickets.TicketView) -> str:
    """What the customer reads about where their request stands."""
    if view.status == "open":
        return (sla.promise(view.status, view.clock) if view.clock else "") or \
            "We have your request and will reply here."
    if view.status == "waiting":
        return "We replied and are waiting for you."
    ended = format_datetime(view.ended_at) if view.ended_at else ""
    words = "Resolved" if view.status == "resolved" else "Closed"
    return f"{words} {ended}. Reply or reopen within {tickets.reopen_days()} days if it is not settled." \
        if view.can_reopen else f"{words} {ended}."
