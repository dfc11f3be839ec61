"""Support categories and their intake forms, as staff admins manage them:
categories (add, rename, describe, order, whether the customer picks a
priority, which are billing ones, archive and restore) and each category's
questions (add, edit, order, remove, restore).

Only staff admins (`require_forms_admin`): agents work tickets, they do not
change what customers are asked. Every verb is a `check_*` that validates
and authorises and a `do_*` that writes and audits in the caller's one
transaction; nothing here commits.

What is never lost: a category is never deleted, only archived (new
requests can no longer choose it; old ones keep showing it, and staff can
restore it). A removed question is archived too (`TicketField.active`),
never deleted, so requests that answered it keep showing its label with
their answer, and it can be restored. The customer's form (`tickets.category_form`) and the validation
of a new request (`tickets.do_raise`) read only active questions, so an
archived question is neither asked nor accepted.

The lists here are bounded rather than paged (at most `MAX_CATEGORIES`
categories and `MAX_QUESTIONS` questions per category, all of which the
customer's form shows at once anyway), and each is read in one statement."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app.models import Ticket, TicketAnswer, TicketCategory, TicketField
from portal_app.services import audit
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.principal import Principal
from portal_app.services.tickets import FIELD_KINDS, stored_options
from portal_app.services.validation import clean_text

MAX_CATEGORIES = 100
MAX_QUESTIONS = 50  # active questions of one category
MAX_OPTIONS = 50
OPTION_MAX = 100
NAME_MAX = 80
DESCRIPTION_MAX = 300
LABEL_MAX = 80
HELP_MAX = 200
OPTIONS_TEXT_MAX = MAX_OPTIONS * (OPTION_MAX + 2)  # what the options box may hold before it is read
DIRECTIONS = ("up", "down")
CATEGORY_NOT_FOUND = "Category not found."
QUESTION_NOT_FOUND = "Question not found."


# ---------------------------------------------------------------- who may

def require_forms_admin(principal: Principal) -> None:
    """The one access check of this module: staff admins only (with
    two-step verification set up, as every staff action requires)."""
    principal.require_staff("admin")


def _id(value: object) -> int | None:
    """Ids arrive as ints (the state parses the page's strings with
    `event_id`); anything else, True included, finds nothing."""
    return value if type(value) is int and 0 < value < 2**63 else None  # noqa: E721


def access_category(session: Session, principal: Principal, category_id: object) -> TicketCategory:
    """A category (archived ones too) for a staff admin, else NotFound."""
    require_forms_admin(principal)
    wanted = _id(category_id)
    category = session.get(TicketCategory, wanted) if wanted is not None else None
    if category is None:
        raise NotFound(CATEGORY_NOT_FOUND)
    return category


def access_question(session: Session, principal: Principal, field_id: object) -> TicketField:
    """A question (archived ones too) for a staff admin, else NotFound."""
    require_forms_admin(principal)
    wanted = _id(field_id)
    field = session.get(TicketField, wanted) if wanted is not None else None
    if field is None:
        raise NotFound(QUESTION_NOT_FOUND)
    return field


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class CategoryAdmin:
    id: int
    name: str
    description: str
    allows_priority: bool
    billing: bool
    active: bool
    questions: int  # active ones
    tickets: int


def list_categories(session: Session, principal: Principal) -> list[CategoryAdmin]:
    """Every category, archived ones too, in the customer's order, with how
    many questions and requests each has: one statement."""
    require_forms_admin(principal)
    questions = (select(func.count()).select_from(TicketField)
                 .where(TicketField.category_id == TicketCategory.id, TicketField.active).scalar_subquery())
    used = select(func.count()).select_from(Ticket).where(Ticket.category_id == TicketCategory.id).scalar_subquery()
    rows = session.exec(select(TicketCategory, questions, used)
                        .order_by(TicketCategory.position, TicketCategory.id)).all()
    return [CategoryAdmin(c.id, c.name, c.description, c.allows_priority, c.billing, c.active, q, t)
            for c, q, t in rows]


@dataclass(frozen=True)
class QuestionAdmin:
    id: int
    label: str
    kind: str
    required: bool
    help_text: str
    options: tuple[str, ...]
    internal: bool
    active: bool
    answers: int  # how many requests answered it

    @property
    def name(self) -> str:
        """As the customer's form names it (`tickets.FieldRow.name`)."""
        return f"field-{self.id}"


