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
    assert preview.headers["x-frame-options"] == "SAMEORIGIN"  # the document page frames it, nobody else
    assert "frame-ancestors 'self'" in preview.headers["content-security-policy"]
    assert client.get(f"/api/files/{file_id}").headers["x-frame-options"] == "DENY"  # a download is never framed
    client.cookies.set(sessions.cookie_name(), eve_raw)
    refused = client.get(f"/api/files/{file_id}")
    assert refused.status_code == 404 and PDF[:20] not in refused.content
    assert _upload(client, ada.current.org_id, PDF, kind="document").status_code == 404
    client.cookies.clear()
    assert client.get(f"/api/files/{file_id}").status_code == 401
