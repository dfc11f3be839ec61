"""Invoice and quote PDFs and statements of account, downloaded through authorised
routes: the person is the one behind this request's session cookie
(resolved as `api/files.py` does), the service decides what they may see,
and what goes out is an attachment no cache keeps (`download_headers`).

An id that is not a positive number, another organisation's invoice, a
draft and a missing one are all the same 404; no session is a 401; a
member whose role does not let them see invoices gets a 403. The PDF is
drawn in a worker thread (fpdf2 is CPU-bound), in one transaction."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from portal_app import routes
from portal_app.api.files import _principal, download_headers
from portal_app.db import session_scope
from portal_app.services import invoice_pdf, quote_pdf, statements
from portal_app.services.errors import Invalid

router = APIRouter()

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
FORMATS = {"pdf": (statements.statement_pdf, PDF), "csv": (statements.statement_csv, CSV)}
_ID = re.compile(r"[1-9][0-9]{0,18}")


def _id(text: str) -> int | None:
    """A path or query id as a number; anything else (the services then
    answer "not found") is None."""
    return int(text) if _ID.fullmatch(text or "") else None


def _invoice(request: Request, invoice_id: str) -> tuple[str, bytes]:
    with session_scope() as session:
        return invoice_pdf.render_invoice(session, _principal(session, request), _id(invoice_id))


@router.get(routes.INVOICE_PDF_API, include_in_schema=False)
async def invoice_pdf_download(invoice_id: str, request: Request) -> Response:
    """One invoice or credit note as a PDF, for whoever may see its page."""
    filename, data = await run_in_threadpool(_invoice, request, invoice_id)
    return Response(data, media_type=PDF, headers=download_headers(filename))


def _quote(request: Request, quote_id: str) -> tuple[str, bytes]:
    with session_scope() as session:
        return quote_pdf.render_quote(session, _principal(session, request), _id(quote_id))


@router.get(routes.QUOTE_PDF_API, include_in_schema=False)
async def quote_pdf_download(quote_id: str, request: Request) -> Response:
    """One quote as a PDF (with its acceptance record), for whoever may see its page."""
    filename, data = await run_in_threadpool(_quote, request, quote_id)
    return Response(data, media_type=PDF, headers=download_headers(filename))


def _statement(request: Request, org: str, since: str, until: str, kind: str) -> tuple[str, bytes]:
    render = FORMATS[kind][0]
    with session_scope() as session:
        return render(session, _principal(session, request), _id(org), since=since, until=until)


@router.get(routes.STATEMENT_API, include_in_schema=False)
async def statement_download(request: Request, org: str = "", since: str = "", until: str = "",
                             format: str = "pdf") -> Response:  # noqa: A002 — the query parameter's name
    """The organisation's statement of account over a period, as PDF or CSV."""
    if format not in FORMATS:
        raise Invalid("Choose PDF or CSV.", field="format")
    filename, data = await run_in_threadpool(_statement, request, org, since, until, format)
    return Response(data, media_type=FORMATS[format][1], headers=download_headers(filename))
