"""Authorised downloads: private files are streamed only to a signed-in
person allowed to see them, never from a public directory."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from portal_app.db import session_scope
from portal_app.services import org_profile, sessions
from portal_app.services.errors import PortalError
from portal_app.settings import get_settings

router = APIRouter()


def error_response(err: PortalError) -> JSONResponse:
    """The one mapping from a domain error to an HTTP answer."""
    return JSONResponse({"error": err.code, "message": err.message}, status_code=err.http_status)


@router.get("/api/branding/logo", include_in_schema=False)
def branding_logo() -> Response:
    """The instance's logo (PORTAL_LOGO): public, like the portal's name."""
    path = get_settings().logo_path
    if path is None or not path.is_file():
        return JSONResponse({"error": "not_found", "message": "No logo."}, status_code=404)
    data = path.read_bytes()[: org_profile.LOGO_MAX_BYTES + 1]
    content_type = org_profile.image_type(data)
    if content_type is None or len(data) > org_profile.LOGO_MAX_BYTES:
        return JSONResponse({"error": "not_found", "message": "No usable logo."}, status_code=404)
    return Response(data, media_type=content_type, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/api/organizations/{org_id}/logo", include_in_schema=False)
def organization_logo(org_id: int, request: Request) -> Response:
    with session_scope() as session:
        principal = sessions.resolve(session, request.cookies.get(sessions.COOKIE_NAME))
        if principal is None:
            return JSONResponse({"error": "unauthenticated", "message": "Sign in first."}, status_code=401)
        try:
            data, content_type = org_profile.read_logo(session, principal, org_id)
        except PortalError as err:
            return error_response(err)
    return Response(data, media_type=content_type, headers={
        "Cache-Control": "private, max-age=300", "Content-Disposition": "inline"})
