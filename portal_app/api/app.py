"""The FastAPI app mounted on Reflex's backend. Interactive docs are off by
default: the API is documented by its OpenAPI file under /api, not /docs."""

from __future__ import annotations

from fastapi import FastAPI

from portal_app.api.auth import router as auth_router
from portal_app.api.files import router as files_router
from portal_app.db import session_scope
from portal_app.services.system import check_health

api = FastAPI(title="portal_app API", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
api.include_router(auth_router)
api.include_router(files_router)


@api.get("/api/health")
def health() -> dict:
    """Liveness and schema revision, for load balancers and monitoring."""
    with session_scope() as session:
        result = check_health(session)
    return {"status": "ok" if result.database_ok else "degraded", "schema": result.schema_revision}
