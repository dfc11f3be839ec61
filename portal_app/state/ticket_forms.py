"""Support categories and their intake forms in the back office (staff
admins): the list of categories, one category's details and questions,
the question form (adding or editing), and a preview of the form as the
customer sees it.

Every handler resolves the person and calls `services.ticket_forms`, which
refuses everyone but staff admins. Ids from the page are parsed with
`event_id`; which category a details form saves, and which question a
question form changes, are kept on the server (`_category_id`,
`_editing`), never read from the form's payload."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal_app import routes
from portal_app.services import ticket_forms
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_number
from portal_app.services.principal import Principal
from portal_app.services.tickets import FIELD_KINDS
from portal_app.state.forms import event_id, form_values
from portal_app.state.session import SessionState, busy, field_errors, signed_in

QUESTION_FIELDS = ("label", "kind", "help_text", "options")


def _page(session: Session, principal: Principal, category_id: int) -> tuple:
    """The categories and, when one is open, its questions: one transaction."""
    rows = ticket_forms.list_categories(session, principal)
    chosen = next((c for c in rows if c.id == category_id), None)
    return rows, chosen, ticket_forms.questions(session, principal, category_id) if chosen else []


def _yes(value: bool) -> str:
    return "yes" if value else ""


def _count(n: int, word: str) -> str:
    return f"{format_number(n)} {word}{'' if n == 1 else 's'}"


def _checked(data: dict, key: str) -> bool:
    """A checkbox of a submitted form: "on" when ticked, absent otherwise."""
    return data.get(key) == "on"


class TicketFormsState(SessionState):
    loaded: bool = False
    # Every category: id, name, description, archived, billing, priority ("yes"/""), questions, tickets (words).
    categories: list[dict[str, str]] = []
    selected: str = ""  # the open category's id ("" : none open)
    category: dict[str, str] = {}  # the open category: name, description, priority, billing, archived
    # Its active questions: id, label, kind (words), kind_key, required, internal ("yes"/""), help, options, answers.
    questions: list[dict[str, str]] = []
    archived: list[dict[str, str]] = []  # its removed questions (kept, never deleted; they can be restored)
    preview: list[dict[str, str]] = []  # the customer's form: the shape of NewTicketState.fields
    preview_errors: dict[str, str] = {}  # always empty: the preview is never submitted
    editing: str = ""  # the question being edited ("": the form adds a new one)
    question: dict[str, str] = {}  # the question form's starting values
    add_errors: dict[str, str] = {}
    add_error: str = ""
    category_errors: dict[str, str] = {}
    category_error: str = ""
    question_errors: dict[str, str] = {}
    question_error: str = ""
    add_key: int = 0  # bumped to empty a form after it succeeded (or to load other values into it)
    category_key: int = 0
    question_key: int = 0
    _category_id: int = 0
    _editing: int = 0

    async def _refresh(self, principal: Principal):
        try:
            rows, chosen, questions = await self._read(_page, principal, self._category_id)
        except PortalError as err:  # not (or no longer) a staff admin, or two-step not set up
            self.categories, self.questions, self.archived, self.preview = [], [], [], []
            return rx.toast.error(err.message)
        self.loaded = True
        self.categories = [{"id": str(c.id), "name": c.name, "description": c.description,
                            "archived": _yes(not c.active), "billing": _yes(c.billing),
                            "priority": _yes(c.allows_priority), "questions": _count(c.questions, "question"),
                            "tickets": _count(c.tickets, "request")} for c in rows]
        if chosen is None:
            self._category_id, self.selected, self.category = 0, "", {}
            self.questions, self.archived, self.preview = [], [], []
            return None
        self.selected = str(chosen.id)
        self.category = {"name": chosen.name, "description": chosen.description,
                         "priority": _yes(chosen.allows_priority), "billing": _yes(chosen.billing),
                         "archived": _yes(not chosen.active)}
        shown = [{"id": str(q.id), "name": q.name, "label": q.label, "kind": FIELD_KINDS.get(q.kind, q.kind),
                  "kind_key": q.kind, "required": _yes(q.required), "internal": _yes(q.internal), "help": q.help_text,
                  "options": "\n".join(q.options), "answers": _count(q.answers, "answer")} for q in questions]
        self.questions = [row for row, q in zip(shown, questions, strict=True) if q.active]
        self.archived = [row for row, q in zip(shown, questions, strict=True) if not q.active]
        self.preview = [{"name": row["name"], "label": row["label"], "kind": row["kind_key"],
                         "required": row["required"], "help": row["help"], "options": row["options"]}
                        for row in self.questions if not row["internal"]]
        return None

    def _new_question(self) -> None:
        """The question form, empty, for adding."""
        self._editing, self.editing = 0, ""
        self.question = {"label": "", "kind": "text", "help_text": "", "options": "", "required": "",
                         "internal": ""}
        self.question_errors, self.question_error = {}, ""
        self.question_key += 1

    @rx.event
    async def load(self):
        principal = await self._principal()
        if principal is None or principal.staff_role != "admin":
            return rx.redirect(routes.DASHBOARD)  # the services refuse anyway; this spares a page of errors
        self.loaded, self._category_id = False, 0
        self.add_errors, self.add_error, self.category_errors, self.category_error = {}, "", {}, ""
        self._new_question()
        return await self._refresh(principal)

    # ------------------------------------------------------------ categories

    @rx.event
    @busy("add_category")
    @signed_in()
    async def add_category(self, principal: Principal, form: dict):
        data = form_values(form)
        self.add_errors, self.add_error = {}, ""
        try:
            category = await self._act(ticket_forms.do_add_category, principal, name=data.get("name"),
                                       description=data.get("description"),
                                       allows_priority=_checked(data, "allows_priority"),
                                       billing=_checked(data, "billing"))
        except PortalError as err:
            self.add_error, self.add_errors = field_errors(err)
            return None
        self.add_key += 1
        self._category_id = category.id  # open it, ready for its questions
        self.category_errors, self.category_error = {}, ""
        self.category_key += 1
        self._new_question()
        await self._refresh(principal)
        return rx.toast.success(f"Category \u201c{category.name}\u201d added: now add its questions.")

    @rx.event
    @signed_in()
    async def open_category(self, principal: Principal, category_id: str):
        wanted = event_id(category_id)
        try:
            await self._read(ticket_forms.access_category, principal, wanted)
        except PortalError as err:
            return rx.toast.error(err.message)
        self._category_id = wanted
        self.category_errors, self.category_error = {}, ""
        self.category_key += 1
        self._new_question()
        return await self._refresh(principal)

    @rx.event
    def close_category(self):
        self._category_id, self.selected, self.category = 0, "", {}
        self.questions, self.archived, self.preview = [], [], []

    @rx.event
    @busy("save_category")
    @signed_in()
    async def save_category(self, principal: Principal, form: dict):
        data = form_values(form)
        self.category_errors, self.category_error = {}, ""
        try:
            category = await self._act(ticket_forms.do_change_category, principal, self._category_id or None,
                                       name=data.get("name"), description=data.get("description"),
                                       allows_priority=_checked(data, "allows_priority"),
                                       billing=_checked(data, "billing"))
        except PortalError as err:
            self.category_error, self.category_errors = field_errors(err)
            return None
        await self._refresh(principal)
        return rx.toast.success(f"Category \u201c{category.name}\u201d saved.")

    async def _category_action(self, principal: Principal, fn, category_id: str, *args, success: str):  # noqa: ANN001
        try:
            await self._act(fn, principal, event_id(category_id), *args)
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._refresh(principal)
        return rx.toast.success(success)

    @rx.event
    @signed_in()
    async def move_category(self, principal: Principal, category_id: str, direction: str):
        return await self._category_action(principal, ticket_forms.do_move_category, category_id, direction,
                                           success="Order saved.")

    @rx.event
    @signed_in()
    async def archive_category(self, principal: Principal, category_id: str):
        return await self._category_action(principal, ticket_forms.do_archive_category, category_id,
                                           success="Category archived: customers no longer see it.")

    @rx.event
    @signed_in()
    async def restore_category(self, principal: Principal, category_id: str):
        return await self._category_action(principal, ticket_forms.do_restore_category, category_id,
                                           success="Category restored: customers can choose it again.")

    # ------------------------------------------------------------ questions

    @rx.event
    @busy("save_question")
    @signed_in()
    async def save_question(self, principal: Principal, form: dict):
        data = form_values(form)
        self.question_errors, self.question_error = {}, ""
        values = {key: data.get(key) for key in QUESTION_FIELDS}
        flags = {"required": _checked(data, "required"), "internal": _checked(data, "internal")}
        try:
            if self._editing:
                field = await self._act(ticket_forms.do_change_question, principal, self._editing, **values, **flags)
            else:
                field = await self._act(ticket_forms.do_add_question, principal, self._category_id or None,
                                        **values, **flags)
        except PortalError as err:
            self.question_error, self.question_errors = field_errors(err)
            return None
        words = "saved" if self._editing else "added"
        self._new_question()
        await self._refresh(principal)
        return rx.toast.success(f"Question \u201c{field.label}\u201d {words}.")

    @rx.event
    def edit_question(self, field_id: str):
        """Load a question shown on the page into the form (only one of those)."""
        row = next((q for q in self.questions if q["id"] == field_id), None) if isinstance(field_id, str) else None
        if row is None:
            return
        self._editing, self.editing = int(row["id"]), row["id"]
        self.question = {"label": row["label"], "kind": row["kind_key"], "help_text": row["help"],
                         "options": row["options"], "required": row["required"], "internal": row["internal"]}
        self.question_errors, self.question_error = {}, ""
        self.question_key += 1

    @rx.event
    def cancel_question(self):
        self._new_question()

    async def _question_action(self, principal: Principal, fn, field_id: str, *args, success: str):  # noqa: ANN001
        try:
            result = await self._act(fn, principal, event_id(field_id), *args)
        except PortalError as err:
            return rx.toast.error(err.message)
        if self.editing == field_id:
            self._new_question()
        await self._refresh(principal)
        return rx.toast.success(success(result) if callable(success) else success)

    @rx.event
    @signed_in()
    async def move_question(self, principal: Principal, field_id: str, direction: str):
        return await self._question_action(principal, ticket_forms.do_move_question, field_id, direction,
                                           success="Order saved.")

    @rx.event
    @signed_in()
    async def remove_question(self, principal: Principal, field_id: str):
        return await self._question_action(
            principal, ticket_forms.do_remove_question, field_id,
            success=lambda answered: "Question removed; the requests that answered it keep their answers."
            if answered else "Question removed.")

    @rx.event
    @signed_in()
    async def restore_question(self, principal: Principal, field_id: str):
        return await self._question_action(principal, ticket_forms.do_restore_question, field_id,
                                           success="Question restored: it is asked again, last on the form.")
