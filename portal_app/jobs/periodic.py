"""Every periodic task, in one place (renewals join here as
their areas land). Each is safe to run twice: the work it finds is claimed
by the job that does it."""

from __future__ import annotations

from huey import crontab

from portal_app.db import get_engine, session_scope
from portal_app.integrations import mail
from portal_app.jobs.mail import deliver_mail
from portal_app.jobs.queue import huey


@huey.periodic_task(crontab(minute="*"), name="mail.sweep")
def sweep_outbox() -> int:
    """Queue again the mail whose job was lost or whose retry is due."""
    ids = mail.due_ids()
    for mail_id in ids:
        deliver_mail(mail_id)
    return len(ids)


def check_sla(engine=None) -> tuple[int, int]:  # noqa: ANN001 — an Engine, the app's by default
    """Flag the support requests now at risk of missing, or past, their
    service-level targets, and tell the assignee (or every agent) and
    PORTAL_SLA_ALERT_EMAIL once each (`services/sla.flag_due` claims each
    flag with a conditional UPDATE). One transaction per run."""
    from portal_app.services import sla  # the services import the job queue: not at import time

    with session_scope(engine or get_engine()) as session:
        return sla.flag_due(session)


@huey.periodic_task(crontab(minute="*"), name="sla.check")
def sla_check() -> tuple[int, int]:
    return check_sla()


def check_invoices(engine=None) -> tuple[int, int]:  # noqa: ANN001 — an Engine, the app's by default
    """Mark the invoices past their due date overdue (audited once each) and
    send the reminders PORTAL_INVOICE_REMINDER_DAYS asks for, each once
    (`services/invoice_reminders.py` claims each with a conditional UPDATE).
    One transaction per run."""
    from portal_app.services import invoice_reminders  # the services import the job queue: not at import time

    with session_scope(engine or get_engine()) as session:
        return invoice_reminders.mark_overdue_and_remind(session)


@huey.periodic_task(crontab(minute="5"), name="invoices.check")
def invoices_check() -> tuple[int, int]:
    return check_invoices()


def renew_subscriptions(engine=None) -> tuple[int, int]:  # noqa: ANN001 — an Engine, the app's by default
    """Renew the subscriptions due today (each period invoiced once: claimed
    with a conditional UPDATE on its renewal day), end the cancelled ones at
    their period's end, and send the renewal reminders
    (PORTAL_RENEWAL_REMINDER_DAYS). One transaction per run."""
    from portal_app.services import subscriptions  # the services import the job queue: not at import time

    with session_scope(engine or get_engine()) as session:
        return subscriptions.renew_due(session), subscriptions.remind_due(session)


@huey.periodic_task(crontab(minute="15"), name="subscriptions.renew")
def subscriptions_renew() -> tuple[int, int]:
    return renew_subscriptions()
