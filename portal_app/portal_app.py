"""The Reflex app: pages from `pages/`, HTTP routes from `api/`, security
headers around everything."""

import reflex as rx

from portal_app import log_redaction, pages  # noqa: F401  (registers pages)
from portal_app.api.app import api
from portal_app.api.body_limit import body_limit
from portal_app.api.reflex_upload import refuse_reflex_upload
from portal_app.api.connection_limit import connection_limit
from portal_app.api.security_headers import security_headers
from portal_app.components.layout import PAGES
from portal_app.jobs.queue import jobs_in_process
from portal_app.state.live import deliver_changes
from portal_app.state.session import SessionGuard

log_redaction.install()
app = rx.App(api_transformer=[api, refuse_reflex_upload, body_limit, connection_limit, security_headers])
app.register_lifespan_task(jobs_in_process)  # the job consumer, unless workers run them
app.register_lifespan_task(deliver_changes)  # live pages: the change signal reaches open tabs
app.add_middleware(SessionGuard(), index=0)  # before any hydrate sends the state

for spec in PAGES:
    app.add_page(spec.component, route=spec.route, title=spec.title, on_load=spec.on_load)
