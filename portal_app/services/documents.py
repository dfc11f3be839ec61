"""The document library: an organisation's folders, the documents in them
and every version of each, shared between the business and the customer.

Who sees what (`visible_to`, the one choke point for reads):
- a customer sees the folders of their organisation whose audience includes
  their role ("all": every member); owners and admins see every folder of
  their organisation, since they manage them;
- staff (any staff role) see every organisation's folders.

Who does what:
- owners and admins (and staff) create folders, rename them and set their
  audience; they (and staff) delete documents;
- every member who sees a folder uploads into it (their own files:
  `files.store` with kind "document", then `add_files` links them);
- staff of `STAFF_WRITERS` (every staff role: admin, billing, agent) upload
  into any organisation's folder and **share** one file into several
  organisations at once: each organisation gets its own copy of the bytes
  (`files.copy`, streamed), in a folder of the chosen name (made if
  missing), and its members who see that folder are told.

Versions: a file whose name matches a document of the folder (any case) is
that document's next version; every earlier one is kept and downloads.
Files of kind "document" are read through the one download route, which
asks `check_stored` (registered in `files.READERS`): whoever sees the
document's folder; before it is linked, only its uploader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, false, func, literal, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal_app import routes
from portal_app.db import after_commit, lock_rows
from portal_app.integrations.storage import Storage, get_storage
from portal_app.models import Document, DocumentVersion, Folder, Membership, Organization, StoredFile, User
from portal_app.models.base import utcnow
from portal_app.services import audit, files, live, notifications
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound
from portal_app.services.principal import ROLES, Principal, require_role
from portal_app.services.validation import clean_text

KIND = "document"  # services/files.py KINDS: read by whoever sees the document's folder
MANAGERS = ("owner", "admin")  # an organisation's roles that manage its folders and delete documents
STAFF_WRITERS = ("admin", "billing", "agent")  # staff who create folders, upload, share and delete
FOLDER_NAME_MAX = 100
NAME_MAX = 255
NOTE_MAX = 500
MAX_FILES = 20  # linked at once
MAX_SHARE_ORGS = 50
TEXT_PREVIEW_BYTES = 64 * 1024
TOPIC = "documents"
NOT_FOUND = "Document not found."
FOLDER_NOT_FOUND = "Folder not found."
SORTS = ("name", "date")


# ---------------------------------------------------------------- who sees what

def _as_id(value: object) -> int | None:
    return value if type(value) is int and 0 < value < 2**63 else None  # noqa: E721 — True is an int


def _audience_has(role: str):  # noqa: ANN202 — a SQL condition
    return (literal(",") + Folder.audience + literal(",")).like(f"%,{role},%")


def visible_to(principal: Principal):  # noqa: ANN201 — a Select of Folder
    """The folders `principal` sees (module docstring)."""
    principal.require_mfa_ready()
    if principal.is_staff:
        principal.require_staff()
        return select(Folder)
    conditions = []
    for m in principal.memberships:
        if m.role in MANAGERS:
            conditions.append(Folder.org_id == m.org_id)
        else:
            conditions.append((Folder.org_id == m.org_id) & ((Folder.audience == "all") | _audience_has(m.role)))
    return select(Folder).where(or_(*conditions) if conditions else false())


def access_folder(session: Session, principal: Principal, folder_id: object) -> Folder:
    wanted = _as_id(folder_id)
    row = session.exec(visible_to(principal).where(Folder.id == wanted)).first() if wanted else None
    if row is None:
        raise NotFound(FOLDER_NOT_FOUND)
    return row


def access_document(session: Session, principal: Principal, document_id: object) -> tuple[Document, Folder]:
    wanted = _as_id(document_id)
    row = None
    if wanted:
        row = session.execute(visible_to(principal).join(Document, Document.folder_id == Folder.id)
                              .where(Document.id == wanted).with_only_columns(Document, Folder)).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return row[0], row[1]


def _org_exists(session: Session, org_id: object) -> int:
    wanted = _as_id(org_id)
    if wanted is None or session.get(Organization, wanted) is None:
        raise NotFound("Organisation not found.")
    return wanted


def check_see_org(session: Session, principal: Principal, org_id: object) -> int:
    """An organisation whose library the person may open."""
    if principal.is_staff:
        principal.require_staff()
        return _org_exists(session, org_id)
    require_role(principal, org_id, *ROLES, to="see documents")
    return org_id  # type: ignore[return-value]


def check_manage(session: Session, principal: Principal, org_id: object) -> int:
    """Create, rename and set the audience of folders; delete documents."""
    if principal.is_staff:
        principal.require_staff(*STAFF_WRITERS)
        principal.require_verified()
        return _org_exists(session, org_id)
    require_role(principal, org_id, *MANAGERS, to="manage folders and delete documents", acting=True)
    return org_id  # type: ignore[return-value]


def check_upload(principal: Principal, folder: Folder) -> None:
    """Whoever sees a folder uploads into it (staff: of STAFF_WRITERS)."""
    if principal.is_staff:
        principal.require_staff(*STAFF_WRITERS)
        principal.require_verified()
        return
    require_role(principal, folder.org_id, *ROLES, to="upload documents", acting=True)


def upload_org(session: Session, principal: Principal, folder_id: object) -> int:
    """Before a page uploads into a folder: the organisation the files go to
    (`files.store`, kind "document"), if the person may upload there."""
    folder = access_folder(session, principal, folder_id)
    check_upload(principal, folder)
    return folder.org_id


def check_stored(session: Session, principal: Principal, stored: StoredFile, *, change: bool = False) -> None:
    """Who may read a file of kind "document" (`files.access_file`): whoever
    sees the document it is a version of; before it is linked, only the
    person who uploaded it. Versions are removed with their document only."""
    version = session.exec(select(DocumentVersion).where(DocumentVersion.file_id == stored.id)).first()
    if version is None:
        mine = stored.created_by_id == principal.user_id
        if not mine or (principal.role_in(stored.org_id) is None and not principal.is_staff):
            raise NotFound("File not found.")
        return
    try:
        document, _ = access_document(session, principal, version.document_id)
    except NotFound:
        raise NotFound("File not found.") from None
    if document.org_id != stored.org_id:
        raise NotFound("File not found.")
    if change:
        raise Forbidden("A document's versions are removed with the document.", code=ErrorCode.FORBIDDEN)


files.READERS[KIND] = check_stored


# ---------------------------------------------------------------- cleaning input

def parse_audience(value: object) -> str:
    """"all", or roles (a list, or a comma string) -> the stored text."""
    if value is None or value == "" or value == "all" or value == ["all"]:
        return "all"
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or len(value) > len(ROLES):
        raise Invalid("Choose who sees the folder.", field="audience")
    roles = []
    for role in value:
        if not isinstance(role, str) or role.strip() not in ROLES:
            raise Invalid("Choose who sees the folder: every member, or some of the roles.", field="audience")
        if role.strip() not in roles:
            roles.append(role.strip())
    if not roles:
        raise Invalid("Choose at least one role, or every member.", field="audience")
    if set(roles) == set(ROLES):
        return "all"
    return ",".join(r for r in ROLES if r in roles)


def audience_words(audience: str) -> str:
    if audience == "all":
        return "Every member"
    names = {"owner": "Owners", "admin": "Admins", "billing": "Billing", "member": "Members"}
    return ", ".join(names.get(r, r) for r in audience.split(","))


def clean_folder_name(value: object) -> str:
    return clean_text(value, field="name", label="Folder name", max_length=FOLDER_NAME_MAX)


def clean_name(value: object) -> str:
    """A document's name: a file name, without any folder part a browser or
    a hostile client sent ("../../etc/passwd" is "passwd")."""
    name = clean_text(value, field="file", label="File name", max_length=NAME_MAX)
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in ("", ".", ".."):
        raise Invalid("The file needs a name.", field="file")
    return name


def clean_note(value: object) -> str:
    return clean_text(value, field="note", label="Note", max_length=NOTE_MAX, required=False)


def _file_ids(value: object) -> list[int]:
    if not isinstance(value, list | tuple) or not value:
        raise Invalid("Choose a file to upload.", field="file")
    if len(value) > MAX_FILES:
        raise Invalid(f"Upload at most {MAX_FILES} files at once.", field="file")
    ids = [_as_id(v) for v in value]
    if None in ids:
        raise Invalid("Those files are not available: upload them again.", field="file")
    return list(dict.fromkeys(ids))  # type: ignore[arg-type]


# ---------------------------------------------------------------- folders

def _same_folder(session: Session, org_id: int, name: str, other_than: int | None = None) -> Folder | None:
    stmt = select(Folder).where(Folder.org_id == org_id, func.lower(Folder.name) == name.lower())
    if other_than is not None:
        stmt = stmt.where(Folder.id != other_than)
    return session.exec(stmt).first()


def _changed(session: Session, org_id: int) -> None:
    live.changed(session, live.org_key(org_id, TOPIC), live.staff_key(TOPIC))


def create_folder(session: Session, principal: Principal, org_id: object, *, name: object,
                  audience: object = "all") -> Folder:
    org_id = check_manage(session, principal, org_id)
    clean = clean_folder_name(name)
    who = parse_audience(audience)
    if _same_folder(session, org_id, clean) is not None:
        raise Invalid("There is already a folder with this name.", field="name")
    folder = Folder(org_id=org_id, name=clean, audience=who, created_by_id=principal.user_id)
    session.add(folder)
    session.flush()
    audit.record(session, "document.folder_created", actor=principal, org_id=org_id, target_type="folder",
                 target_id=folder.id, target_label=folder.name, details={"audience": audience_words(who)})
    _changed(session, org_id)
    return folder


def update_folder(session: Session, principal: Principal, folder_id: object, *, name: object,
                  audience: object) -> Folder:
    """Rename a folder and set who sees it."""
    folder = access_folder(session, principal, folder_id)
    check_manage(session, principal, folder.org_id)
    clean, who = clean_folder_name(name), parse_audience(audience)
    if _same_folder(session, folder.org_id, clean, other_than=folder.id) is not None:
        raise Invalid("There is already a folder with this name.", field="name")
    if (folder.name, folder.audience) == (clean, who):
        return folder
    old = folder.name
    folder.name, folder.audience = clean, who
    session.add(folder)
    session.flush()
    audit.record(session, "document.folder_changed", actor=principal, org_id=folder.org_id, target_type="folder",
                 target_id=folder.id, target_label=folder.name,
                 details={"from": old, "audience": audience_words(who)})
    _changed(session, folder.org_id)
    return folder


# ---------------------------------------------------------------- documents and versions

def _lock(session: Session, folder: Folder) -> None:
    """Uploads into one folder one at a time: two files of the same name, or
    two new versions of one document, never race for a name or a number."""
    lock_rows(session, select(Folder.id).where(Folder.id == folder.id))


def _pending(session: Session, principal: Principal, org_id: int, ids: list[int]) -> list[StoredFile]:
    """The person's own uploads of kind "document" to `org_id` that are not
    a version of anything yet, in the order given; any other id refuses all."""
    rows = session.exec(select(StoredFile).where(
        StoredFile.id.in_(ids), StoredFile.org_id == org_id, StoredFile.kind == KIND,
        StoredFile.created_by_id == principal.user_id,
        StoredFile.id.not_in(select(DocumentVersion.file_id)))).all()
    found = {row.id: row for row in rows}
    if len(found) != len(ids):
        raise Invalid("Those files are not available: upload them again.", field="file")
    return [found[i] for i in ids]


def _add_version(session: Session, principal: Principal, folder: Folder, stored: StoredFile, *, note: str,
                 document: Document | None = None) -> tuple[Document, DocumentVersion]:
    name = clean_name(stored.filename)
    now = utcnow()
    if document is None:
        document = session.exec(select(Document).where(Document.folder_id == folder.id,
                                                       func.lower(Document.name) == name.lower())).first()
    if document is None:
        document = Document(org_id=folder.org_id, folder_id=folder.id, name=name, current_version=0,
                            created_by_id=principal.user_id, created_at=now)
    document.current_version += 1
    document.updated_by_id, document.updated_at = principal.user_id, now
    session.add(document)
    session.flush()
    version = DocumentVersion(document_id=document.id, number=document.current_version, file_id=stored.id,
                              note=note, size=stored.size, content_type=stored.content_type,
                              created_by_id=principal.user_id, created_at=now)
    session.add(version)
    session.flush()
    action = "document.uploaded" if version.number == 1 else "document.version_added"
    audit.record(session, action, actor=principal, org_id=folder.org_id, target_type="document",
                 target_id=document.id, target_label=document.name,
                 details={"folder": folder.name, "version": version.number, **({"note": note} if note else {})})
    return document, version


def add_files(session: Session, principal: Principal, folder_id: object, file_ids: object, *,
              note: object = "") -> list[Document]:
    """Link the person's uploads (`files.store`, kind "document") into a
    folder: each a new document, or the next version of the document of
    the same name."""
    folder = access_folder(session, principal, folder_id)
    check_upload(principal, folder)
    clean = clean_note(note)
    _lock(session, folder)
    documents = [_add_version(session, principal, folder, stored, note=clean)[0]
                 for stored in _pending(session, principal, folder.org_id, _file_ids(file_ids))]
    _changed(session, folder.org_id)
    return documents


def add_version(session: Session, principal: Principal, document_id: object, file_id: object, *,
                note: object = "") -> DocumentVersion:
    """"Upload a new version" on a document's page (whatever the file's name)."""
    document, folder = access_document(session, principal, document_id)
    check_upload(principal, folder)
    clean = clean_note(note)
    (stored,) = _pending(session, principal, folder.org_id, _file_ids([file_id]))
    _lock(session, folder)
    session.refresh(document)  # the newest version number, once nobody else is adding one
    _, version = _add_version(session, principal, folder, stored, note=clean, document=document)
    _changed(session, folder.org_id)
    return version


def delete_document(session: Session, principal: Principal, document_id: object, *,
                    storage: Storage | None = None) -> str:
    """Remove a document with every version: rows now, bytes once that commits."""
    document, folder = access_document(session, principal, document_id)
    check_manage(session, principal, folder.org_id)
    stored = session.exec(select(StoredFile).join(DocumentVersion, DocumentVersion.file_id == StoredFile.id)
                          .where(DocumentVersion.document_id == document.id)).all()
    audit.record(session, "document.deleted", actor=principal, org_id=folder.org_id, target_type="document",
                 target_id=document.id, target_label=document.name,
                 details={"folder": folder.name, "versions": document.current_version})
    for version in session.exec(select(DocumentVersion).where(DocumentVersion.document_id == document.id)).all():
        session.delete(version)
    session.flush()
    keys = [f.key for f in stored]
    for f in stored:
        session.delete(f)
    session.delete(document)
    session.flush()
    storage = storage or get_storage()
    after_commit(session, lambda: [storage.delete(k) for k in keys])
    _changed(session, folder.org_id)
    return document.name


# ---------------------------------------------------------------- sharing (staff)

def _org_ids(value: object) -> list[int]:
    if not isinstance(value, list | tuple) or not value:
        raise Invalid("Choose at least one organisation.", field="orgs")
    if len(value) > MAX_SHARE_ORGS:
        raise Invalid(f"Share with at most {MAX_SHARE_ORGS} organisations at once.", field="orgs")
    ids = [_as_id(v) for v in value]
    if None in ids:
        raise NotFound("Organisation not found.")
    return list(dict.fromkeys(ids))  # type: ignore[arg-type]


def _members_who_see(session: Session, folder: Folder) -> list[int]:
    stmt = select(Membership.user_id).where(Membership.org_id == folder.org_id)
    if folder.audience != "all":
        stmt = stmt.where(Membership.role.in_([*folder.audience.split(","), *MANAGERS]))
    return list(session.exec(stmt).all())


def share(session: Session, principal: Principal, file_id: object, org_ids: object, *, folder_name: object,
          note: object = "", storage: Storage | None = None) -> list[Document]:
    """Staff: one uploaded file into the folder `folder_name` of each chosen
    organisation (made for every member if missing), one version each. The
    file was uploaded into one of them; every other one gets its own copy."""
    principal.require_staff(*STAFF_WRITERS)
    principal.require_verified()
    name, clean = clean_folder_name(folder_name), clean_note(note)
    wanted = _org_ids(org_ids)
    source = session.get(StoredFile, _as_id(file_id) or 0)
    if (source is None or source.kind != KIND or source.created_by_id != principal.user_id
            or session.exec(select(DocumentVersion.id).where(DocumentVersion.file_id == source.id)).first()):
        raise Invalid("That file is not available: upload it again.", field="file")
    if source.org_id not in wanted:
        raise Invalid("That file is not available: upload it again.", field="file")
    for org_id in wanted:
        _org_exists(session, org_id)
    storage = storage or get_storage()
    documents = []
    for org_id in wanted:
        stored = source if org_id == source.org_id else files.copy(session, principal, source, org_id,
                                                                   storage=storage)
        folder = _same_folder(session, org_id, name)
        if folder is not None:
            _lock(session, folder)
        else:
            folder = Folder(org_id=org_id, name=name, audience="all", created_by_id=principal.user_id)
            session.add(folder)
            session.flush()
            audit.record(session, "document.folder_created", actor=principal, org_id=org_id, target_type="folder",
                         target_id=folder.id, target_label=folder.name, details={"audience": "Every member"})
        document, version = _add_version(session, principal, folder, stored, note=clean)
        notifications.notify(session, _members_who_see(session, folder), notifications.EVENTS["document_shared"],
                             notifications.Target(routes.document_path(document.id), org_id),
                             facts={"document": document.name, "folder": folder.name})
        _changed(session, org_id)
        documents.append(document)
    return documents


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class FolderRow:
    id: int
    name: str
    audience: str  # in words
    documents: int


def list_folders(session: Session, principal: Principal, org_id: object) -> list[FolderRow]:
    """The organisation's folders the person sees, by name, with their
    document counts (one statement)."""
    org_id = check_see_org(session, principal, org_id)
    count = (select(func.count(Document.id)).where(Document.folder_id == Folder.id).correlate(Folder)
             .scalar_subquery())
    rows = session.execute(visible_to(principal).where(Folder.org_id == org_id)
                        .with_only_columns(Folder.id, Folder.name, Folder.audience, count)
                        .order_by(func.lower(Folder.name), Folder.id)).all()
    return [FolderRow(i, n, audience_words(a), c) for i, n, a, c in rows]


@dataclass(frozen=True)
class DocumentRow:
    id: int
    name: str
    version: int
    size: int
    content_type: str
    updated_at: datetime
    updated_by: str


def _person(alias):  # noqa: ANN001, ANN202
    return func.coalesce(func.nullif(alias.name, ""), alias.email, "")


def list_documents(session: Session, principal: Principal, folder_id: object, *, query: object = "",
                   sort: object = "name") -> tuple[Folder, list[DocumentRow]]:
    """A folder's documents (current version's size and type), narrowed to
    names containing `query`, by name or newest first (one statement)."""
    folder = access_folder(session, principal, folder_id)
    editor = aliased(User)
    stmt = (select(Document.id, Document.name, Document.current_version, DocumentVersion.size,
                   DocumentVersion.content_type, Document.updated_at, _person(editor))
            .join(DocumentVersion, (DocumentVersion.document_id == Document.id)
                  & (DocumentVersion.number == Document.current_version))
            .outerjoin(editor, editor.id == Document.updated_by_id)
            .where(Document.folder_id == folder.id))
    words = query.strip() if isinstance(query, str) and len(query) <= NAME_MAX else ""
    if words:
        stmt = stmt.where(func.lower(Document.name).contains(words.lower(), autoescape=True))
    if sort == "date":
        stmt = stmt.order_by(Document.updated_at.desc(), Document.id.desc())
    else:
        stmt = stmt.order_by(func.lower(Document.name, type_=String), Document.id)
    return folder, [DocumentRow(*row) for row in session.exec(stmt).all()]


@dataclass(frozen=True)
class VersionRow:
    number: int
    file_id: int
    size: int
    content_type: str
    note: str
    created_at: datetime
    created_by: str
    current: bool


@dataclass(frozen=True)
class DocumentView:
    document: Document
    folder: Folder
    versions: list[VersionRow]  # newest first
    preview: str  # "pdf" or "image" (inline through the download route), "text", or "" (download only)
    text: str  # the start of a text file, for "text"
    can_manage: bool
    can_upload: bool


def preview_kind(content_type: str) -> str:
    if content_type == "application/pdf":
        return "pdf"
    if content_type in files.IMAGES:
        return "image"
    if content_type in ("text/plain", "text/csv"):
        return "text"
    return ""


def _text_start(stored: StoredFile, storage: Storage | None) -> str:
    data = bytearray()
    for chunk in files.open_file(stored, storage):
        data += chunk
        if len(data) >= TEXT_PREVIEW_BYTES:
            break
    return bytes(data[:TEXT_PREVIEW_BYTES]).decode("utf-8", errors="replace")


def _allowed(check, *args) -> bool:  # noqa: ANN001
    try:
        check(*args)
    except (Forbidden, NotFound):
        return False
    return True


def document_view(session: Session, principal: Principal, document_id: object, *,
                  storage: Storage | None = None) -> DocumentView:
    document, folder = access_document(session, principal, document_id)
    author = aliased(User)
    rows = session.exec(select(DocumentVersion.number, DocumentVersion.file_id, DocumentVersion.size,
                               DocumentVersion.content_type, DocumentVersion.note, DocumentVersion.created_at,
                               _person(author))
                        .outerjoin(author, author.id == DocumentVersion.created_by_id)
                        .where(DocumentVersion.document_id == document.id)
                        .order_by(DocumentVersion.number.desc())).all()
    versions = [VersionRow(*row, current=row[0] == document.current_version) for row in rows]
    current = next(v for v in versions if v.current)
    kind = preview_kind(current.content_type)
    text = ""
    if kind == "text":
        text = _text_start(session.get(StoredFile, current.file_id), storage)
    return DocumentView(document, folder, versions, kind, text,
                        can_manage=_allowed(check_manage, session, principal, folder.org_id),
                        can_upload=_allowed(check_upload, principal, folder))
