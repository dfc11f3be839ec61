"""The one upload route and the one download route for private files, over
HTTP through the real app: the session of that very request decides, the
body streams in, and what goes out is an attachment (or a sandboxed inline
preview for images and PDFs) that no cache keeps."""

from __future__ import annotations

import pytest

from portal_app.api.body_limit import MAX_BODY_BYTES, body_limit
from portal_app.services import sessions
from tests.factories import register, sign_in

LOCAL = "http://localhost:3000"
OURS = {"origin": LOCAL, "content-type": "application/octet-stream"}
PDF = b"%PDF-1.7\n" + b"1 0 obj <<>> endobj\n" * 50
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture
def two_orgs(http_portal):
    client, session = http_portal(LOCAL)
    register(session)
    register(session, "eve@example.com", company="Eve Ltd", name="Eve")
    raw, ada = sign_in(session)
    eve_raw, _ = sign_in(session, "eve@example.com")
    session.commit()
    client.cookies.set(sessions.cookie_name(), raw)
    return client, ada, eve_raw


def _upload(client, org_id: int, data, name: str = "report.pdf", kind: str = "attachment", headers=OURS):
    return client.post(f"/api/organizations/{org_id}/files", params={"filename": name, "kind": kind},
                       content=data, headers=headers)


def test_upload_then_download_as_an_attachment_no_cache_keeps(two_orgs):
    client, ada, _ = two_orgs
    answer = _upload(client, ada.current.org_id, iter([PDF[:100], PDF[100:]]))  # a chunked body
    assert answer.status_code == 201
    body = answer.json()
    assert (body["filename"], body["size"], body["content_type"]) == ("report.pdf", len(PDF), "application/pdf")
    got = client.get(f"/api/files/{body['id']}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"].startswith('attachment; filename="report.pdf"')
    assert got.headers["cache-control"] == "private, no-store"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    preview = client.get(f"/api/files/{body['id']}", params={"preview": 1})
    assert preview.headers["content-disposition"].startswith("inline")
    assert preview.headers["cache-control"] == "private, no-store" and "sandbox" in preview.headers[
        "content-security-policy"]


def test_text_is_never_shown_inline(two_orgs):
    client, ada, _ = two_orgs
    file_id = _upload(client, ada.current.org_id, b"plain words", name="notes.txt").json()["id"]
    preview = client.get(f"/api/files/{file_id}", params={"preview": 1})
    assert preview.headers["content-disposition"].startswith("attachment")


def test_another_organisation_and_nobody_get_nothing(two_orgs):
    client, ada, eve_raw = two_orgs
    file_id = _upload(client, ada.current.org_id, PDF).json()["id"]
    client.cookies.set(sessions.cookie_name(), eve_raw)
    refused = client.get(f"/api/files/{file_id}")
    assert refused.status_code == 404 and PDF[:20] not in refused.content
    assert _upload(client, ada.current.org_id, PDF).status_code == 404
    client.cookies.clear()
    assert client.get(f"/api/files/{file_id}").status_code == 401
    assert _upload(client, ada.current.org_id, PDF).status_code == 401


def test_bad_uploads_get_problem_json(two_orgs):
    client, ada, _ = two_orgs
    org_id = ada.current.org_id
    cross = _upload(client, org_id, PDF, headers={"origin": "https://evil.example"})
    assert cross.status_code == 403 and cross.json()["code"] == "bad_origin"
    disguised = _upload(client, org_id, b"MZ\x90\x00" + b"\x00" * 50, name="invoice.pdf")
    assert disguised.status_code == 422 and disguised.json()["code"] == "bad_file_type"
    html = _upload(client, org_id, b"<html><script>alert(1)</script></html>", name="a.txt")
    assert html.status_code == 422
    empty = _upload(client, org_id, b"")
    assert empty.status_code == 422 and empty.json()["detail"] == "The file is empty."
    assert _upload(client, org_id, PDF, kind="secrets").status_code == 422
    assert client.post("/api/organizations/abc/files", content=PDF, headers=OURS).status_code == 422
    assert client.get("/api/files/abc").status_code == 422
    assert client.get("/api/files/99999").status_code == 404


def test_the_upload_route_takes_more_than_a_form_and_no_more_than_a_file(two_orgs):
    """The body cap is the biggest allowed file on the upload route only."""
    from fastapi.testclient import TestClient

    from portal_app.api.app import api
    from portal_app.settings import get_settings

    client, ada, _ = two_orgs
    capped = TestClient(body_limit(api), base_url=LOCAL, cookies=dict(client.cookies))
    bigger_than_a_form = b"a" * (MAX_BODY_BYTES + 10)
    answer = capped.post(f"/api/organizations/{ada.current.org_id}/files", params={"filename": "big.txt"},
                         content=bigger_than_a_form, headers=OURS)
    assert answer.status_code == 201, answer.text
    too_big = b"a" * (get_settings().max_upload_bytes + 1)
    refused = capped.post(f"/api/organizations/{ada.current.org_id}/files", params={"filename": "huge.txt"},
                          content=too_big, headers=OURS)
    assert refused.status_code == 413
    assert capped.post("/api/auth/anything", content=bigger_than_a_form, headers=OURS).status_code == 413
