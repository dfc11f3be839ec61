"""The CSP allows exactly the inline scripts of the build (by hash), never
'unsafe-inline'; private files are attachments stored nowhere."""

from __future__ import annotations

import base64
import hashlib

from portal_app.api.files import download_headers
from portal_app.api.security_headers import inline_script_hashes, security_headers
from portal_app.services import org_profile, sessions
from tests.factories import register, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def _sha(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


def test_every_inline_script_of_the_build_is_hashed_and_only_those(tmp_path):
    (tmp_path / "account").mkdir()
    (tmp_path / "index.html").write_text(
        '<html><script>window.a = 1;</script><script type="module" async="">import "/x.js";</script>'
        '<script src="/assets/app.js"></script></html>')
    (tmp_path / "account" / "security.html").write_text("<script>window.a = 1;</script><SCRIPT>é()</SCRIPT>")
    assert inline_script_hashes(tmp_path) == sorted({_sha("window.a = 1;"), _sha('import "/x.js";'), _sha("é()")})


def test_pages_get_a_strict_script_policy(http_portal, tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    (build / "index.html").write_text("<script>hydrate()</script>")
    http_portal()
    from fastapi.testclient import TestClient

    from portal_app.api.app import api
    with TestClient(security_headers(api, build_dir=build)) as client:
        csp = client.get("/api/health").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == f"'self' 'unsafe-eval' {_sha('hydrate()')}"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["base-uri"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_a_private_download_is_an_attachment_stored_nowhere():
    headers = download_headers('report "Q3" été.pdf')
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"report _Q3_ _t_.pdf\"; filename*=UTF-8''report%20%22Q3%22%20%C3%A9t%C3%A9.pdf")
    assert headers["Cache-Control"] == "private, no-store" and headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]


def test_the_organisation_logo_is_an_inline_image_cached_privately_and_briefly(http_portal):
    client, session = http_portal()
    register(session)
    raw, ada = sign_in(session)
    org_profile.set_logo(session, ada, ada.current.org_id, data=PNG)
    session.commit()
    url = f"/api/organizations/{ada.current.org_id}/logo"
    assert client.get(url).status_code == 401
    client.cookies.set(sessions.cookie_name(), raw)
    response = client.get(url)
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-disposition"] == "inline"
    assert response.headers["cache-control"] == "private, max-age=300"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert response.headers["x-content-type-options"] == "nosniff"