def questions(session: Session, principal: Principal, category_id: object) -> list[QuestionAdmin]:
    """A category's questions in order, active ones first, then the archived
    ones, with how many requests answered each: two statements."""
    category = access_category(session, principal, category_id)
    answered = (select(func.count()).select_from(TicketAnswer)
                .where(TicketAnswer.field_id == TicketField.id).scalar_subquery())
    rows = session.exec(select(TicketField, answered).where(TicketField.category_id == category.id)
                        .order_by(TicketField.active.desc(), TicketField.position, TicketField.id)).all()
    return [QuestionAdmin(f.id, f.label, f.kind, f.required, f.help_text, stored_options(f.options), f.internal,
                          f.active, n) for f, n in rows]


# ---------------------------------------------------------------- cleaning

def _flag(value: object, *, field: str, label: str) -> bool:
    if type(value) is not bool:  # noqa: E721
        raise Invalid(f"Choose whether {label}.", field=field)
    return value


@dataclass(frozen=True)
class CategoryInput:
    name: str
    description: str
    allows_priority: bool
    billing: bool


def _clean_category(session: Session, *, name: object, description: object, allows_priority: object,
                    billing: object, category_id: int | None = None) -> CategoryInput:
    clean_name = clean_text(name, field="name", label="Name", max_length=NAME_MAX)
    clean_description = clean_text(description, field="description", label="Description",
                                   max_length=DESCRIPTION_MAX, required=False)
    same = session.exec(select(TicketCategory.id).where(func.lower(TicketCategory.name) == clean_name.lower(),
                                                        TicketCategory.id != (category_id or 0))).first()
    if same is not None:
        raise Invalid("Another category has this name (archived ones count too).", field="name")
    return CategoryInput(clean_name, clean_description,
                         _flag(allows_priority, field="allows_priority", label="the customer picks a priority"),
                         _flag(billing, field="billing", label="it is a billing category"))


@dataclass(frozen=True)
class QuestionInput:
    label: str
    kind: str
    required: bool
    help_text: str
    options: tuple[str, ...]
    internal: bool


def clean_options(value: object) -> tuple[str, ...]:
    """The answers of a choice: text with one per line (as the form sends
    it) or a list of strings. Blank lines are dropped; at least one, at most
    `MAX_OPTIONS`, each a line of at most `OPTION_MAX` characters, no two
    the same (ignoring case)."""
    if isinstance(value, str):
        if len(value) > OPTIONS_TEXT_MAX:
            raise Invalid(f"At most {MAX_OPTIONS} answers of at most {OPTION_MAX} characters each.",
                          field="options")
        lines = value.replace("\r\n", "\n").split("\n")
    elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        lines = list(value)
    elif value is None:
        lines = []
    else:
        raise Invalid("Answers must be text, one per line.", field="options")
    options: list[str] = []
    seen: set[str] = set()
    for line in lines:
        if "\n" in line or "\r" in line:
            raise Invalid("Each answer must be a single line.", field="options")
        text = unicodedata.normalize("NFC", line).strip()
        if not text:
            continue
        clean = clean_text(text, field="options", label=f"The answer \u201c{text[:20]}\u201d",
                           max_length=OPTION_MAX)
        if clean.casefold() in seen:
            raise Invalid(f"\u201c{clean}\u201d is listed twice: each answer once.", field="options")
        seen.add(clean.casefold())
        options.append(clean)
    if not options:
        raise Invalid("A choice needs its answers: one per line.", field="options")
    if len(options) > MAX_OPTIONS:
        raise Invalid(f"At most {MAX_OPTIONS} answers.", field="options")
    return tuple(options)


