"""A PDF's pages as images, for a document's page: browsers will not run
their PDF viewer in a sandboxed frame (and a PDF must never run in our
origin), so the server renders one page at a time to a PNG with PDFium
(`pypdfium2`, the engine Chromium uses), read through the one access check
(`files.access_file`).

The PDF is streamed from storage into a temporary file, never whole in
memory; PDFs larger than PDF_PREVIEW_MAX_BYTES, encrypted or broken ones
are not previewed (the page says to download them). PDFium is not
thread-safe: every call into it takes one lock."""

from __future__ import annotations

import io
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from portal_app.models import StoredFile
from portal_app.services import files
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.principal import Principal
from portal_app.settings import MB

PDF_PREVIEW_MAX_BYTES = 50 * MB
PAGE_PIXELS_MAX = 1600  # the longer side of a rendered page
PDF_TYPE = "application/pdf"
_PDFIUM = threading.Lock()


def _pdf(session: Session, principal: Principal, file_id: object) -> StoredFile:
    stored = files.access_file(session, principal, file_id)
    if stored.content_type != PDF_TYPE:
        raise NotFound("File not found.")
    if stored.size > PDF_PREVIEW_MAX_BYTES:
        raise Invalid("This PDF is too large to preview: download it.")
    return stored


@contextmanager
def _local_copy(stored: StoredFile) -> Iterator[str]:
    """The stored PDF as a temporary file's path (streamed in chunks)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        for chunk in files.open_file(stored):
            handle.write(chunk)
        handle.flush()
        yield handle.name


@contextmanager
def _opened(stored: StoredFile):  # noqa: ANN202 — a pypdfium2 PdfDocument
    import pypdfium2

    with _local_copy(stored) as path, _PDFIUM:
        try:
            document = pypdfium2.PdfDocument(path)
        except pypdfium2.PdfiumError:
            raise Invalid("This PDF cannot be previewed (it is protected or damaged): download it.") from None
        try:
            yield document
        finally:
            document.close()


def page_count(session: Session, principal: Principal, file_id: object) -> int:
    """How many pages the PDF has (0 when it cannot be previewed)."""
    try:
        with _opened(_pdf(session, principal, file_id)) as document:
            return len(document)
    except Invalid:  # too large, protected or damaged
        return 0


def page_png(session: Session, principal: Principal, file_id: object, page: object) -> bytes:
    """Page `page` (from 1) of the PDF as a PNG at most PAGE_PIXELS_MAX on
    its longer side."""
    stored = _pdf(session, principal, file_id)
    with _opened(stored) as document:
        number = page if type(page) is int else 0  # noqa: E721 — True is an int too
        if not 1 <= number <= len(document):
            raise NotFound("No such page.")
        sheet = document[number - 1]
        try:
            width, height = sheet.get_size()
            scale = min(PAGE_PIXELS_MAX / max(width, height, 1), 3.0)
            image = sheet.render(scale=scale).to_pil()
        finally:
            sheet.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
