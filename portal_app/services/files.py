"""Private files of an organisation: taking an upload in as a stream (the
real type found from its first bytes, a limit per kind of file, the
organisation's quota), who may see one, and reading it back as a stream.

Every area that keeps files (logos now; ticket attachments, documents,
request items later) declares a `FileKind` here and calls `store` and
`access_file`; the one download route (`api/files.py`) serves them all."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app.db import after_commit, on_rollback
from portal_app.integrations.storage import Storage, TooBig, get_storage, new_key
from portal_app.models import Organization, StoredFile
from portal_app.services.errors import ErrorCode, Invalid, NotFound, TooLarge
from portal_app.services.principal import ROLES, Principal, require_role
from portal_app.services.validation import clean_text
from portal_app.settings import Settings, get_settings

LOGO_MAX_BYTES = 1_000_000
SNIFF_BYTES = 4096  # enough of the start of a file to know what it is

IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
DOCUMENTS = IMAGES | frozenset({"application/pdf", "text/plain", "text/csv", "application/zip",
                                "application/vnd.openxmlformats-officedocument"})
PREVIEWABLE = IMAGES | {"application/pdf"}  # shown inline in a page (sandboxed); everything else downloads


@dataclass(frozen=True)
class FileKind:
    """What a kind of file is for: the types it may be, its size limit, and
    the roles that may add one (every member may read)."""

    name: str
    label: str
    types: frozenset[str]
    max_bytes: Callable[[Settings], int]
    uploaders: tuple[str, ...] = ROLES
    empty: str = "The file is empty."
    # Read by whoever may see what it is attached to, as the owning area's
    # `READERS` entry says; until that area registers one, by nobody.
    guarded: bool = False
    # Staff roles that may store a file of this kind into any organisation
    # (documents they share); staff are members of none, so by default none.
    staff_uploaders: tuple[str, ...] = ()


KINDS = {
    "logo": FileKind("logo", "The logo", frozenset({"image/png", "image/jpeg"}), lambda s: LOGO_MAX_BYTES,
                     ("owner", "admin", "billing"), empty="Choose an image file."),
    "attachment": FileKind("attachment", "The file", DOCUMENTS, lambda s: s.max_upload_bytes),
    "ticket": FileKind("ticket", "The file", DOCUMENTS, lambda s: s.max_upload_bytes, guarded=True),
    "document": FileKind("document", "The file", DOCUMENTS, lambda s: s.max_upload_bytes, guarded=True,
                         staff_uploaders=("admin", "billing", "agent")),
}

# Signatures at the start of a file, most specific first.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
)
# Never accepted, whatever the name says: programs, and what a browser would
# run as a page (HTML, SVG, XML that may be either).
_REFUSED = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa")
_MARKUP = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml", b"<head", b"<body", b"<iframe")
_OFFICE = {".docx": "application/vnd.openxmlformats-officedocument", ".xlsx":
           "application/vnd.openxmlformats-officedocument", ".pptx": "application/vnd.openxmlformats-officedocument"}


def sniff(head: bytes, filename: str) -> str | None:
    """The real type of a file from its first bytes; the name only tells
    which zip-based office format a zip is. None: not a type we take."""
    if head.startswith(_REFUSED):
        return None
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            if content_type == "application/zip":
                return _OFFICE.get(_extension(filename), content_type)
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return _text_type(head, filename)


def _extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""


def _text_type(head: bytes, filename: str) -> str | None:
    """Plain text (UTF-8, no control bytes), unless it looks like markup."""
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 3:  # a character cut at the end of the sample is fine
            return None
        text = head[: err.start].decode("utf-8")
    if any(marker in text.lower().lstrip().encode() for marker in _MARKUP):
        return None
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
        return None
    return "text/csv" if _extension(filename) == ".csv" else "text/plain"


def _kind(kind: object) -> FileKind:
    if not isinstance(kind, str) or kind not in KINDS:
        raise Invalid("Unknown kind of file.", field="file")
    return KINDS[kind]


def usage(session: Session, org_id: int) -> int:
    """Bytes the organisation stores, for the quota."""
    return session.exec(select(func.coalesce(func.sum(StoredFile.size), 0)).where(StoredFile.org_id == org_id)).one()


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def _typed(chunks: Iterable[bytes], kind: FileKind, filename: str) -> tuple[str, Iterator[bytes]]:
    """The type from the first bytes, then every byte (the first ones too)."""
    stream, head = iter(chunks), b""
    for chunk in stream:
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break
    if not head:
        raise Invalid(kind.empty, field="file")
    content_type = sniff(head[:SNIFF_BYTES], filename)
    if content_type not in kind.types:
        raise Invalid(f"{kind.label} must be {_type_words(kind.types)}.", field="file",
                      code=ErrorCode.BAD_FILE_TYPE)

    def everything() -> Iterator[bytes]:
        yield head
        yield from stream

    return content_type, everything()


def _type_words(types: frozenset[str]) -> str:
    if types <= {"image/png", "image/jpeg"}:
        return "a PNG or JPEG image"
    return "an image, a PDF, a text or CSV file, an office document or a zip"


def store(session: Session, principal: Principal, org_id: object, *, kind: object, filename: object,
          chunks: Iterable[bytes], storage: Storage | None = None) -> StoredFile:
    """Stream an upload into storage and record it. Refused before a byte is
    kept: someone who may not add files, an unknown kind, a bad name, a type
    the bytes do not support, more than the kind's limit, or more than the
    organisation's quota. A file stored by a transaction that then rolls back
    is deleted again."""
    file_kind = _kind(kind)
    _may_store(session, principal, org_id, file_kind)
    name = clean_text(filename, field="file", label="File name", max_length=255)
    settings, storage = get_settings(), storage or get_storage()
    used = usage(session, org_id)
    room = settings.org_quota_bytes - used
    if room <= 0:
        raise TooLarge(f"Your organisation has used its {_megabytes(settings.org_quota_bytes)} of storage. "
                       "Remove files you no longer need, or ask us for more room.", code=ErrorCode.QUOTA_FULL)
    limit = file_kind.max_bytes(settings)
    content_type, everything = _typed(chunks, file_kind, name)
    key = new_key(f"{file_kind.name}s/{org_id}")
    try:
        size = storage.save(key, everything, max_bytes=min(limit, room))
    except TooBig:
        if room < limit:
            raise TooLarge(f"This file does not fit in your organisation's remaining storage "
                           f"({_megabytes(room)} of {_megabytes(settings.org_quota_bytes)}).",
                           code=ErrorCode.QUOTA_FULL) from None
        raise TooLarge(f"{file_kind.label} must be at most {_megabytes(limit)}.") from None
    stored = StoredFile(org_id=org_id, kind=file_kind.name, key=key, filename=name, content_type=content_type,
                        size=size, created_by_id=principal.user_id)
    session.add(stored)
    session.flush()
    # The bytes are in storage before the row commits: a rollback takes them out again.
    on_rollback(session, lambda: storage.delete(key))
    return stored


def _may_store(session: Session, principal: Principal, org_id: object, file_kind: FileKind) -> None:
    """Members with the kind's roles; staff of its `staff_uploaders` roles
    into any organisation that exists (another id is not found)."""
    if principal.is_staff and principal.role_in(org_id) is None:
        if not file_kind.staff_uploaders:
            raise NotFound("Organisation not found.")
        principal.require_staff(*file_kind.staff_uploaders)
        principal.require_verified()
        if type(org_id) is not int or session.get(Organization, org_id) is None:  # noqa: E721
            raise NotFound("Organisation not found.")
        return
    require_role(principal, org_id, *file_kind.uploaders, to="add files here", acting=True)


def copy(session: Session, principal: Principal, source: StoredFile, org_id: int, *,
         storage: Storage | None = None) -> StoredFile:
    """The same bytes as a new file of `org_id` (which then owns its own
    copy), streamed from storage to storage, never whole in memory. The
    caller has authorised both sides; the quota of `org_id` applies."""
    settings, storage = get_settings(), storage or get_storage()
    room = settings.org_quota_bytes - usage(session, org_id)
    if room < source.size:
        raise TooLarge("This file does not fit in that organisation's remaining storage.",
                       code=ErrorCode.QUOTA_FULL)
    key = new_key(f"{source.kind}s/{org_id}")
    try:
        size = storage.save(key, storage.open(source.key), max_bytes=room)
    except TooBig:
        raise TooLarge("This file does not fit in that organisation's remaining storage.",
                       code=ErrorCode.QUOTA_FULL) from None
    stored = StoredFile(org_id=org_id, kind=source.kind, key=key, filename=source.filename,
                        content_type=source.content_type, size=size, created_by_id=principal.user_id)
    session.add(stored)
    session.flush()
    on_rollback(session, lambda: storage.delete(key))
    return stored


def visible_to(principal: Principal):  # noqa: ANN201 — a Select
    """Files of the organisations the person belongs to (areas narrow this
    further by what a file is attached to)."""
    return select(StoredFile).where(StoredFile.org_id.in_([m.org_id for m in principal.memberships]))


# Who may read (or, with change=True, remove) a file of a kind some area
# attaches to its rows (a ticket's attachments follow the ticket): kind -> a
# check raising NotFound or Forbidden, registered by that area. Files of
# other kinds are read by every member of their organisation.
Reader = Callable[..., None]  # (session, principal, stored, *, change: bool)
READERS: dict[str, Reader] = {}


def access_file(session: Session, principal: Principal, file_id: object, *, change: bool = False) -> StoredFile:
    """One file the person may read (or remove), or NotFound (missing and
    not-yours look the same)."""
    if type(file_id) is not int:  # noqa: E721 — True, floats and strings are no id
        raise NotFound("File not found.")
    found = session.get(StoredFile, file_id)
    if found is not None and found.kind in KINDS and KINDS[found.kind].guarded:
        if found.kind not in READERS:
            raise NotFound("File not found.")  # fail closed
        READERS[found.kind](session, principal, found, change=change)
        return found
    found = session.exec(visible_to(principal).where(StoredFile.id == file_id)).first()
    if found is None:
        raise NotFound("File not found.")
    require_role(principal, found.org_id, *ROLES, to="read files")
    return found


def delete(session: Session, principal: Principal, file_id: object, *, storage: Storage | None = None) -> None:
    """Remove a file: the row now, the bytes once that commits."""
    found = access_file(session, principal, file_id, change=True)
    require_role(principal, found.org_id, *KINDS[found.kind].uploaders, to="remove files here", acting=True)
    session.delete(found)
    session.flush()
    key, storage = found.key, storage or get_storage()
    after_commit(session, lambda: storage.delete(key))


def forget_key(session: Session, key: str, *, storage: Storage | None = None) -> None:
    """A file its owner replaced or removed (the logo): the row now, the
    bytes once that commits. A key from before files had rows is just bytes."""
    stored = session.exec(select(StoredFile).where(StoredFile.key == key)).first()
    if stored is not None:
        session.delete(stored)
        session.flush()
    storage = storage or get_storage()
    after_commit(session, lambda: storage.delete(key))


def open_file(stored: StoredFile, storage: Storage | None = None) -> Iterator[bytes]:
    return (storage or get_storage()).open(stored.key)