def _clean_question(*, label: object, kind: object, required: object, help_text: object, options: object,
                    internal: object) -> QuestionInput:
    if not isinstance(kind, str) or kind not in FIELD_KINDS:
        raise Invalid("Choose a kind of question from the list.", field="kind")
    clean_label = clean_text(label, field="label", label="Question", max_length=LABEL_MAX)
    clean_help = clean_text(help_text, field="help_text", label="Help text", max_length=HELP_MAX, required=False)
    clean_required = _flag(required, field="required", label="it must be answered")
    clean_internal = _flag(internal, field="internal", label="it is for agents only")
    # The options box is on the form whatever the kind: it only counts for a choice.
    clean = clean_options(options) if kind == "select" else ()
    return QuestionInput(clean_label, kind, clean_required, clean_help, clean, clean_internal)


def _same_label(session: Session, category_id: int, label: str, field_id: int | None = None) -> None:
    same = session.exec(select(TicketField.id).where(
        TicketField.category_id == category_id, TicketField.active, TicketField.id != (field_id or 0),
        func.lower(TicketField.label) == label.lower())).first()
    if same is not None:
        raise Invalid("This form already asks that question.", field="label")


# ---------------------------------------------------------------- categories

def _category_target(category: TicketCategory) -> dict:
    return {"target_type": "ticket_category", "target_id": category.id, "target_label": category.name}


def check_add_category(session: Session, principal: Principal, **fields: object) -> CategoryInput:
    require_forms_admin(principal)
    count = session.exec(select(func.count()).select_from(TicketCategory)).one()
    if count >= MAX_CATEGORIES:
        raise Invalid(f"A portal has at most {MAX_CATEGORIES} categories: archive or rename one instead.")
    return _clean_category(session, **fields)


def do_add_category(session: Session, principal: Principal, *, name: object, description: object = "",
                    allows_priority: object = True, billing: object = False) -> TicketCategory:
    """A new category, last in the list, offered to customers at once (with no questions yet)."""
    clean = check_add_category(session, principal, name=name, description=description,
                               allows_priority=allows_priority, billing=billing)
    last = session.exec(select(func.max(TicketCategory.position))).one() or 0
    category = TicketCategory(name=clean.name, description=clean.description, allows_priority=clean.allows_priority,
                              billing=clean.billing, active=True, position=last + 1)
    session.add(category)
    session.flush()
    audit.record(session, "ticket_category.added", actor=principal, **_category_target(category),
                 details={"billing": clean.billing})
    return category


def check_change_category(session: Session, principal: Principal, category_id: object,
                          **fields: object) -> tuple[TicketCategory, CategoryInput]:
    category = access_category(session, principal, category_id)
    return category, _clean_category(session, category_id=category.id, **fields)


def do_change_category(session: Session, principal: Principal, category_id: object, *, name: object,
                       description: object, allows_priority: object, billing: object) -> TicketCategory:
    """Rename, describe, priority or not, billing or not. Whether it is a
    billing category decides at once which requests billing members see
    (`tickets.visible_to`)."""
    category, clean = check_change_category(session, principal, category_id, name=name, description=description,
                                            allows_priority=allows_priority, billing=billing)
    old = {"name": category.name, "description": category.description,
           "allows_priority": category.allows_priority, "billing": category.billing}
    new = {"name": clean.name, "description": clean.description, "allows_priority": clean.allows_priority,
           "billing": clean.billing}
    changed = sorted(key for key in new if new[key] != old[key])
    if not changed:
        return category
    category.name, category.description = clean.name, clean.description
    category.allows_priority, category.billing = clean.allows_priority, clean.billing
    session.add(category)
    details: dict = {"changed": changed}
    if "name" in changed:
        details["from"] = old["name"]
    if "billing" in changed:
        details["billing"] = clean.billing
    audit.record(session, "ticket_category.changed", actor=principal, **_category_target(category),
                 details=details)
    session.flush()
    return category


