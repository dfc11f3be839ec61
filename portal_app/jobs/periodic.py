"""Every periodic task, in one place (reminders, SLA checks and renewals
join here as their areas land). Each is safe to run twice: the work it finds
is claimed by the job that does it."""

from __future__ import annotations

from huey import crontab

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
