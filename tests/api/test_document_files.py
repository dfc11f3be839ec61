"""Document files over HTTP: the guarded kind "document" goes through the
one upload route and the one download route; before it is linked only its
uploader reads it, once it is a version whoever sees the folder does (a
PDF previews inline, sandboxed), and another organisation gets 404."""

from __future__ import annotations

from sqlmodel import Session

from portal_app.services import documents, sessions
from tests.api.test_files import LOCAL, PDF, _upload
from tests.factories import register, sign_in


def test_document_versions_download_through_the_one_route(http_portal):
    client, session = http_portal(LOCAL)
    register(session)
    register(session, "eve@example.com", company="Eve Ltd", name="Eve")
    raw, ada = sign_in(session)
    eve_raw, _ = sign_in(session, "eve@example.com")
    folder = documents.create_folder(session, ada, ada.current.org_id, name="Contracts", audience="owner,admin")
    session.commit()
    client.cookies.set(sessions.cookie_name(), raw)
    answer = _upload(client, ada.current.org_id, PDF, name="terms.pdf", kind="document")
    assert answer.status_code == 201
    file_id = answer.json()["id"]
    assert client.get(f"/api/files/{file_id}").content == PDF  # the uploader, before it is linked
    with Session(session.get_bind(), expire_on_commit=False) as other:
        documents.add_files(other, ada, folder.id, [file_id])
        other.commit()
    preview = client.get(f"/api/files/{file_id}", params={"preview": 1})
    assert preview.status_code == 200 and preview.content == PDF
    assert preview.headers["content-disposition"].startswith("inline")
    assert "sandbox" in preview.headers["content-security-policy"]
    assert preview.headers["cache-control"] == "private, no-store"
    assert preview.headers["x-frame-options"] == "DENY"  # never framed: a PDF shows as images of its pages
    assert client.get(f"/api/files/{file_id}").headers["x-frame-options"] == "DENY"
    client.cookies.set(sessions.cookie_name(), eve_raw)
    refused = client.get(f"/api/files/{file_id}")
    assert refused.status_code == 404 and PDF[:20] not in refused.content
    assert _upload(client, ada.current.org_id, PDF, kind="document").status_code == 404
    client.cookies.clear()
    assert client.get(f"/api/files/{file_id}").status_code == 401



def _two_page_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=24)
    for words in ("Page one", "Page two"):
        pdf.add_page()
        pdf.cell(text=words)
    return bytes(pdf.output())


def test_a_pdfs_pages_come_as_images_to_whoever_sees_it(http_portal, monkeypatch):
    """`/api/files/<id>/pages/<n>`: a PNG of page n (PDFium on the server),
    by the same access check as the download; not for other organisations,
    other types, pages that are not there, or nobody signed in."""
    client, session = http_portal(LOCAL)
    register(session)
    register(session, "eve@example.com", company="Eve Ltd", name="Eve")
    raw, ada = sign_in(session)
    eve_raw, _ = sign_in(session, "eve@example.com")
    folder = documents.create_folder(session, ada, ada.current.org_id, name="Plans")
    session.commit()
    client.cookies.set(sessions.cookie_name(), raw)
    pdf_id = _upload(client, ada.current.org_id, _two_page_pdf(), name="plan.pdf", kind="document").json()["id"]
    text_id = _upload(client, ada.current.org_id, b"just words\n", name="notes.txt", kind="document").json()["id"]
    broken_id = _upload(client, ada.current.org_id, PDF, name="broken.pdf", kind="document").json()["id"]
    with Session(session.get_bind(), expire_on_commit=False) as other:
        documents.add_files(other, ada, folder.id, [pdf_id, text_id, broken_id])
        other.commit()
    for number in (1, 2):
        page = client.get(f"/api/files/{pdf_id}/pages/{number}")
        assert page.status_code == 200 and page.content.startswith(b"\x89PNG\r\n\x1a\n")
        assert page.headers["content-type"] == "image/png"
        assert page.headers["cache-control"] == "private, no-store" and "sandbox" in page.headers[
            "content-security-policy"]
    for missing in (0, 3, 10**6):
        assert client.get(f"/api/files/{pdf_id}/pages/{missing}").status_code == 404
    assert client.get(f"/api/files/{text_id}/pages/1").status_code == 404  # not a PDF
    assert client.get(f"/api/files/{broken_id}/pages/1").status_code in (400, 422)  # said plainly, no crash
    with Session(session.get_bind(), expire_on_commit=False) as other:
        from portal_app.services import previews

        assert previews.page_count(other, ada, pdf_id) == 2
        assert previews.page_count(other, ada, broken_id) == 0
        monkeypatch.setattr(previews, "PDF_PREVIEW_MAX_BYTES", 100)  # too large to preview: said, not read
        assert previews.page_count(other, ada, pdf_id) == 0
        assert client.get(f"/api/files/{pdf_id}/pages/1").status_code in (400, 422)
        monkeypatch.undo()
    client.cookies.set(sessions.cookie_name(), eve_raw)
    assert client.get(f"/api/files/{pdf_id}/pages/1").status_code == 404
    client.cookies.clear()
    assert client.get(f"/api/files/{pdf_id}/pages/1").status_code == 401
