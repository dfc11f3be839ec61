"""The FastAPI app mounted on Reflex's backend.

What is public, on purpose:
- `/api/health` tells anyone only "ok" or "degraded" (for load balancers);
  the schema revision is added for signed-in staff only.
- Reflex's own `/ping` and `/_health` stay public: they answer "pong" and
  true/false for the database and Redis, with no version or address.
- The OpenAPI document (`/api/openapi.json`) is for signed-in staff only: it
  maps every route, which helps developers and attackers alike. Interactive
  docs (`/docs`, `/redoc`) are off."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from portal_app.api.auth import router as auth_router
from portal_app.api.files import router as files_router
from portal_app.api.invoices import router as invoices_router
from portal_app.api.notifications import router as notifications_router
from portal_app.api.problems import portal_error_handler
from portal_app.api.stripe_webhook import router as stripe_webhook_router
from portal_app.db import session_scope
from portal_app.services import sessions
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.services.system import check_health

OPENAPI_PATH = "/api/openapi.json"

api = FastAPI(title="portal_app API", docs_url=None, redoc_url=None, openapi_url=None)
api.include_router(auth_router)
api.include_router(files_router)
api.include_router(invoices_router)
api.include_router(notifications_router)
api.include_router(stripe_webhook_router)
api.add_exception_handler(PortalError, portal_error_handler)  # every route's errors: problem+json


def _staff(request: Request) -> Principal | None:
    """The signed-in staff member behind the request's cookie (with two-step
    verification set up), or None."""
    with session_scope() as session:
        principal = sessions.resolve(session, request.cookies.get(sessions.cookie_name()))
    try:
        principal.require_staff() if principal else None
    except PortalError:
        return None
    return principal


@api.get("/api/health")
def health(request: Request) -> JSONResponse:
    """Liveness for load balancers and monitoring; details for staff only."""
    with session_scope() as session:
        result = check_health(session)
    body = {"status": "ok" if result.database_ok else "degraded"}
    if _staff(request) is not None:
        body["schema"] = result.schema_revision
    return JSONResponse(body, status_code=200 if result.database_ok else 503,
                        headers={"Cache-Control": "no-store"})


@api.get(OPENAPI_PATH, include_in_schema=False)
def openapi_document(request: Request) -> JSONResponse:
    """The API's OpenAPI document, for signed-in staff; anyone else gets the
    same "not found" as for a path that does not exist."""
    if _staff(request) is None:
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    return JSONResponse(api.openapi(), headers={"Cache-Control": "no-store"})
