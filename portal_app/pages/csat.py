"""The staff's support report: requests, response times and satisfaction ratings over a period."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.csat import support_report_page
from portal_app.components.layout import portal_page
from portal_app.state.csat import SupportReportState


@portal_page(route=routes.SUPPORT_REPORT, title="Support report", on_load=SupportReportState.load, private=True)
def support_report() -> rx.Component:
    return support_report_page()