def check_archive_category(session: Session, principal: Principal, category_id: object, *,
                           archive: bool) -> TicketCategory:
    category = access_category(session, principal, category_id)
    if archive and category.active and session.exec(
            select(func.count()).select_from(TicketCategory).where(TicketCategory.active)).one() <= 1:
        raise Invalid("Customers need at least one category to choose: add another before archiving this one.")
    return category


def do_archive_category(session: Session, principal: Principal, category_id: object) -> TicketCategory:
    """No longer offered to customers; its requests keep it (never deleted)."""
    return _set_category_active(session, principal, category_id, active=False)


def do_restore_category(session: Session, principal: Principal, category_id: object) -> TicketCategory:
    return _set_category_active(session, principal, category_id, active=True)


def _set_category_active(session: Session, principal: Principal, category_id: object, *,
                         active: bool) -> TicketCategory:
    category = check_archive_category(session, principal, category_id, archive=not active)
    if category.active == active:
        return category
    category.active = active
    session.add(category)
    audit.record(session, "ticket_category.restored" if active else "ticket_category.archived", actor=principal,
                 **_category_target(category))
    session.flush()
    return category


def _direction(value: object) -> int:
    if not isinstance(value, str) or value not in DIRECTIONS:
        raise Invalid("Move it up or down.", field="direction")
    return -1 if value == "up" else 1


def _move(rows: list, row, step: int) -> bool:
    """Renumber `rows` (in their order) 1..n with `row` swapped with its
    neighbour; False when it is already at that end."""
    index = next(i for i, r in enumerate(rows) if r.id == row.id)
    other = index + step
    if not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for position, r in enumerate(rows, start=1):
        r.position = position
    return True


def do_move_category(session: Session, principal: Principal, category_id: object, direction: object) -> bool:
    """One place up or down in the order customers see; True if it moved."""
    category = access_category(session, principal, category_id)
    step = _direction(direction)
    rows = list(session.exec(select(TicketCategory).order_by(TicketCategory.position, TicketCategory.id)).all())
    if not _move(rows, category, step):
        return False
    session.add_all(rows)
    audit.record(session, "ticket_category.moved", actor=principal, **_category_target(category),
                 details={"direction": direction})
    session.flush()
    return True


# ---------------------------------------------------------------- questions

def _question_target(field: TicketField) -> dict:
    return {"target_type": "ticket_field", "target_id": field.id, "target_label": field.label}


def check_add_question(session: Session, principal: Principal, category_id: object,
                       **fields: object) -> tuple[TicketCategory, QuestionInput]:
    category = access_category(session, principal, category_id)
    clean = _clean_question(**fields)
    count = session.exec(select(func.count()).select_from(TicketField)
                         .where(TicketField.category_id == category.id, TicketField.active)).one()
    if count >= MAX_QUESTIONS:
        raise Invalid(f"A form asks at most {MAX_QUESTIONS} questions.")
    _same_label(session, category.id, clean.label)
    return category, clean


def do_add_question(session: Session, principal: Principal, category_id: object, *, label: object, kind: object,
                    required: object = False, help_text: object = "", options: object = None,
                    internal: object = False) -> TicketField:
    """A new question, last on the category's form: asked of the next request."""
    category, clean = check_add_question(session, principal, category_id, label=label, kind=kind, required=required,
                                         help_text=help_text, options=options, internal=internal)
    last = session.exec(select(func.max(TicketField.position)).where(TicketField.category_id == category.id)).one()
    field = TicketField(category_id=category.id, label=clean.label, kind=clean.kind, required=clean.required,
                        help_text=clean.help_text, options=json.dumps(list(clean.options)),
                        internal=clean.internal, active=True, position=(last or 0) + 1)
    session.add(field)
    session.flush()
    audit.record(session, "ticket_field.added", actor=principal, **_question_target(field),
                 details={"category": category.name, "kind": clean.kind})
    return field


def _answers(session: Session, field: TicketField) -> int:
    return session.exec(select(func.count()).select_from(TicketAnswer).where(TicketAnswer.field_id == field.id)).one()


def check_change_question(session: Session, principal: Principal, field_id: object,
                          **fields: object) -> tuple[TicketField, QuestionInput]:
    field = access_question(session, principal, field_id)
    if not field.active:
        raise Invalid("Restore this question before changing it.")
    clean = _clean_question(**fields)
    if clean.kind != field.kind and _answers(session, field):
        raise Invalid("Requests have answered this question, so it keeps its kind: remove it and add a new "
                      "question instead.", field="kind")
    _same_label(session, field.category_id, clean.label, field.id)
    return field, clean


def do_change_question(session: Session, principal: Principal, field_id: object, *, label: object, kind: object,
                       required: object, help_text: object, options: object = None,
                       internal: object = False) -> TicketField:
    """Change a question; requests already raised keep their answers as given."""
    field, clean = check_change_question(session, principal, field_id, label=label, kind=kind, required=required,
                                         help_text=help_text, options=options, internal=internal)
    old = {"label": field.label, "kind": field.kind, "required": field.required, "help_text": field.help_text,
           "options": tuple(stored_options(field.options)), "internal": field.internal}
    new = {"label": clean.label, "kind": clean.kind, "required": clean.required, "help_text": clean.help_text,
           "options": clean.options, "internal": clean.internal}
    changed = sorted(key for key in new if new[key] != old[key])
    if not changed:
        return field
    field.label, field.kind, field.required, field.help_text = clean.label, clean.kind, clean.required, clean.help_text
    field.options, field.internal = json.dumps(list(clean.options)), clean.internal
    session.add(field)
    details: dict = {"changed": changed}
    if "label" in changed:
        details["from"] = old["label"]
    audit.record(session, "ticket_field.changed", actor=principal, **_question_target(field), details=details)
    session.flush()
    return field


def do_remove_question(session: Session, principal: Principal, field_id: object) -> bool:
    """The question is no longer asked. It is archived, never deleted:
    requests that answered it keep showing its label and their answer, and
    its id is never handed to another question (SQLite reuses the highest
    id of a deleted row), so an answer sent from a page loaded before the
    change is refused rather than taken for a new question's. Returns
    whether requests had answered it."""
    field = access_question(session, principal, field_id)
    if not field.active:
        raise Invalid("This question was already removed.")
    answered = _answers(session, field) > 0
    field.active = False
    session.add(field)
    audit.record(session, "ticket_field.removed", actor=principal, **_question_target(field),
                 details={"answered": answered})
    session.flush()
    return answered


def do_restore_question(session: Session, principal: Principal, field_id: object) -> TicketField:
    """An archived question is asked again, last on its form."""
    field = access_question(session, principal, field_id)
    if field.active:
        raise Invalid("This question is already on the form.")
    count = session.exec(select(func.count()).select_from(TicketField)
                         .where(TicketField.category_id == field.category_id, TicketField.active)).one()
    if count >= MAX_QUESTIONS:
        raise Invalid(f"A form asks at most {MAX_QUESTIONS} questions.")
    _same_label(session, field.category_id, field.label, field.id)
    last = session.exec(select(func.max(TicketField.position)).where(TicketField.category_id ==
                                                                      field.category_id)).one()
    field.active, field.position = True, (last or 0) + 1
    session.add(field)
    audit.record(session, "ticket_field.restored", actor=principal, **_question_target(field))
    session.flush()
    return field


def do_move_question(session: Session, principal: Principal, field_id: object, direction: object) -> bool:
    """One place up or down on its form; True if it moved."""
    field = access_question(session, principal, field_id)
    step = _direction(direction)
    if not field.active:
        raise Invalid("Restore this question before moving it.")
    rows = list(session.exec(select(TicketField).where(TicketField.category_id == field.category_id,
                                                       TicketField.active)
                             .order_by(TicketField.position, TicketField.id)).all())
    if not _move(rows, field, step):
        return False
    session.add_all(rows)
    audit.record(session, "ticket_field.moved", actor=principal, **_question_target(field),
                 details={"direction": direction})
    session.flush()
    return True
